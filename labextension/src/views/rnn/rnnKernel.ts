/**
 * The RNN explorer's requests to the kernel of its run: `rnn.inspect` for a sequence at the
 * slider's epoch (only the latest wish is sent once the kernel is free) and `rnn.units` for a
 * brushed span. No drawing: the shell passes what to do with the answers.
 */
import { DlvizApi } from '../../api/client';
import { modelGone, RunFailedError } from '../../api/keptRuns';
import { runAndWatch } from '../../api/runAndWatch';
import { resultOf } from '../../api/results';
import { trans } from '../../i18n';
import { RunNotices } from '../shared/notices';
import { ISpan, keptEpochsIn, RnnInput } from './rnnLogic';
import { decodeInspect, RnnInspected, RnnUnitsFound } from './rnnResult';
import { RnnRun } from './rnnRun';

export interface IKernelEvents {
  /** A new inspect result, and the span of a match to highlight in it. */
  result(result: RnnInspected, highlight: ISpan | null): void;
  /** The status line ('' when done). */
  status(text: string): void;
  /** Whether a request is under way. */
  busy(on: boolean): void;
  /** The kernel said which epochs it kept (the slider offered one it did not keep). */
  kept(epochs: number[], input: RnnInput): void;
  /** The model's kernel is gone: `input` was not read. */
  gone(input: RnnInput): void;
}

export class RnnKernel {
  /** The params of the inspect result shown (the units search reads the same sequence). */
  params: { [key: string]: unknown } = {};
  private _api: DlvizApi;
  private _run: RnnRun;
  private _notices: RunNotices;
  private _signal: AbortSignal;
  private _events: IKernelEvents;
  private _wanted: { input: RnnInput; highlight: ISpan | null } | null = null;
  private _busy = false;

  constructor(
    api: DlvizApi,
    run: RnnRun,
    notices: RunNotices,
    signal: AbortSignal,
    events: IKernelEvents
  ) {
    this._api = api;
    this._run = run;
    this._notices = notices;
    this._signal = signal;
    this._events = events;
  }

  /** Ask for `input` at the slider's epoch; `highlight` marks a match's span in the answer. */
  request(input: RnnInput, highlight: ISpan | null): void {
    if (this._notices.kernelGone) {
      this._events.status(this._notices.kernelMessage);
      this._events.gone(input);
      return;
    }
    this._wanted = { input, highlight };
    this._events.busy(true);
    this._events.status(trans.__('Asking the kernel…'));
    if (!this._busy) {
      void this._drain();
    }
  }

  private async _drain(): Promise<void> {
    this._busy = true;
    try {
      while (this._wanted && !this._signal.aborted) {
        const wanted = this._wanted;
        this._wanted = null;
        try {
          const params = this._run.inspectParams(wanted.input);
          const result = await this.inspect(params, () => this._wanted !== null);
          if (result) {
            this._events.result(result, wanted.highlight);
            this._events.status('');
          }
        } catch (error) {
          const kept =
            error instanceof RunFailedError && error.field === 'epoch'
              ? keptEpochsIn(error.message)
              : null;
          if (kept) {
            this._events.kept(kept, wanted.input);
            continue;
          }
          this._events.status(this.failure(error));
          if (this._notices.kernelGone) {
            this._events.gone(wanted.input);
          }
        }
      }
    } finally {
      this._busy = false;
      this._events.busy(false);
    }
  }

  /** What to say about a failed request (and note a kernel that is gone). */
  failure(error: unknown): string {
    if (modelGone(error)) {
      this._wanted = null;
      this._notices.markKernelGone();
      return this._notices.kernelMessage;
    }
    return trans.__('The kernel could not look at this: %1', (error as Error).message);
  }

  /** Run `rnn.inspect`; null when `stale()` says the learner moved on meanwhile. */
  async inspect(
    params: { [key: string]: unknown },
    stale?: () => boolean
  ): Promise<RnnInspected | null> {
    const run = await runAndWatch(this._api, 'rnn.inspect', params, {
      kernelId: this._run.kernelId,
      signal: this._signal,
      arrays: true,
      stale
    });
    if (!run) {
      return null;
    }
    this.params = params;
    return decodeInspect(resultOf(run, 'rnn.inspect')!);
  }

  /** Run `rnn.units` with `params`; null when the view was closed. */
  async units(params: { [key: string]: unknown }): Promise<RnnUnitsFound | null> {
    const run = await runAndWatch(this._api, 'rnn.units', params, {
      kernelId: this._run.kernelId,
      signal: this._signal
    });
    return run ? resultOf(run, 'rnn.units') : null;
  }
}
