/**
 * The dock view of a `transformer.attention` run: a short header for learners and BertViz's head
 * view in a sandboxed iframe (scripts allowed, no same-origin: it cannot reach the page or the
 * server, which is why every script it needs is inlined).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi, IRun } from '../api';
import { decodeArray, IEncodedArray, isArrayStub, isEncodedArray, NDArray } from '../arrays';
import { firstWords } from '../logic';
import { SliceSource } from '../slices';
import { dlvizIcon } from '../icon';
import { loadViewScripts } from '../mime';
import { ATTENTION_VIEW_KINDS, AttentionViewKind, IViewInput, viewDocument } from './bertviz';
import { canvasPng, createViewFrame, currentTheme, downloadBlob, fileNameOf, requestFramePng, scatterPng, stepsPng } from './frame';
import { snapshotHtml } from '../snapshot';
import { renderProjection } from './projectionView';
import { IStepsPick, renderSteps } from './stepsView';
import { renderLongAttention } from './longView';
import { LONG_INPUT_TOKENS } from '../transformerLogic';
import { modelGone, RUN_GONE_MESSAGE, RunFailedError, shortId, snapshotEpochs } from '../keptRuns';
import { RunNotices } from './notices';

/** What the header's selector can show: the three BertViz views, and the token map of a trained run. */
type ShownKind = AttentionViewKind | 'projection';

/** What a learner reads above the picture, per view. */
const EXPLANATIONS: { [kind in ShownKind]: string } = {
  projection:
    'Every token\'s vector squeezed to two numbers (PCA): tokens the layer sees alike sit close. ' +
    'Move the layer slider to follow them through the layers, the epoch slider to watch training arrange them.',
  head:
    'Each token on the left attends to the tokens on the right: the stronger a line, the more ' +
    'attention it carries. Every color is one attention head. Hover over a token to see only ' +
    'its lines; click a colored square to show or hide a head; pick another layer above.',
  model:
    'Every layer (rows) and every head (columns) at once: each small picture is one head. ' +
    'Click a picture to see it larger; hover over a token to follow its lines.',
  neuron:
    'How one head computes its attention: hover over a token on the left, then click the + to ' +
    'see its query, each key, their products q×k, and the softmax that turns them into weights.'
};

const KIND_LABELS: { [kind in ShownKind]: string } = {
  head: 'Head view',
  model: 'Model view',
  neuron: 'Neuron view',
  projection: 'Token map (projection)'
};

/** An array of a result, inline or (stub) fetched from the server. */
async function arrayOf(api: DlvizApi, value: unknown): Promise<NDArray | null> {
  if (isEncodedArray(value)) {
    return decodeArray(value);
  }
  if (isArrayStub(value)) {
    return decodeArray((await api.array(value.href)) as IEncodedArray);
  }
  return null;
}

/** The body of the view: header plus the iframe. */
export class AttentionContent extends Widget {
  readonly runId: string;
  private _header: HTMLElement;
  private _frameHost: HTMLElement;
  private _explanation: HTMLElement | null = null;
  private _api: DlvizApi;
  private _run: IRun | null = null;
  private _input: IViewInput | null = null;
  private _kind: ShownKind = 'head';
  private _doc = '';
  private _title = 'Attention';
  /** A transformer.train run: the attention snapshots per epoch, and the epoch shown. */
  private _epochs: SliceSource | null = null;
  private _epochNumbers: number[] = [];
  private _epoch = 0;
  /** Queries and keys already fetched, per epoch (-1 for a plain attention run). */
  private _qk = new Map<number, [NDArray, NDArray]>();
  /** A trained run's projection snapshots [E+1, L+1, N, 2], and the layer shown. */
  private _projections: SliceSource | null = null;
  private _projectionLayer: number | undefined = undefined;
  /** What a byte budget left out, and whether the trained model's kernel is gone. */
  private _notices = new RunNotices();

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
    this.node.appendChild(this._notices.node);
    this.node.appendChild(this._frameHost);
  }

  /** The view shown (head, model or neuron). */
  get kind(): ShownKind {
    return this._kind;
  }

  /** Fetch the run and draw it. Resolves with the tab title to use. */
  async load(kind: AttentionViewKind = 'head'): Promise<string> {
    let run: IRun;
    try {
      run = await this._api.getRun(this.runId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this._showMessage(RUN_GONE_MESSAGE);
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
    if (result.weights && result.scores && Array.isArray(result.tokens)) {
      return this._loadSteps(run);
    }
    if (result.coordinates && Array.isArray(result.tokens)) {
      return this._loadProjection(run);
    }
    const snapshots = result.snapshots;
    const trained = !!snapshots && (isEncodedArray(snapshots.attention) || isArrayStub(snapshots.attention));
    if (
      !(trained || isEncodedArray(result.attention) || isArrayStub(result.attention)) ||
      !Array.isArray(result.tokens)
    ) {
      this._showMessage('This run has no attention to show.');
      return 'Attention';
    }
    if (
      !trained &&
      isArrayStub(result.attention) &&
      result.attention.shape.length === 4 &&
      result.attention.shape[2] > LONG_INPUT_TOKENS
    ) {
      return this._loadLong(run);
    }
    let attention: NDArray;
    try {
      if (trained) {
        this._epochs = new SliceSource(snapshots.attention, (href, index, dtype) => this._api.array(href, index, dtype));
        // A byte budget may have kept only every k-th epoch: the slider offers those only.
        this._epochNumbers = snapshotEpochs(snapshots, this._epochs.length);
        this._epoch = this._epochs.length - 1;
        this._notices.showKept(result);
        void this._notices.watchKernel(this._api, run.kernel_id, run.task);
        attention = await this._epochs.get(this._epoch);
        if (isEncodedArray(snapshots.projection) || isArrayStub(snapshots.projection)) {
          this._projections = new SliceSource(snapshots.projection, (href, index, dtype) => this._api.array(href, index, dtype));
        }
      } else {
        attention = (await arrayOf(this._api, result.attention))!;
      }
    } catch (error) {
      this._showMessage(`Cannot draw this run: ${(error as Error).message}`);
      return 'Attention';
    }
    this._run = run;
    const tokens = result.tokens as string[];
    const [layers, heads] = attention.shape;
    this._input = {
      tokens,
      attention,
      sentenceBStart: result.sentence_b_start ?? null,
      causal: !!result.causal,
      queries: null,
      keys: null
    };
    this._renderHeader(
      String(result.model ?? run.params?.model ?? (trained ? `tiny transformer trained from scratch (run ${this.runId})` : '')),
      tokens.length,
      layers,
      heads
    );
    const text = String(run.params?.text ?? tokens.join(' '));
    this._title = `${trained ? 'Trained attention' : 'Attention'}: ${firstWords(text)}`;
    await this.showKind(kind);
    return this._title;
  }

  /** Show another view of the same run. */
  async showKind(kind: ShownKind): Promise<void> {
    if (!this._input || !this._run) {
      return;
    }
    this._kind = kind;
    const select = this._header.querySelector<HTMLSelectElement>('select.dlviz-view-kind');
    if (select) {
      select.value = kind;
    }
    if (this._explanation) {
      this._explanation.textContent = EXPLANATIONS[kind];
    }
    if (kind === 'projection') {
      await this._showTrainedProjection();
      return;
    }
    try {
      if (kind === 'neuron' && (!this._input.queries || !this._input.keys)) {
        await this._loadQueriesAndKeys();
      }
      this.redraw();
    } catch (error) {
      if (modelGone(error)) {
        this._showFrameMessage(this._kernelGone());
      } else {
        this._showFrameMessage(`Cannot draw the ${kind} view: ${(error as Error).message}`);
      }
    }
  }

  /** The line shown when the kernel that can compute more of this run is gone. */
  private _kernelGone(): string {
    if (this._epochs) {
      this._notices.markKernelGone();
      return this._notices.kernelMessage;
    }
    return (
      `The kernel of this run (${shortId(this._run?.kernel_id)}) is no longer running: the neuron view ` +
      'needs the run again from the DL Viz panel.'
    );
  }

  /**
   * The neuron view needs every head's queries and keys: from the result, or from a new run on
   * the same kernel (transformer.attention with include_qk; for a trained run, transformer.inspect
   * with view "neuron" at the epoch shown).
   */
  private async _loadQueriesAndKeys(): Promise<void> {
    const input = this._input!;
    const key = this._epochs ? this._epoch : -1;
    const known = this._qk.get(key);
    if (known) {
      [input.queries, input.keys] = known;
      return;
    }
    let result = this._run!.result!;
    if (this._epochs || !result.queries || !result.keys) {
      this._showFrameMessage('Computing the queries and keys of every head for the neuron view…');
      const [task, params] = this._epochs
        ? ['transformer.inspect', { run: this.runId, epoch: this._epochNumbers[this._epoch] ?? this._epoch, view: 'neuron' }]
        : ['transformer.attention', { ...this._run!.params, include_qk: true }];
      const created = await this._api.createRun(task, params, this._run!.kernel_id);
      await this._api.watchRun(created.id, () => undefined);
      const run = await this._api.getRun(created.id);
      if (run.status !== 'succeeded' || !run.result) {
        throw new RunFailedError(run.error ?? `the run with queries and keys is ${run.status}`, run.error_field ?? null, run.status);
      }
      result = run.result;
    }
    const [queries, keys] = await Promise.all([arrayOf(this._api, result.queries), arrayOf(this._api, result.keys)]);
    if (!queries || !keys) {
      throw new Error('the model gave no queries and keys');
    }
    this._qk.set(key, [queries, keys]);
    input.queries = queries;
    input.keys = keys;
  }

  /** Show the attention after another epoch of a trained run. */
  async showEpoch(index: number): Promise<void> {
    if (!this._epochs || !this._input) {
      return;
    }
    this._epoch = index;
    this._updateEpochLabel();
    const attention = await this._epochs.get(index);
    if (this._epoch !== index) {
      return;
    }
    this._input = { ...this._input, attention, queries: null, keys: null };
    await this.showKind(this._kind);
  }

  private _updateEpochLabel(): void {
    const label = this._header.querySelector('.dlviz-epoch-label');
    if (label) {
      const epoch = this._epochNumbers[this._epoch] ?? this._epoch;
      const last = this._epochNumbers[this._epochNumbers.length - 1] ?? this._epoch;
      label.textContent = epoch === 0 ? 'Epoch 0 (before training)' : `Epoch ${epoch} of ${last}`;
    }
  }

  /** The token map of a trained run at the epoch shown (its own layer slider). */
  private async _showTrainedProjection(): Promise<void> {
    if (!this._projections || !this._run?.result) {
      return;
    }
    const epoch = this._epoch;
    const coordinates = await this._projections.get(epoch);
    if (this._epoch !== epoch || this._kind !== 'projection') {
      return;
    }
    const result = this._run.result;
    const layers = coordinates.shape[0];
    const host = document.createElement('div');
    host.className = 'dlviz-view-scroll dlviz-projection-host';
    const show = renderProjection(
      host,
      {
        tokens: result.tokens,
        sentence: result.sentence ?? [],
        layers: ['embeddings', ...Array.from({ length: layers - 1 }, (_, i) => `layer ${i + 1}`)],
        coordinates,
        explainedVariance: result.snapshots?.explained_variance?.[epoch] ?? null
      },
      this._projectionLayer
    );
    const slider = host.querySelector<HTMLInputElement>('input.dlviz-projection-layer');
    slider?.addEventListener('input', () => (this._projectionLayer = Number(slider.value)));
    void show;
    this._doc = '';
    this._frameHost.replaceChildren(host);
  }

  /** A long input: the attention stays on the server and comes one layer at a time. */
  private async _loadLong(run: IRun): Promise<string> {
    const result = run.result!;
    this._run = run;
    const [layers, heads, n] = result.attention.shape as number[];
    const facts = document.createElement('div');
    facts.className = 'dlviz-view-facts';
    facts.textContent =
      `Model: ${String(result.model ?? run.params?.model ?? '')} · ${n} tokens · ${layers} layers × ${heads} heads` +
      (result.truncated ? ' · text cut to fit' : '');
    const explanation = document.createElement('p');
    explanation.className = 'dlviz-view-explanation';
    explanation.textContent =
      `A long input: with ${n} tokens every head has ${n * n} weights, too many lines to draw. ` +
      'Left: the whole attention matrix of one head (row = the token that looks, column = the token it looks at; ' +
      'bright = much attention). Right: only the links above the threshold you set.';
    facts.appendChild(this._exportButtons());
    this._header.replaceChildren(facts, explanation);
    const host = document.createElement('div');
    host.className = 'dlviz-view-scroll dlviz-steps-host';
    this._frameHost.replaceChildren(host);
    const source = new SliceSource(result.attention, (href, index, dtype) => this._api.array(href, index, dtype), {
      dtype: 'float16',
      capacity: 3
    });
    try {
      await renderLongAttention(host, { tokens: result.tokens, layers: source, numHeads: heads });
    } catch (error) {
      this._showFrameMessage(`Cannot fetch the attention: ${(error as Error).message}`);
    }
    this._title = `Attention (long input): ${firstWords(String(run.params?.text ?? ''))}`;
    return this._title;
  }

  /** A transformer.steps result (or transformer.inspect with view "steps"). */
  private _loadSteps(run: IRun): string {
    const result = run.result!;
    this._run = run;
    const facts = document.createElement('div');
    facts.className = 'dlviz-view-facts';
    facts.textContent =
      `Model: ${String(result.model ?? '')} · ${result.tokens.length} tokens · layer ${result.layer} of ` +
      `${result.num_layers}, head ${result.head} of ${result.num_heads} · head size d = ${result.head_dim}`;
    const explanation = document.createElement('p');
    explanation.className = 'dlviz-view-explanation';
    explanation.textContent =
      'How one attention head computes, with the model\'s own numbers. Pick a token to follow its ' +
      'row through every step; another layer or head runs the model again in the same kernel.';
    facts.appendChild(this._exportButtons());
    this._header.replaceChildren(facts, explanation);
    const host = document.createElement('div');
    host.className = 'dlviz-view-scroll dlviz-steps-host';
    const draw = (r: { [key: string]: any }) =>
      renderSteps(host, r, pick => void this._askSteps(run, pick, host, draw));
    draw(result);
    this._frameHost.replaceChildren(host);
    this._title = `Attention step by step: ${firstWords(String(run.params?.text ?? result.tokens.join(' ')))}`;
    return this._title;
  }

  private async _askSteps(
    run: IRun,
    pick: IStepsPick,
    host: HTMLElement,
    draw: (result: { [key: string]: any }) => void
  ): Promise<void> {
    const status = document.createElement('div');
    status.className = 'dlviz-view-message dlviz-steps-busy';
    status.textContent = `Running layer ${pick.layer}, head ${pick.head} in the kernel…`;
    host.prepend(status);
    try {
      const created = await this._api.createRun(run.task, { ...run.params, ...pick }, run.kernel_id);
      await this._api.watchRun(created.id, () => undefined);
      const next = await this._api.getRun(created.id);
      if (next.status !== 'succeeded' || !next.result) {
        throw new Error(next.error ?? `the run is ${next.status}`);
      }
      draw(next.result);
    } catch (error) {
      status.textContent = `Cannot run this step: ${(error as Error).message}`;
    }
  }

  /** A transformer.projection result (or transformer.inspect with view "projection"). */
  private _loadProjection(run: IRun): string {
    const result = run.result!;
    this._run = run;
    const coordinates = isEncodedArray(result.coordinates) ? decodeArray(result.coordinates) : null;
    if (!coordinates) {
      this._showMessage('This run has no coordinates to show.');
      return 'Projection';
    }
    const facts = document.createElement('div');
    facts.className = 'dlviz-view-facts';
    facts.textContent = `Model: ${String(result.model ?? '')} · ${result.tokens.length} tokens · ${coordinates.shape[0]} layers (embeddings included)`;
    const explanation = document.createElement('p');
    explanation.className = 'dlviz-view-explanation';
    explanation.textContent = EXPLANATIONS.projection;
    facts.appendChild(this._exportButtons());
    this._header.replaceChildren(facts, explanation);
    const host = document.createElement('div');
    host.className = 'dlviz-view-scroll dlviz-projection-host';
    renderProjection(host, {
      tokens: result.tokens,
      sentence: result.sentence ?? [],
      layers: result.layers ?? [],
      coordinates,
      explainedVariance: result.explained_variance ?? null
    });
    this._frameHost.replaceChildren(host);
    this._title = `Token map: ${firstWords(String(run.params?.text ?? result.tokens.join(' ')))}`;
    return this._title;
  }

  /** Draw (again) the picture with the current theme's colors, e.g. after a theme change. */
  redraw(): void {
    if (!this._input) {
      return;
    }
    const kind = this._kind;
    const input = this._input;
    if (kind === 'projection') {
      return;
    }
    void loadViewScripts(this._api, kind)
      .then(scripts => {
        if (this._kind !== kind) {
          return;
        }
        this._doc = viewDocument(kind, input, scripts, currentTheme(), `${KIND_LABELS[kind]}: ${this._title}`);
        this._frameHost.replaceChildren(createViewFrame(this._doc, `BertViz ${kind} view`));
      })
      .catch(error => this._showFrameMessage(`Cannot draw this run: ${(error as Error).message}`));
  }

  /** Save the view as one offline HTML file (the BertViz views: the same document as the iframe). */
  downloadHtml(): void {
    if (this._doc) {
      downloadBlob(new Blob([this._doc], { type: 'text/html' }), fileNameOf(`${this._title}-${this._kind}`, 'html'));
      return;
    }
    // The views drawn in the page (step by step, token map, long input): a snapshot of their DOM.
    if (!this._frameHost.querySelector('.dlviz-steps, svg.dlviz-projection, canvas[data-testid="dlviz-long-matrix"]')) {
      this._exportStatus('Nothing to export yet.');
      return;
    }
    try {
      const doc = snapshotHtml([this._header, this._frameHost], { title: this._title });
      downloadBlob(new Blob([doc], { type: 'text/html' }), fileNameOf(this._title, 'html'));
    } catch (error) {
      this._exportStatus(`Cannot export the HTML: ${(error as Error).message}`);
    }
  }

  /**
   * Save the picture as PNG: a BertViz view's SVG (drawn to PNG inside its iframe, sent back by
   * postMessage), the token map's SVG, the long-input attention matrix canvas, or the
   * step-by-step view's matrices stacked into one picture.
   */
  async downloadPng(): Promise<void> {
    const frame = this._frameHost.querySelector('iframe');
    const name = fileNameOf(frame ? `${this._title}-${this._kind}` : this._title, 'png');
    try {
      const projection = this._frameHost.querySelector<SVGSVGElement>('svg.dlviz-projection');
      const matrix = this._frameHost.querySelector<HTMLCanvasElement>('canvas[data-testid="dlviz-long-matrix"]');
      const steps = this._frameHost.querySelector<HTMLElement>('.dlviz-steps');
      let blob: Blob;
      if (steps) {
        const theme = currentTheme();
        blob = await stepsPng(steps, theme?.background || '#ffffff', theme?.foreground || '#000000');
      } else if (frame) {
        blob = await requestFramePng(frame);
      } else if (projection) {
        const theme = currentTheme();
        blob = await scatterPng(projection, theme?.background || '#ffffff', theme?.foreground || '#000000');
      } else if (matrix) {
        blob = await canvasPng(matrix);
      } else {
        this._exportStatus('Nothing to export yet.');
        return;
      }
      downloadBlob(blob, name);
    } catch (error) {
      this._exportStatus(`Cannot export a PNG: ${(error as Error).message}`);
    }
  }

  private _exportStatus(text: string): void {
    const status = this._header.querySelector('.dlviz-export-status');
    if (status) {
      status.textContent = text;
    }
  }

  /** The export buttons (HTML, PNG) and their status line. */
  private _exportButtons(): HTMLElement {
    const box = document.createElement('span');
    box.className = 'dlviz-view-controls';
    const html = document.createElement('button');
    html.className = 'jp-mod-styled dlviz-view-download';
    html.dataset.testid = 'dlviz-download-html';
    html.textContent = 'Download HTML';
    html.title = 'Save this view as one HTML file that works offline';
    html.onclick = () => this.downloadHtml();
    const png = document.createElement('button');
    png.className = 'jp-mod-styled dlviz-view-download';
    png.dataset.testid = 'dlviz-download-png';
    png.textContent = 'PNG';
    png.title = 'Save this picture as a PNG image';
    png.onclick = () => void this.downloadPng();
    const status = document.createElement('span');
    status.className = 'dlviz-export-status';
    box.append(html, png, status);
    return box;
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
    const controls = document.createElement('span');
    controls.className = 'dlviz-view-controls';
    const select = document.createElement('select');
    select.className = 'dlviz-view-kind';
    select.setAttribute('aria-label', 'Attention view');
    select.dataset.testid = 'dlviz-view-kind';
    const kinds: ShownKind[] = [...ATTENTION_VIEW_KINDS];
    if (this._projections) {
      kinds.push('projection');
    }
    for (const kind of kinds) {
      const option = document.createElement('option');
      option.value = kind;
      option.textContent = KIND_LABELS[kind];
      select.appendChild(option);
    }
    select.value = this._kind;
    select.onchange = () => void this.showKind(select.value as ShownKind);
    controls.append(select, this._exportButtons());
    facts.appendChild(controls);
    if (this._epochs) {
      const slider = document.createElement('input');
      slider.type = 'range';
      slider.className = 'dlviz-epoch';
      slider.min = '0';
      slider.max = String(this._epochs.length - 1);
      slider.step = '1';
      slider.value = String(this._epoch);
      slider.dataset.testid = 'dlviz-epoch';
      slider.setAttribute('aria-label', 'Epoch');
      slider.oninput = () => void this.showEpoch(Number(slider.value));
      const label = document.createElement('span');
      label.className = 'dlviz-epoch-label';
      const row = document.createElement('label');
      row.className = 'dlviz-epoch-row';
      row.append(label, slider);
      facts.appendChild(row);
    }
    const explanation = document.createElement('p');
    explanation.className = 'dlviz-view-explanation';
    explanation.textContent = EXPLANATIONS[this._kind];
    this._explanation = explanation;
    this._header.replaceChildren(facts, explanation);
    this._updateEpochLabel();
  }

  private _showFrameMessage(text: string): void {
    const message = document.createElement('div');
    message.className = 'dlviz-view-message';
    message.textContent = text;
    this._frameHost.replaceChildren(message);
  }

  private _showMessage(text: string): void {
    const message = document.createElement('div');
    message.className = 'dlviz-view-message';
    message.textContent = text;
    this._header.replaceChildren(message);
    this._frameHost.replaceChildren();
  }
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
