/**
 * The BertViz part of the Transformer view: the head, model and neuron views of an attention
 * run (or of a `transformer.train` run, with an epoch slider and the token map per epoch) in a
 * sandboxed iframe (scripts allowed, no same-origin: every script it needs is inlined).
 */
import { decodeArray, IEncodedArray, isArrayStub, isEncodedArray, NDArray } from '../../api/arrays';
import { DlvizApi, IRun } from '../../api/client';
import { modelGone, shortId, snapshotEpochs } from '../../api/keptRuns';
import { FloatResultArray, resultOf, TaskResultMap } from '../../api/results';
import { runAndWatch } from '../../api/runAndWatch';
import { SliceSource } from '../../api/slices';
import { trans } from '../../i18n';
import { createViewFrame, currentTheme } from '../shared/frame';
import { firstWords } from '../shared/format';
import { ATTENTION_VIEW_KINDS, IViewInput, viewDocument } from './bertvizViews';
import { renderBertvizHeader } from './bertvizHeader';
import { IPartHost } from './parts';
import { projectionExplanation } from './projectionPart';
import { renderProjection } from './projectionView';
import { firstKind, KIND_LABELS, loadViewScripts, ShownKind, viewNameInText } from './viewKinds';

/** What a learner reads above the picture, per view (translated when shown). */
function explanationOf(kind: ShownKind): string {
  switch (kind) {
    case 'projection':
      return projectionExplanation();
    case 'head':
      return trans.__(
        'Each token on the left attends to the tokens on the right: the stronger a line, the more attention it carries. Every color is one attention head. Hover over a token to see only its lines; click a colored square to show or hide a head; pick another layer above.'
      );
    case 'model':
      return trans.__(
        'Every layer (rows) and every head (columns) at once: each small picture is one head. Click a picture to see it larger; hover over a token to follow its lines.'
      );
    case 'neuron':
      return trans.__(
        'How one head computes its attention: hover over a token on the left, then click the + to see its query, each key, their products q×k, and the softmax that turns them into weights.'
      );
  }
}

/** The tasks whose runs this part draws (an inspect run with view "attention" or "neuron"). */
type AttentionTask = 'transformer.attention' | 'transformer.inspect' | 'transformer.train';

/** The result of a run this part draws. */
function attentionResultOf(run: IRun): TaskResultMap[AttentionTask] {
  const result = resultOf(run, run.task as AttentionTask);
  if (!result) {
    throw new Error(trans.__('this run has no result'));
  }
  return result;
}

/** The queries and keys of a result that has them (include_qk, or an inspect run's neuron view). */
function queriesAndKeys(result: object): { queries?: FloatResultArray; keys?: FloatResultArray } {
  return 'queries' in result || 'keys' in result
    ? (result as { queries?: FloatResultArray; keys?: FloatResultArray })
    : {};
}

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

/** Whether a value of a result is an array (inline or a stub). */
export function isArrayValue(value: unknown): boolean {
  return isEncodedArray(value) || isArrayStub(value);
}

export class BertvizPart {
  /** The BertViz document in the iframe, for the HTML download. */
  doc = '';
  title = trans.__('Attention');
  private _host: IPartHost;
  private _run: IRun;
  private _input: IViewInput | null = null;
  private _kind: ShownKind = 'head';
  private _explanation: HTMLElement | null = null;
  /** A transformer.train run: the attention snapshots per epoch, and the epoch shown. */
  private _epochs: SliceSource | null = null;
  private _epochNumbers: number[] = [];
  private _epoch = 0;
  /** Queries and keys already fetched, per epoch (-1 for a plain attention run). */
  private _qk = new Map<number, [NDArray, NDArray]>();
  /** A trained run's projection snapshots [E+1, L+1, N, 2], and the layer shown. */
  private _projections: SliceSource | null = null;
  private _projectionLayer: number | undefined = undefined;

  constructor(host: IPartHost, run: IRun) {
    this._host = host;
    this._run = run;
  }

  /** The view shown (head, model, neuron or projection). */
  get kind(): ShownKind {
    return this._kind;
  }

  /** Fetch what the first picture needs and draw it. Resolves with the tab title. */
  async load(asked: ShownKind = 'head'): Promise<string> {
    const host = this._host;
    const run = this._run;
    const result = attentionResultOf(run);
    const snapshots = 'snapshots' in result ? result.snapshots : null;
    const trained = !!snapshots && isArrayValue(snapshots.attention);
    const fetch = (
      href: string,
      index?: number | null,
      dtype?: 'float16' | 'float32' | 'uint8' | null
    ) => host.api.array(href, index, dtype);
    let attention: NDArray;
    try {
      if (trained) {
        this._epochs = new SliceSource(snapshots!.attention, fetch);
        // A byte budget may have kept only every k-th epoch: the slider offers those only.
        this._epochNumbers = snapshotEpochs(snapshots, this._epochs.length);
        this._epoch = this._epochs.length - 1;
        host.notices.showKept('kept' in result ? result : null);
        void host.notices.watchKernel(host.api, run.kernel_id, run.task);
        attention = await this._epochs.get(this._epoch);
        if (isArrayValue(snapshots!.projection)) {
          this._projections = new SliceSource(snapshots!.projection, fetch);
        }
      } else {
        attention = (await arrayOf(host.api, 'attention' in result ? result.attention : null))!;
      }
    } catch (error) {
      host.showMessage(trans.__('Cannot draw this run: %1', (error as Error).message));
      return trans.__('Attention');
    }
    const tokens = result.tokens;
    const [layers, heads] = attention.shape;
    this._input = {
      tokens,
      attention,
      sentenceBStart: result.sentence_b_start ?? null,
      causal: 'causal' in result && !!result.causal,
      queries: null,
      keys: null
    };
    const trainedName = trained
      ? trans.__('tiny transformer trained from scratch (run %1)', run.id)
      : '';
    const model = String(
      ('model' in result ? result.model : null) ?? run.params?.model ?? trainedName
    );
    const kinds = this.kinds;
    // the picture asked for (a preset's `view`) is the first drawn, not the head view then it
    this._kind = firstKind(asked, kinds);
    this._explanation = renderBertvizHeader(host.header, {
      facts: [
        [trans.__('Model'), model],
        [trans.__('Tokens'), String(tokens.length)],
        [trans.__('Layers'), String(layers)],
        [trans.__('Heads per layer'), String(heads)]
      ],
      kinds,
      kind: this._kind,
      exportButtons: host.exportButtons(),
      onKind: k => void this.showKind(k),
      epochs: this._epochs
        ? {
            count: this._epochs.length,
            position: this._epoch,
            onEpoch: i => void this.showEpoch(i)
          }
        : null,
      explanation: explanationOf(this._kind)
    });
    this._updateEpochLabel();
    const text = String(run.params?.text ?? tokens.join(' '));
    this.title = trained
      ? trans.__('Trained attention: %1', firstWords(text))
      : trans.__('Attention: %1', firstWords(text));
    await this.showKind(this._kind);
    return this.title;
  }

  /** The pictures this run can show: BertViz's three, and the token map of a trained run. */
  get kinds(): ShownKind[] {
    return this._projections ? [...ATTENTION_VIEW_KINDS, 'projection'] : [...ATTENTION_VIEW_KINDS];
  }

  /** Show another view of the same run. */
  async showKind(kind: ShownKind): Promise<void> {
    if (!this._input) {
      return;
    }
    this._kind = kind;
    const select = this._host.header.querySelector<HTMLSelectElement>('select.dlviz-view-kind');
    if (select) {
      select.value = kind;
    }
    if (this._explanation) {
      this._explanation.textContent = explanationOf(kind);
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
      this._host.showFrameMessage(
        modelGone(error)
          ? this._kernelGone()
          : trans.__('Cannot draw the %1: %2', viewNameInText(kind), (error as Error).message)
      );
    }
  }

  /** The line shown when the kernel that can compute more of this run is gone. */
  private _kernelGone(): string {
    if (this._epochs) {
      this._host.notices.markKernelGone();
      return this._host.notices.kernelMessage;
    }
    return trans.__(
      'The kernel of this run (%1) is no longer running: the neuron view needs the run again from the DL Viz panel.',
      shortId(this._run.kernel_id)
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
    let found = queriesAndKeys(attentionResultOf(this._run));
    if (this._epochs || !found.queries || !found.keys) {
      this._host.showFrameMessage(
        trans.__('Computing the queries and keys of every head for the neuron view…')
      );
      const [task, params] = this._epochs
        ? [
            'transformer.inspect',
            {
              run: this._run.id,
              epoch: this._epochNumbers[this._epoch] ?? this._epoch,
              view: 'neuron'
            }
          ]
        : ['transformer.attention', { ...this._run.params, include_qk: true }];
      const run = await runAndWatch(this._host.api, task, params, {
        kernelId: this._run.kernel_id
      });
      found = run ? queriesAndKeys(attentionResultOf(run)) : {};
    }
    const [queries, keys] = await Promise.all([
      arrayOf(this._host.api, found.queries),
      arrayOf(this._host.api, found.keys)
    ]);
    if (!queries || !keys) {
      throw new Error(trans.__('the model gave no queries and keys'));
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
    const label = this._host.header.querySelector('.dlviz-epoch-label');
    if (label) {
      const epoch = this._epochNumbers[this._epoch] ?? this._epoch;
      const last = this._epochNumbers[this._epochNumbers.length - 1] ?? this._epoch;
      label.textContent =
        epoch === 0
          ? trans.__('Epoch 0 (before training)')
          : trans.__('Epoch %1 of %2', epoch, last);
    }
  }

  /** The token map of a trained run at the epoch shown (its own layer slider). */
  private async _showTrainedProjection(): Promise<void> {
    if (!this._projections || !this._run.result) {
      return;
    }
    const epoch = this._epoch;
    const coordinates = await this._projections.get(epoch);
    if (this._epoch !== epoch || this._kind !== 'projection') {
      return;
    }
    const result = attentionResultOf(this._run);
    const snapshots = 'snapshots' in result ? result.snapshots : null;
    const layers = coordinates.shape[0];
    const body = document.createElement('div');
    body.className = 'dlviz-view-scroll dlviz-projection-host';
    renderProjection(
      body,
      {
        tokens: result.tokens,
        sentence: result.sentence ?? [],
        layers: [
          trans.__('embeddings'),
          ...Array.from({ length: layers - 1 }, (_, i) => trans.__('layer %1', i + 1))
        ],
        coordinates,
        explainedVariance: snapshots?.explained_variance?.[epoch] ?? null
      },
      this._projectionLayer
    );
    const slider = body.querySelector<HTMLInputElement>('input.dlviz-projection-layer');
    slider?.addEventListener('input', () => (this._projectionLayer = Number(slider.value)));
    this.doc = '';
    this._host.frameHost.replaceChildren(body);
  }

  /** Draw (again) the picture with the current theme's colors, e.g. after a theme change. */
  redraw(): void {
    const kind = this._kind;
    const input = this._input;
    if (!input || kind === 'projection') {
      return;
    }
    void loadViewScripts(this._host.api, kind)
      .then(scripts => {
        if (this._kind !== kind) {
          return;
        }
        this.doc = viewDocument(
          kind,
          input,
          scripts,
          currentTheme(),
          `${KIND_LABELS[kind]}: ${this.title}`
        );
        this._host.frameHost.replaceChildren(
          createViewFrame(this.doc, trans.__('BertViz %1', viewNameInText(kind)))
        );
      })
      .catch(error =>
        this._host.showFrameMessage(trans.__('Cannot draw this run: %1', (error as Error).message))
      );
  }
}
