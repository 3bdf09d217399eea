/**
 * The dock view of a `transformer.attention` run: a short header for learners and BertViz's head
 * view in a sandboxed iframe (scripts allowed, no same-origin: it cannot reach the page or the
 * server, which is why every script it needs is inlined).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi, IRun } from '../api';
import { decodeArray, isEncodedArray, NDArray } from '../arrays';
import { firstWords } from '../logic';
import { dlvizIcon } from '../icon';
import { headViewDocument, IHeadViewInput, IHeadViewScripts, IViewTheme } from './bertviz';

/** What a learner reads above the picture. */
const EXPLANATION =
  'Each token on the left attends to the tokens on the right: the stronger a line, the more ' +
  'attention it carries. Every color is one attention head. Hover over a token to see only ' +
  'its lines; click a colored square to show or hide a head; pick another layer above.';

/** The body of the view: header plus the iframe. */
export class AttentionContent extends Widget {
  readonly runId: string;
  private _header: HTMLElement;
  private _frameHost: HTMLElement;
  private _api: DlvizApi;
  private _drawn: { input: IHeadViewInput; scripts: IHeadViewScripts } | null = null;

  constructor(api: DlvizApi, runId: string) {
    super();
    this._api = api;
    this.runId = runId;
    this.addClass('dlviz-view-content');
    this._header = document.createElement('div');
    this._header.className = 'dlviz-view-header';
    this._header.textContent = 'Loading the attention of this run…';
    this._frameHost = document.createElement('div');
    this._frameHost.className = 'dlviz-view-frame-host';
    this.node.appendChild(this._header);
    this.node.appendChild(this._frameHost);
  }

  /** Fetch the run and draw it. Resolves with the tab title to use. */
  async load(): Promise<string> {
    let run: IRun;
    try {
      run = await this._api.getRun(this.runId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this._showMessage(
          'This run is no longer on the server: runs are kept in memory until the Jupyter ' +
            'server restarts. Run the task again from the DL Viz panel.'
        );
        return 'Attention (run gone)';
      }
      this._showMessage(`Cannot load this run: ${(error as Error).message}`);
      return 'Attention';
    }
    if (run.status !== 'succeeded' || !run.result) {
      this._showMessage(
        run.status === 'failed'
          ? `This run failed: ${run.error ?? 'no reason given'}`
          : `This run has no result (it is ${run.status}).`
      );
      return 'Attention';
    }
    const result = run.result;
    if (!isEncodedArray(result.attention) || !Array.isArray(result.tokens)) {
      this._showMessage('This run has no attention to show.');
      return 'Attention';
    }
    let attention: NDArray;
    let scripts: IHeadViewScripts;
    try {
      attention = decodeArray(result.attention);
      const [d3, jquery, requirejs, headView] = await Promise.all([
        this._api.asset('d3.min.js'),
        this._api.asset('jquery.min.js'),
        this._api.asset('require.js'),
        this._api.asset('bertviz/head_view.js')
      ]);
      scripts = { d3, jquery, requirejs, headView };
    } catch (error) {
      this._showMessage(`Cannot draw this run: ${(error as Error).message}`);
      return 'Attention';
    }
    const tokens = result.tokens as string[];
    const [layers, heads] = attention.shape;
    this._renderHeader(String(result.model ?? run.params?.model ?? ''), tokens.length, layers, heads);
    this._drawn = {
      input: { tokens, attention, sentenceBStart: result.sentence_b_start ?? null },
      scripts
    };
    try {
      this.redraw();
    } catch (error) {
      this._drawn = null;
      this._showMessage(`Cannot draw this run: ${(error as Error).message}`);
      return 'Attention';
    }
    const text = String(run.params?.text ?? tokens.join(' '));
    return `Attention: ${firstWords(text)}`;
  }

  /** Draw (again) the picture with the current theme's colors, e.g. after a theme change. */
  redraw(): void {
    if (!this._drawn) {
      return;
    }
    const frame = document.createElement('iframe');
    frame.className = 'dlviz-view-frame';
    // Scripts only: no same-origin, so the view cannot touch JupyterLab or the server.
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('title', 'BertViz head view');
    frame.srcdoc = headViewDocument(this._drawn.input, this._drawn.scripts, currentTheme());
    this._frameHost.replaceChildren(frame);
  }

  private _renderHeader(model: string, tokens: number, layers: number, heads: number): void {
    const facts = document.createElement('div');
    facts.className = 'dlviz-view-facts';
    const items: [string, string][] = [
      ['Model', model],
      ['Tokens', String(tokens)],
      ['Layers', String(layers)],
      ['Heads per layer', String(heads)]
    ];
    for (const [label, value] of items) {
      const item = document.createElement('span');
      item.className = 'dlviz-view-fact';
      const strong = document.createElement('strong');
      strong.textContent = `${label}: `;
      item.appendChild(strong);
      item.appendChild(document.createTextNode(value));
      facts.appendChild(item);
    }
    const explanation = document.createElement('p');
    explanation.className = 'dlviz-view-explanation';
    explanation.textContent = EXPLANATION;
    this._header.replaceChildren(facts, explanation);
  }

  private _showMessage(text: string): void {
    const message = document.createElement('div');
    message.className = 'dlviz-view-message';
    message.textContent = text;
    this._header.replaceChildren(message);
    this._frameHost.replaceChildren();
  }
}

/** The JupyterLab theme's colors, read from its CSS variables (the iframe cannot see them). */
function currentTheme(): IViewTheme | undefined {
  if (typeof document === 'undefined' || !document.body) {
    return undefined;
  }
  const style = getComputedStyle(document.body);
  const read = (name: string) => style.getPropertyValue(name).trim();
  const background = read('--jp-layout-color0');
  const foreground = read('--jp-ui-font-color0') || read('--jp-content-font-color0');
  if (!background || !foreground) {
    return undefined;
  }
  return { background, foreground, fontFamily: read('--jp-ui-font-family') || undefined };
}

export type AttentionView = MainAreaWidget<AttentionContent>;

/** The view of one run; it starts loading at once and sets its title when it knows the text. */
export function createAttentionView(api: DlvizApi, runId: string): AttentionView {
  const content = new AttentionContent(api, runId);
  const widget = new MainAreaWidget({ content });
  widget.id = viewId(runId);
  widget.addClass('dlviz-view');
  widget.title.label = 'Attention';
  widget.title.icon = dlvizIcon;
  widget.title.closable = true;
  void content.load().then(title => {
    widget.title.label = title;
    widget.title.caption = `Attention of run ${runId}`;
  });
  return widget;
}

/** The DOM id of a run's view (one view per run). */
export function viewId(runId: string): string {
  return `dlviz-view-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
