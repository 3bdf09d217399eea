/**
 * REST client of the dlviz-lab server extension (DESIGN.md, "REST API (v1)").
 *
 * Every call goes through `ServerConnection.makeRequest`, so the token or XSRF cookie and the
 * base URL (JupyterHub prefix) are those of JupyterLab itself.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { KernelAPI, ServerConnection } from '@jupyterlab/services';

import { trans } from '../i18n';
import { IEncodedArray, resolveStubs, sliceQuery } from './arrays';
import { ApiError, errorFromBody, IFieldError } from './errors';
import { ISseEvent, SseParser } from './events';
import { isTerminal, RunStatus } from './runStatus';

export { ApiError, IFieldError, RunStatus };

/** A task of the catalog. */
export interface ITask {
  id: string;
  family: string;
  title: string;
  description: string;
  schema: { [key: string]: any };
}

export interface ICatalog {
  version: string;
  tasks: ITask[];
}

/** Progress as the kernel reports it: `step` of `total`, a message, task-specific numbers. */
export interface IProgress {
  step?: number;
  total?: number;
  message?: string;
  [key: string]: any;
}

export interface IRun {
  id: string;
  task: string;
  params: { [key: string]: any };
  kernel_id: string;
  status: RunStatus;
  progress: IProgress | null;
  result?: unknown;
  /** A training run's notebook cell that repeats it ("Insert code"), made by the kernel runtime's
   * `code_for` on the server; null for other tasks, absent from run lists. */
  code?: string | null;
  error: string | null;
  error_field?: string | null;
  created: number | string | null;
  finished: number | string | null;
  /** The name of the preset the panel's form came from, if any. */
  preset?: string | null;
}

export interface ICreatedRun {
  id: string;
  status: RunStatus;
  kernel_id: string;
}

/** The event stream of a run: `status` on connect and on each change, `progress` per step. */
export type RunEvent =
  | {
      event: 'status';
      data: { id: string; status: RunStatus; error?: string | null; error_field?: string | null };
    }
  | { event: 'progress'; data: IProgress };

const API_PATH = 'dlviz-lab/api';
const ASSETS_PATH = 'dlviz-lab/assets';

/** Client of the dlviz-lab REST API. One per application is enough. */
export class DlvizApi {
  readonly serverSettings: ServerConnection.ISettings;
  private _assets = new Map<string, Promise<string>>();

  constructor(serverSettings?: ServerConnection.ISettings) {
    this.serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  /** URL of an API path, under the server's base URL. */
  url(...parts: string[]): string {
    return URLExt.join(this.serverSettings.baseUrl, API_PATH, ...parts);
  }

  /**
   * The tasks and their JSON Schemas; with `lang` (JupyterLab's language, e.g. 'pt-BR') the
   * server answers the titles and descriptions in that language (English when it has none).
   */
  catalog(lang?: string | null): Promise<ICatalog> {
    const query = lang && lang !== 'en' ? `?lang=${encodeURIComponent(lang)}` : '';
    return this._json<ICatalog>(this.url('catalog') + query);
  }

  /**
   * The course presets the server trusts (its configuration and the admin's overrides.json),
   * each with `source` and, when it is not valid, its `problem`; `problems` lists what is wrong.
   */
  presets(): Promise<{ presets: unknown[]; problems: string[] }> {
    return this._json<{ presets: unknown[]; problems: string[] }>(this.url('presets'));
  }

  /**
   * Start a run; without `kernelId` the server uses this user's scratch kernel. `preset`: the
   * name of the preset the form came from (a label the class at a glance groups by).
   */
  createRun(
    task: string,
    params: { [key: string]: unknown },
    kernelId?: string | null,
    preset?: string | null
  ): Promise<ICreatedRun> {
    const body: { [key: string]: unknown } = { task, params };
    if (kernelId) {
      body.kernel_id = kernelId;
    }
    if (preset) {
      body.preset = preset;
    }
    return this._json<ICreatedRun>(this.url('runs'), {
      method: 'POST',
      body: JSON.stringify(body)
    });
  }

  /** One run, with its result (large arrays as stubs, see `array`). */
  getRun(id: string): Promise<IRun> {
    return this._json<IRun>(this.url('runs', encodeURIComponent(id)));
  }

  /**
   * One run with every large array of its result fetched whole, for views that draw all of
   * a result at once (the CNN views); the attention views fetch a layer at a time instead.
   */
  async getRunWithArrays(id: string): Promise<IRun> {
    const run = await this.getRun(id);
    if (run.result) {
      run.result = await resolveStubs(run.result, href => this.array(href));
    }
    return run;
  }

  /** The runs of this server, newest first, without their results. */
  async listRuns(): Promise<IRun[]> {
    const answer = await this._json<{ runs: IRun[] } | IRun[]>(this.url('runs'));
    return Array.isArray(answer) ? answer : answer.runs;
  }

  /** Cancel a queued or running run. */
  cancelRun(id: string): Promise<IRun> {
    return this._json<IRun>(this.url('runs', encodeURIComponent(id)), { method: 'DELETE' });
  }

  /** The models and tokenizers that a kernel's user namespace holds. */
  async models(kernelId: string): Promise<any[]> {
    const answer = await this._json<{ models: any[] }>(
      this.url('kernels', encodeURIComponent(kernelId), 'models')
    );
    return answer.models;
  }

  /**
   * The ids of the kernels running on this server (a trained model lives in its kernel only);
   * null when the server does not say, so a view claims nothing it cannot know.
   */
  async runningKernelIds(): Promise<Set<string> | null> {
    try {
      const kernels = await KernelAPI.listRunning(this.serverSettings);
      return new Set(kernels.map(kernel => kernel.id));
    } catch {
      return null;
    }
  }

  /**
   * An array of a run's result by its stub's `href` (relative to the API root), whole or one
   * entry along axis 0 (`index`), optionally converted (`dtype`). See protocol.md, "Large arrays".
   */
  async array(
    href: string,
    index?: number | null,
    dtype?: 'float16' | 'float32' | 'uint8' | null
  ): Promise<IEncodedArray> {
    const path = href.replace(/^\/+/, '');
    const url = URLExt.join(this.serverSettings.baseUrl, API_PATH, path) + sliceQuery(index, dtype);
    // A succeeded run's arrays never change (the server says so): let the browser cache them,
    // so no cache-busting query is added.
    return this._json<IEncodedArray>(url, { method: 'GET', cache: 'default' });
  }

  /**
   * Follow a run's server-sent events until its final status (or until `signal` aborts).
   * Read through fetch's streaming body rather than EventSource, so that the same
   * Authorization header as every other call is sent. Resolves with the last status event.
   */
  async watchRun(
    id: string,
    onEvent: (event: RunEvent) => void,
    signal?: AbortSignal
  ): Promise<RunEvent | null> {
    const response = await ServerConnection.makeRequest(
      this.url('runs', encodeURIComponent(id), 'events'),
      { method: 'GET', signal, headers: { Accept: 'text/event-stream' } },
      this.serverSettings
    );
    if (!response.ok) {
      throw await errorOf(response);
    }
    let last: RunEvent | null = null;
    const handle = (raw: ISseEvent): boolean => {
      let data: unknown;
      try {
        data = JSON.parse(raw.data);
      } catch {
        return false;
      }
      const event = { event: raw.event, data } as RunEvent;
      if (event.event === 'status') {
        last = event;
      }
      onEvent(event);
      return event.event === 'status' && isTerminal(event.data.status);
    };
    const parser = new SseParser();
    if (!response.body) {
      // No streaming body (old fetch polyfills): read it whole.
      for (const raw of parser.push(await response.text())) {
        handle(raw);
      }
      return last;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        for (const raw of parser.push(decoder.decode(value, { stream: true }))) {
          if (handle(raw)) {
            return last;
          }
        }
      }
      for (const raw of parser.push(decoder.decode() + '\n\n')) {
        handle(raw);
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
    return last;
  }

  /**
   * The text of one of the scripts that offline views inline (`d3.min.js`, `jquery.min.js`,
   * `require.js`, `bertviz/head_view.js`). Cached: each is fetched once per page.
   */
  asset(name: string): Promise<string> {
    let text = this._assets.get(name);
    if (!text) {
      const url = URLExt.join(this.serverSettings.baseUrl, ASSETS_PATH, name);
      text = ServerConnection.makeRequest(url, { method: 'GET' }, this.serverSettings).then(
        async response => {
          if (!response.ok) {
            throw await errorOf(response);
          }
          return response.text();
        }
      );
      // A failed fetch is not cached: the next view tries again.
      text.catch(() => this._assets.delete(name));
      this._assets.set(name, text);
    }
    return text;
  }

  private async _json<T>(url: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.serverSettings);
    } catch (error) {
      throw new ApiError(
        0,
        trans.__('cannot reach the Jupyter server: %1', (error as Error).message)
      );
    }
    if (!response.ok) {
      throw await errorOf(response);
    }
    return (await response.json()) as T;
  }
}

/** An ApiError from a failed answer: the server's `{"message", "errors"}`, or the HTTP reason. */
export async function errorOf(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // keep the status line
  }
  return errorFromBody(response.status, response.statusText, text);
}
