/**
 * The CNN explorer of a `cnn.train` run (or of a `cnn.inspect` run): the input and the
 * prediction first, then the feature maps of every layer, the filters, saliency and Grad-CAM,
 * the confusion matrix, the filters' selectivity and the model summary. An epoch slider scrubs
 * through the training; the input is an image of the data set, a drawing or an uploaded picture.
 * Filters come from the run's per-epoch snapshots at once; everything else comes from a
 * `cnn.inspect` run on the training run's kernel, posted whenever the epoch or the input changes.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi, IRun, TERMINAL_STATUSES } from '../api';
import { decodeArrays, NDArray } from '../arrays';
import {
  cellSize,
  classProfile,
  codeFor,
  drawingToPixels,
  filterOrder,
  formatCount,
  formatPercent,
  imageToPixels,
  inspectParams,
  maxAbs,
  rgbaToInk,
  rowShares,
  sequentialColor,
  divergingColor
} from '../cnnLogic';
import {
  cancelledEpochs,
  epochAt,
  modelGone,
  positionOf,
  RUN_GONE_MESSAGE,
  RunFailedError,
  snapshotEpochs
} from '../keptRuns';
import { dockRunView, runViewId } from './docked';
import { el, heatmap, overlayImage } from './draw';
import { IViewActions, section } from './monitorView';
import { RunNotices } from './notices';

/** What the explorer shows for one input at one epoch. */
type Input = { index: number } | { pixels: number[][]; origin: 'drawing' | 'upload' };

interface IDataset {
  name: string;
  classes: string[];
  size: number;
  input_shape: number[];
  pixel_range: [number, number];
}

const EXPLAIN = {
  overview:
    'A convolutional network looks at an image through many small filters. Each filter slides over ' +
    'the image and lights up where it finds its pattern, making a feature map; later layers combine ' +
    'those maps into bigger patterns, and the last layer turns them into a guess. Pick or draw an ' +
    'image and slide through the epochs to watch it learn.',
  input: 'Pick an image of the data set, draw your own digit, or upload a picture; “What the model sees” shows it at the data set’s size.',
  predictions: 'How sure the model is of each class for this image: the longest bar is its answer.',
  featureMaps:
    'What every layer makes of this image: one small map per filter. Bright means the filter found its ' +
    'pattern there. Click a map to see it larger with the filter that made it.',
  filters:
    'The weights of every filter, red for positive and blue for negative. Slide through the epochs to ' +
    'see them change from random noise into pattern detectors.',
  saliency:
    'Which pixels matter for the answer. Saliency: how much a small change of each pixel would change ' +
    'the score. Grad-CAM: where the last conv layer found evidence for the predicted class.',
  confusion:
    'Rows are the true classes, columns what the model answered, on the validation images: the ' +
    'diagonal holds the right answers, everything else shows which classes it mixes up.',
  selectivity:
    'Where and for which classes each filter fires on the validation images. Filters are ordered so ' +
    'similar ones sit side by side; dead filters (never fire) and redundant ones (fire like an ' +
    'earlier filter) are flagged.',
  summary: 'Every layer of the network, the shape of its output and how many numbers (parameters) it learns.'
};

/** The body of the explorer. */
export class CnnContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _abort = new AbortController();

  private _trainRun: IRun | null = null;
  private _trainRunId: string | null = null;
  private _kernelId: string | null = null;
  private _baseParams: { [key: string]: any } = {};
  private _dataset: IDataset | null = null;
  private _snapshots: { epochs: number[]; layers: { name: string; filters: NDArray }[] } | null = null;
  private _filterLimits: number[] = [];
  /** The real epoch at each slider position: the kept snapshots, or every finished epoch. */
  private _epochs: number[] = [0];
  private _lastEpoch = 0;
  private _epoch = 0;
  private _notices = new RunNotices();
  private _input: Input = { index: 0 };
  private _updates = 0;
  private _wanted: { epoch: number; input: Input } | null = null;
  private _busy = false;
  /** A cancelled training run: no snapshots, but its finished epochs can still be inspected. */
  private _cancelled = false;
  private _detail: { layer: number; channel: number } | null = null;

  private _message: HTMLElement;
  private _status: HTMLElement;
  private _slider: HTMLInputElement;
  private _sliderLabel: HTMLElement;
  private _insert: HTMLButtonElement;
  private _indexInput: HTMLInputElement;
  private _indexLabel: HTMLElement;
  private _drawCanvas: HTMLCanvasElement;
  private _preview: HTMLElement;
  private _predictions: HTMLElement;
  private _featureMaps: HTMLElement;
  private _filters: HTMLElement;
  private _saliency: HTMLElement;
  private _confusion: HTMLElement;
  private _selectivity: HTMLElement;
  private _summary: HTMLElement;
  private _facts: HTMLElement;
  private _body: HTMLElement;
  private _pickers: { index: HTMLElement; drawing: HTMLElement; upload: HTMLElement };

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-cnn-content');

    this._message = el('div', 'dlviz-view-message', 'Loading the network of this run…');
    this._status = el('span', 'dlviz-cnn-status');
    this._status.setAttribute('aria-live', 'polite');
    this._status.setAttribute('data-testid', 'dlviz-cnn-status');
    this._facts = el('div', 'dlviz-view-facts');

    // Epoch slider.
    this._slider = el('input', 'dlviz-slider');
    this._slider.type = 'range';
    this._slider.min = '0';
    this._slider.max = '0';
    this._slider.step = '1';
    this._slider.setAttribute('data-testid', 'dlviz-epoch-slider');
    this._slider.setAttribute('aria-label', 'Epoch');
    this._slider.oninput = () => this._onEpoch();
    this._sliderLabel = el('span', 'dlviz-slider-label');
    this._insert = el('button', 'jp-Button jp-mod-styled', 'Insert code');
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = 'Add a notebook cell that repeats this training run below the active cell';
    this._insert.onclick = () => this._onInsert();

    // Input pickers.
    this._indexInput = el('input', 'jp-mod-styled dlviz-index');
    this._indexInput.type = 'number';
    this._indexInput.min = '0';
    this._indexInput.setAttribute('data-testid', 'dlviz-image-index');
    this._indexInput.setAttribute('aria-label', 'Image number');
    this._indexInput.onchange = () => this._setInput({ index: Math.max(0, Math.floor(Number(this._indexInput.value) || 0)) });
    this._indexLabel = el('span', 'dlviz-muted');
    const random = el('button', 'jp-Button jp-mod-styled', 'Random');
    random.onclick = () => {
      const size = this._dataset?.size ?? 1;
      this._setInput({ index: Math.floor(Math.random() * size) });
    };
    this._drawCanvas = el('canvas', 'dlviz-draw-canvas');
    this._drawCanvas.width = 160;
    this._drawCanvas.height = 160;
    this._drawCanvas.setAttribute('data-testid', 'dlviz-draw-canvas');
    this._drawCanvas.setAttribute('aria-label', 'Draw a digit here');
    this._setupDrawing();
    const clear = el('button', 'jp-Button jp-mod-styled', 'Clear');
    clear.onclick = () => this._clearDrawing();
    const upload = el('input', 'dlviz-upload');
    upload.type = 'file';
    upload.accept = 'image/*';
    upload.setAttribute('data-testid', 'dlviz-upload');
    upload.onchange = () => {
      const file = upload.files && upload.files[0];
      if (file) {
        void this._onUpload(file);
      }
      upload.value = '';
    };
    this._preview = el('div', 'dlviz-preview');

    this._predictions = el('div', 'dlviz-predictions');
    this._predictions.setAttribute('data-testid', 'dlviz-predictions');
    this._featureMaps = el('div', 'dlviz-feature-maps');
    this._featureMaps.setAttribute('data-testid', 'dlviz-feature-maps');
    this._featureMaps.setAttribute('data-updated', '0');
    this._filters = el('div', 'dlviz-filters');
    this._filters.setAttribute('data-testid', 'dlviz-filters');
    this._saliency = el('div', 'dlviz-saliency');
    this._saliency.setAttribute('data-testid', 'dlviz-saliency');
    this._confusion = el('div', 'dlviz-confusion');
    this._confusion.setAttribute('data-testid', 'dlviz-confusion');
    this._selectivity = el('div', 'dlviz-selectivity');
    this._selectivity.setAttribute('data-testid', 'dlviz-selectivity');
    this._summary = el('div', 'dlviz-summary');
    this._summary.setAttribute('data-testid', 'dlviz-summary');

    this._pickers = {
      index: el('div', 'dlviz-picker'),
      drawing: el('div', 'dlviz-picker'),
      upload: el('div', 'dlviz-picker')
    };
    const pickers = el(
      'div',
      'dlviz-pickers',
      undefined,
      fill(
        this._pickers.index,
        el('strong', undefined, 'Image of the data set'),
        el('div', 'dlviz-row', undefined, this._indexInput, random),
        this._indexLabel
      ),
      fill(
        this._pickers.drawing,
        el('strong', undefined, 'Draw'),
        this._drawCanvas,
        el('div', 'dlviz-row', undefined, clear, el('span', 'dlviz-muted', 'Draw with the mouse'))
      ),
      fill(this._pickers.upload, el('strong', undefined, 'Upload a picture'), upload),
      el('div', 'dlviz-picker', undefined, el('strong', undefined, 'What the model sees'), this._preview)
    );

    const nav = el('nav', 'dlviz-nav');
    const sections: [string, HTMLElement][] = [];
    const add = (title: string, explanation: string, content: HTMLElement): HTMLElement => {
      const s = section(title, explanation, content);
      sections.push([title, s]);
      return s;
    };
    const top = el(
      'div',
      'dlviz-overview',
      undefined,
      add('Input', EXPLAIN.input, pickers),
      add('Prediction', EXPLAIN.predictions, this._predictions)
    );
    const rest = [
      add('Feature maps', EXPLAIN.featureMaps, this._featureMaps),
      add('Filters', EXPLAIN.filters, this._filters),
      add('Saliency and Grad-CAM', EXPLAIN.saliency, this._saliency),
      add('Confusion matrix', EXPLAIN.confusion, this._confusion),
      add('Filter selectivity', EXPLAIN.selectivity, this._selectivity),
      add('Model summary', EXPLAIN.summary, this._summary)
    ];
    for (const [title, node] of sections) {
      const chip = el('button', 'dlviz-chip', title);
      chip.onclick = () => {
        (node as HTMLDetailsElement).open = true;
        node.scrollIntoView({ behavior: 'smooth', block: 'start' });
      };
      nav.appendChild(chip);
    }
    const toolbar = el(
      'div',
      'dlviz-cnn-toolbar',
      undefined,
      el('span', 'dlviz-slider-title', 'Epoch'),
      this._slider,
      this._sliderLabel,
      this._insert,
      this._status
    );
    const header = el(
      'div',
      'dlviz-view-header',
      undefined,
      el('h3', 'dlviz-view-title', 'CNN explorer'),
      this._facts,
      el('p', 'dlviz-view-explanation', EXPLAIN.overview),
      nav
    );
    this._body = el('div', 'dlviz-cnn-body', undefined, top, ...rest);
    this._body.hidden = true;
    this.node.appendChild(
      el('div', 'dlviz-view-scroll', undefined, header, this._notices.node, toolbar, this._message, this._body)
    );
  }

  /** Times the feature maps were redrawn from a new inspect result. */
  get updates(): number {
    return this._updates;
  }

  dispose(): void {
    this._abort.abort();
    super.dispose();
  }

  /** Fetch the run and draw it. Resolves with the tab title to use. */
  async load(): Promise<string> {
    let run: IRun;
    try {
      run = await this._api.getRunWithArrays(this.runId);
    } catch (error) {
      this._showMessage(
        error instanceof ApiError && error.status === 404
          ? RUN_GONE_MESSAGE
          : `Cannot load this run: ${(error as Error).message}`
      );
      return 'CNN explorer';
    }
    this._kernelId = run.kernel_id;
    // The model lives in its kernel only: after a server restart the saved epochs are all there is.
    const trainRunId = run.task === 'cnn.inspect' ? run.result?.source?.run ?? null : run.id;
    const kernelGone = trainRunId ? this._notices.watchKernel(this._api, run.kernel_id, run.task) : Promise.resolve(false);
    if (!TERMINAL_STATUSES.includes(run.status)) {
      this._showMessage('This run is still going; the explorer fills in when it is done.');
      await this._waitFor(run.id);
      run = await this._api.getRunWithArrays(this.runId);
    }
    if (run.task === 'cnn.train' && run.status === 'cancelled') {
      // A cancelled run keeps its partial model: look at its last finished epoch.
      this._trainRunId = run.id;
      this._trainRun = run;
      try {
        const progress = run.progress ?? {};
        const current = typeof progress.epoch === 'number' ? progress.epoch : 0;
        this._lastEpoch = this._epoch = Math.max(0, progress.phase === 'epoch' ? current : current - 1);
        this._epochs = cancelledEpochs(this._lastEpoch, progress.snapshot_every);
        this._cancelled = true;
        if (await kernelGone) {
          // A cancelled run saved no snapshots: without its kernel there is nothing to show.
          this._showMessage(`${this._notices.kernelMessage} A cancelled run saves no epochs: train again from the DL Viz panel.`);
          return 'CNN (cancelled run)';
        }
        const first = (await this._inspect(inspectParams(run.id, this._epoch, { index: 0 }))) as { [key: string]: any };
        return this._show(first, 'CNN (cancelled run)');
      } catch (error) {
        if (modelGone(error)) {
          this._notices.markKernelGone();
          this._showMessage(`${this._notices.kernelMessage} A cancelled run saves no epochs: train again from the DL Viz panel.`);
        } else {
          this._showMessage(`This run was cancelled before its first epoch finished (${(error as Error).message}).`);
        }
        return 'CNN explorer';
      }
    }
    if (run.status !== 'succeeded' || !run.result) {
      this._showMessage(
        run.status === 'failed' ? `This run failed: ${run.error ?? 'no reason given'}` : `This run has no result (it is ${run.status}).`
      );
      return 'CNN explorer';
    }
    let first: { [key: string]: any };
    try {
      if (run.task === 'cnn.train') {
        this._useTraining(run);
        first = decodeArrays(run.result.final);
      } else {
        first = decodeArrays(run.result);
        this._dataset = first.dataset ?? null;
        const source = first.source ?? {};
        this._baseParams = { ...(run.params ?? {}) };
        if (source.run) {
          // An inspect run of a training run: scrub that run's epochs.
          try {
            const training = await this._api.getRunWithArrays(source.run);
            if (training.status === 'succeeded' && training.result) {
              this._useTraining(training);
            }
          } catch {
            this._trainRunId = source.run;
          }
          this._trainRunId = source.run;
        }
        this._epoch = typeof source.epoch === 'number' && source.epoch >= 0 ? source.epoch : this._lastEpoch;
        if (this._snapshots) {
          this._epoch = epochAt(this._epochs, positionOf(this._epochs, this._epoch));
        } else {
          this._epochs = [this._epoch];
        }
      }
    } catch (error) {
      this._showMessage(`Cannot read this run: ${(error as Error).message}`);
      return 'CNN explorer';
    }
    return this._show(first, `CNN: ${this._dataset?.name ?? 'explorer'}`);
  }

  /** Show the first inspect result and the controls; returns `title`. */
  private _show(first: { [key: string]: any }, title: string): string {
    this._dataset = this._dataset ?? first.dataset ?? null;
    const input = first.input ?? {};
    this._input = { index: typeof input.index === 'number' ? input.index : 0 };
    this._indexInput.value = String((this._input as { index: number }).index);
    this._markPicker();
    this._slider.max = String(Math.max(0, this._epochs.length - 1));
    this._slider.value = String(positionOf(this._epochs, this._epoch));
    this._slider.disabled = !this._snapshots && !this._cancelled;
    this._insert.style.display = this._trainRun ? '' : 'none';
    this._message.hidden = true;
    this._body.hidden = false;
    this._renderFacts();
    this._renderEpochLabel();
    this._renderFilters(first);
    this._apply(first);
    this._status.textContent = '';
    return title;
  }

  private _useTraining(run: IRun): void {
    const result = run.result as { [key: string]: any };
    this._trainRun = run;
    this._trainRunId = run.id;
    this._kernelId = run.kernel_id;
    this._dataset = result.dataset;
    this._lastEpoch = Number(result.epochs_completed ?? (result.history?.epoch ?? []).length);
    this._epoch = this._lastEpoch;
    this._epochs = [this._lastEpoch];
    this._notices.showKept(result);
    const snapshots = result.snapshots;
    if (snapshots && Array.isArray(snapshots.layers)) {
      const layers = snapshots.layers.map((layer: any) => ({
        name: String(layer.name),
        filters: decodeArrays(layer.filters) as NDArray
      }));
      this._snapshots = { epochs: snapshots.epochs ?? [], layers };
      // One colour scale per layer over all epochs, so a weight that grows looks stronger.
      this._filterLimits = layers.map((l: { filters: NDArray }) => maxAbs(l.filters.data));
      // A byte budget may have kept only every k-th epoch: the slider offers those and no others.
      this._epochs = snapshotEpochs(snapshots, layers[0] ? layers[0].filters.shape[0] : 0);
      if (this._epochs.length) {
        this._lastEpoch = this._epochs[this._epochs.length - 1];
      }
      this._epoch = this._lastEpoch;
    }
  }

  private async _waitFor(id: string): Promise<string | null> {
    try {
      const last = await this._api.watchRun(id, () => undefined, this._abort.signal);
      if (last && last.event === 'status' && TERMINAL_STATUSES.includes(last.data.status)) {
        return last.data.status;
      }
    } catch {
      // fall back to polling
    }
    while (!this._abort.signal.aborted) {
      const run = await this._api.getRunWithArrays(id);
      if (TERMINAL_STATUSES.includes(run.status)) {
        return run.status;
      }
      await new Promise(resolve => setTimeout(resolve, 300));
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // Controls

  private _onEpoch(): void {
    this._epoch = epochAt(this._epochs, Number(this._slider.value));
    this._renderEpochLabel();
    // Filters come from the snapshots: redraw them at once; the rest waits for the kernel.
    this._renderFilters(null);
    this._request();
  }

  private _setInput(input: Input): void {
    this._input = input;
    this._markPicker();
    if ('index' in input) {
      this._indexInput.value = String(input.index);
    } else {
      this._renderPreviewPixels(input.pixels);
    }
    this._request();
  }

  /** Mark the picker the current input comes from. */
  private _markPicker(): void {
    const active = 'index' in this._input ? 'index' : this._input.origin;
    for (const [name, node] of Object.entries(this._pickers)) {
      node.classList.toggle('dlviz-picker-active', name === active);
    }
  }

  private _setupDrawing(): void {
    const canvas = this._drawCanvas;
    let drawing = false;
    let last: [number, number] | null = null;
    const point = (event: PointerEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [
        ((event.clientX - rect.left) / Math.max(1, rect.width)) * canvas.width,
        ((event.clientY - rect.top) / Math.max(1, rect.height)) * canvas.height
      ];
    };
    const stroke = (to: [number, number]) => {
      const context = canvas.getContext('2d');
      if (!context) {
        return;
      }
      context.strokeStyle = '#fff';
      context.fillStyle = '#fff';
      context.lineCap = 'round';
      context.lineJoin = 'round';
      context.lineWidth = canvas.width / 7;
      context.beginPath();
      const from = last ?? to;
      context.moveTo(from[0], from[1]);
      context.lineTo(to[0] + (from === to ? 0.01 : 0), to[1]);
      context.stroke();
      last = to;
    };
    canvas.addEventListener('pointerdown', event => {
      drawing = true;
      last = null;
      canvas.setPointerCapture?.(event.pointerId);
      stroke(point(event));
      event.preventDefault();
    });
    canvas.addEventListener('pointermove', event => {
      if (drawing) {
        stroke(point(event));
      }
    });
    const end = () => {
      if (!drawing) {
        return;
      }
      drawing = false;
      last = null;
      this._onDrawn();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('pointerleave', end);
    this._clearDrawing(false);
  }

  private _clearDrawing(request = true): void {
    const context = this._drawCanvas.getContext && this._drawCanvas.getContext('2d');
    if (context) {
      context.fillStyle = '#000';
      context.fillRect(0, 0, this._drawCanvas.width, this._drawCanvas.height);
    }
    if (request && !('index' in this._input)) {
      this._setInput({ index: Number(this._indexInput.value) || 0 });
    }
  }

  private _inputSize(): [number, number] {
    const shape = this._dataset?.input_shape ?? [1, 8, 8];
    return [shape[shape.length - 2] ?? 8, shape[shape.length - 1] ?? 8];
  }

  /** A finished stroke: the drawing, downsampled to the data set's size, becomes the input. */
  private _onDrawn(): void {
    const context = this._drawCanvas.getContext('2d');
    if (!context) {
      return;
    }
    const { width, height } = this._drawCanvas;
    const ink = rgbaToInk(context.getImageData(0, 0, width, height).data, width, height);
    const [h, w] = this._inputSize();
    this._setInput({ pixels: drawingToPixels(ink, w, h), origin: 'drawing' });
  }

  private async _onUpload(file: File): Promise<void> {
    try {
      const url = URL.createObjectURL(file);
      const image = new Image();
      await new Promise<void>((resolve, reject) => {
        image.onload = () => resolve();
        image.onerror = () => reject(new Error('this file is not an image the browser can read'));
        image.src = url;
      });
      const scale = Math.min(1, 256 / Math.max(image.naturalWidth, image.naturalHeight));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      const ink = rgbaToInk(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
      const [h, w] = this._inputSize();
      this._setInput({ pixels: imageToPixels(ink, w, h), origin: 'upload' });
    } catch (error) {
      this._status.textContent = `Cannot use this picture: ${(error as Error).message}`;
    }
  }

  private _onInsert(): void {
    const run = this._trainRun;
    if (!run) {
      return;
    }
    const code = typeof run.result?.code === 'string' ? run.result.code : codeFor(run.task, run.params ?? {});
    this._actions.insertCode(code);
  }

  // -------------------------------------------------------------------------------------------
  // Asking the kernel

  /** Ask for the current epoch and input; only the latest wish is sent once the kernel is free. */
  private _request(): void {
    if (this._notices.kernelGone) {
      // No model to ask: the filters still follow the slider, from the saved snapshots.
      this._status.textContent = 'The kernel of this run is gone: only the saved filters follow the slider.';
      return;
    }
    this._wanted = { epoch: this._epoch, input: this._input };
    this.node.classList.add('dlviz-updating');
    this._status.textContent = 'Asking the kernel…';
    if (!this._busy) {
      void this._drain();
    }
  }

  private async _drain(): Promise<void> {
    this._busy = true;
    try {
      while (this._wanted && !this.isDisposed) {
        const wanted = this._wanted;
        this._wanted = null;
        const input = 'index' in wanted.input ? { index: wanted.input.index } : { pixels: wanted.input.pixels };
        let params: { [key: string]: any };
        if (this._trainRunId) {
          params = inspectParams(this._trainRunId, wanted.epoch, input);
        } else {
          const base = inspectParams('', -1, input);
          params = { ...this._baseParams, input: base.input };
        }
        try {
          const result = await this._inspect(params, () => this._wanted !== null);
          if (result) {
            this._apply(result);
            this._status.textContent = '';
          }
        } catch (error) {
          if (modelGone(error)) {
            this._wanted = null;
            this._notices.markKernelGone();
            this._status.textContent = 'The kernel of this run is gone: only the saved filters follow the slider.';
          } else {
            this._status.textContent = `The kernel could not look at this: ${(error as Error).message}`;
          }
        }
      }
    } finally {
      this._busy = false;
      this.node.classList.remove('dlviz-updating');
    }
  }

  /**
   * Run `cnn.inspect` on the training run's kernel and return its decoded result; null when
   * `stale()` says the learner moved on meanwhile. Throws with the kernel's reason on failure.
   */
  private async _inspect(params: { [key: string]: any }, stale: () => boolean = () => false): Promise<{ [key: string]: any } | null> {
    const created = await this._api.createRun('cnn.inspect', params, this._kernelId);
    const status = await this._waitFor(created.id);
    if (stale()) {
      return null; // skip a picture that is already out of date
    }
    const run = await this._api.getRunWithArrays(created.id);
    if (status !== 'succeeded' || !run.result) {
      throw new RunFailedError(run.error ?? `the inspect run was ${run.status}`, run.error_field ?? null, run.status);
    }
    return decodeArrays(run.result);
  }

  // -------------------------------------------------------------------------------------------
  // Drawing

  /** Draw everything an inspect result holds. */
  private _apply(result: { [key: string]: any }): void {
    if (!this._snapshots) {
      this._renderFilters(result);
    }
    this._renderPreview(result);
    this._renderPredictions(result);
    this._renderFeatureMaps(result);
    this._renderSaliency(result);
    this._renderConfusion(result);
    this._renderSelectivity(result);
    this._renderSummary(result);
    this._updates += 1;
    this._featureMaps.setAttribute('data-updated', String(this._updates));
  }

  private get _classes(): string[] {
    return this._dataset?.classes ?? [];
  }

  private _renderFacts(): void {
    const d = this._dataset;
    const items: [string, string][] = [];
    if (d) {
      items.push(['Data', `${d.name}, ${d.classes.length} classes, images ${d.input_shape.slice(1).join('×')}`]);
    }
    if (this._trainRun) {
      const history = this._trainRun.result?.history;
      const accuracy = history?.validation_accuracy?.[history.validation_accuracy.length - 1];
      items.push(['Epochs', this._cancelled ? `${this._lastEpoch} finished before cancelling` : String(this._lastEpoch)]);
      if (typeof accuracy === 'number') {
        items.push(['Validation accuracy', formatPercent(accuracy)]);
      }
    }
    this._facts.replaceChildren(
      ...items.map(([label, value]) =>
        el('span', 'dlviz-view-fact', undefined, el('strong', undefined, `${label}: `), document.createTextNode(value))
      )
    );
  }

  private _renderEpochLabel(): void {
    this._sliderLabel.textContent =
      !this._snapshots && !this._cancelled
        ? 'one model (no training run)'
        : this._epoch === 0
          ? 'before training (random weights)'
          : `after epoch ${this._epoch} of ${this._lastEpoch}` + (this._cancelled ? ' (training was cancelled)' : '');
  }

  private _renderPreviewPixels(pixels: number[][]): void {
    const h = pixels.length;
    const w = h ? pixels[0].length : 0;
    const flat = ([] as number[]).concat(...pixels);
    const canvas = heatmap(flat, h, w, { cell: cellSize(w, 128), mode: 'sequential', range: [0, 1], title: 'Your drawing, as the model gets it' });
    canvas.classList.add('dlviz-grey');
    paintGrey(canvas, flat, 0, 1);
    this._preview.replaceChildren(canvas, el('div', 'dlviz-muted', `${w}×${h} pixels`));
  }

  private _renderPreview(result: { [key: string]: any }): void {
    const image: NDArray | undefined = result.input?.image;
    if (!image) {
      return;
    }
    const [, h, w] = image.shape;
    const range = this._dataset?.pixel_range ?? [0, 1];
    const canvas = heatmap(image.data.subarray(0, h * w), h, w, { cell: cellSize(w, 128) });
    paintGrey(canvas, image.data.subarray(0, h * w), range[0], range[1]);
    const label = result.input?.label;
    const caption =
      typeof result.input?.index === 'number' && 'index' in this._input
        ? `Image ${result.input.index}` + (typeof label === 'number' ? `, labelled ${this._classes[label] ?? label}` : '')
        : 'Your picture';
    this._preview.replaceChildren(canvas, el('div', 'dlviz-muted', `${caption} · ${w}×${h} pixels, values ${range[0]}–${range[1]}`));
    this._indexLabel.textContent =
      'index' in this._input && typeof label === 'number' ? `True class: ${this._classes[label] ?? label}` : '';
  }

  private _renderPredictions(result: { [key: string]: any }): void {
    const probabilities: NDArray | undefined = result.probabilities;
    this._predictions.replaceChildren();
    if (!probabilities) {
      return;
    }
    const predicted: number = result.predicted;
    const label = 'index' in this._input ? result.input?.label : null;
    for (let i = 0; i < probabilities.size; i++) {
      const p = probabilities.data[i];
      const fill = el('div', 'dlviz-bar-fill' + (i === predicted ? ' dlviz-bar-predicted' : ''));
      fill.style.width = `${Math.max(0, Math.min(100, p * 100))}%`;
      const name = this._classes[i] ?? String(i);
      const row = el(
        'div',
        'dlviz-bar-row' + (i === label ? ' dlviz-bar-true' : ''),
        undefined,
        el('span', 'dlviz-bar-label', name),
        el('div', 'dlviz-bar', undefined, fill),
        el('span', 'dlviz-bar-value', formatPercent(p))
      );
      row.title = `${name}: ${formatPercent(p)}` + (i === label ? ' (the true class)' : '');
      this._predictions.appendChild(row);
    }
    const answer = this._classes[predicted] ?? String(predicted);
    const verdict =
      typeof label === 'number'
        ? label === predicted
          ? `Right: the model answers ${answer}.`
          : `Wrong: the model answers ${answer}, the image is a ${this._classes[label] ?? label}.`
        : `The model answers ${answer}.`;
    this._predictions.appendChild(el('p', 'dlviz-verdict', verdict));
  }

  private _renderFeatureMaps(result: { [key: string]: any }): void {
    const activations: { name: string; type: string; maps: NDArray }[] = result.activations ?? [];
    this._featureMaps.replaceChildren();
    activations.forEach((activation, layerIndex) => {
      const maps = activation.maps;
      const [channels, h, w] = maps.shape;
      const area = h * w;
      // One scale per layer, so the maps of a layer compare; signed layers get the diverging map.
      let negative = false;
      for (let i = 0; i < maps.size; i++) {
        if (maps.data[i] < 0) {
          negative = true;
          break;
        }
      }
      const limit = maxAbs(maps.data);
      const row = el('div', 'dlviz-map-row');
      const shown = Math.min(channels, 64);
      for (let c = 0; c < shown; c++) {
        const values = maps.data.subarray(c * area, (c + 1) * area);
        const canvas = heatmap(values, h, w, {
          cell: cellSize(w),
          mode: negative ? 'diverging' : 'sequential',
          limit,
          range: [0, limit || 1],
          title: `${activation.name}, map ${c}`
        });
        canvas.tabIndex = 0;
        canvas.onclick = () => {
          this._detail = { layer: layerIndex, channel: c };
          this._renderDetail(result, detailBox);
        };
        row.appendChild(canvas);
      }
      const detailBox = el('div', 'dlviz-map-detail');
      const title = el(
        'div',
        'dlviz-map-title',
        undefined,
        el('strong', undefined, activation.name),
        el('span', 'dlviz-muted', ` ${activation.type} · ${channels} maps of ${h}×${w}` + (shown < channels ? ` (first ${shown} shown)` : ''))
      );
      this._featureMaps.appendChild(el('div', 'dlviz-map-layer', undefined, title, row, detailBox));
      if (this._detail && this._detail.layer === layerIndex) {
        this._renderDetail(result, detailBox);
      }
    });
    if (!activations.length) {
      this._featureMaps.appendChild(el('p', 'dlviz-muted', 'No feature maps in this result.'));
    }
  }

  /** A feature map, large, with its values and (for a conv layer) the filter that made it. */
  private _renderDetail(result: { [key: string]: any }, box: HTMLElement): void {
    const detail = this._detail;
    box.replaceChildren();
    if (!detail) {
      return;
    }
    const activation = result.activations?.[detail.layer];
    if (!activation || detail.channel >= activation.maps.shape[0]) {
      return;
    }
    const [, h, w] = activation.maps.shape;
    const values: Float32Array = activation.maps.data.subarray(detail.channel * h * w, (detail.channel + 1) * h * w);
    const limit = maxAbs(activation.maps.data);
    const negative = Array.prototype.some.call(activation.maps.data, (v: number) => v < 0);
    const big = heatmap(values, h, w, { cell: cellSize(w, 160), mode: negative ? 'diverging' : 'sequential', limit, range: [0, limit || 1] });
    const table = el('table', 'dlviz-numbers');
    if (w <= 16) {
      for (let y = 0; y < h; y++) {
        const tr = el('tr');
        for (let x = 0; x < w; x++) {
          tr.appendChild(el('td', undefined, values[y * w + x].toFixed(2)));
        }
        table.appendChild(tr);
      }
    }
    const parts: Node[] = [el('figure', 'dlviz-figure', undefined, big, el('figcaption', undefined, `${activation.name}, map ${detail.channel}`)), table];
    const conv = (result.layers ?? []).find((l: any) => l.name === activation.name);
    if (conv && conv.filters) {
      const [, inC, kh, kw] = conv.filters.shape;
      const weights = conv.filters.data.subarray(detail.channel * inC * kh * kw, (detail.channel + 1) * inC * kh * kw);
      parts.push(
        el(
          'figure',
          'dlviz-figure',
          undefined,
          filterTile(weights, inC, kh, kw, maxAbs(conv.filters.data), 12),
          el('figcaption', undefined, `the filter that made it (${inC} input channel${inC > 1 ? 's' : ''} of ${kh}×${kw})`)
        )
      );
    }
    const close = el('button', 'jp-Button jp-mod-styled jp-mod-minimal', 'Close');
    close.onclick = () => {
      this._detail = null;
      box.replaceChildren();
    };
    parts.push(close);
    box.replaceChildren(...parts);
  }

  /** Filters per conv layer: from the snapshots at the slider's epoch, else from a result. */
  private _renderFilters(result: { [key: string]: any } | null): void {
    let layers: { name: string; weights: Float32Array; shape: number[]; limit: number }[] = [];
    if (this._snapshots) {
      const at = positionOf(this._epochs, this._epoch);
      layers = this._snapshots.layers.map((layer, i) => {
        const slice = layer.filters.slice(at);
        return { name: layer.name, weights: slice.data as Float32Array, shape: slice.shape, limit: this._filterLimits[i] };
      });
    } else if (result) {
      layers = (result.layers ?? []).map((layer: any) => ({
        name: layer.name,
        weights: layer.filters.data,
        shape: layer.filters.shape,
        limit: maxAbs(layer.filters.data)
      }));
    } else {
      return;
    }
    this._filters.replaceChildren();
    for (const layer of layers) {
      const [out, inC, kh, kw] = layer.shape;
      const grid = el('div', 'dlviz-filter-grid');
      const size = inC * kh * kw;
      const cell = Math.max(3, Math.round(56 / (Math.ceil(Math.sqrt(inC)) * (kw + 1))));
      for (let f = 0; f < out; f++) {
        const tile = filterTile(layer.weights.subarray(f * size, (f + 1) * size), inC, kh, kw, layer.limit, cell);
        tile.title = `${layer.name}, filter ${f}`;
        grid.appendChild(tile);
      }
      this._filters.appendChild(
        el(
          'div',
          'dlviz-map-layer',
          undefined,
          el(
            'div',
            'dlviz-map-title',
            undefined,
            el('strong', undefined, layer.name),
            el('span', 'dlviz-muted', ` ${out} filters, each ${inC} × ${kh}×${kw} weights; colour scale ±${layer.limit.toPrecision(2)}`)
          ),
          grid
        )
      );
    }
    this._filters.appendChild(colorKey());
  }

  private _renderSaliency(result: { [key: string]: any }): void {
    this._saliency.replaceChildren();
    const image: NDArray | undefined = result.input?.image;
    if (!image) {
      return;
    }
    const [, h, w] = image.shape;
    const pixels = image.data.subarray(0, h * w);
    const cell = cellSize(w, 128);
    const figures: Node[] = [el('figure', 'dlviz-figure', undefined, overlayImage(pixels, h, w, null, cell), el('figcaption', undefined, 'the input'))];
    const saliency: NDArray | undefined = result.saliency;
    if (saliency) {
      figures.push(
        el(
          'figure',
          'dlviz-figure',
          undefined,
          heatmap(saliency.data, saliency.shape[0], saliency.shape[1], { cell: cellSize(saliency.shape[1], 128) }),
          el('figcaption', undefined, 'saliency')
        )
      );
    }
    const cam = result.grad_cam;
    if (cam && cam.upsampled) {
      figures.push(
        el(
          'figure',
          'dlviz-figure',
          undefined,
          overlayImage(pixels, h, w, cam.upsampled.data, cell),
          el('figcaption', undefined, `Grad-CAM for “${this._classes[cam.class] ?? cam.class}” on ${cam.layer}`)
        )
      );
      if (cam.map) {
        figures.push(
          el(
            'figure',
            'dlviz-figure',
            undefined,
            heatmap(cam.map.data, cam.map.shape[0], cam.map.shape[1], { cell: cellSize(cam.map.shape[1], 128), range: [0, 1] }),
            el('figcaption', undefined, `Grad-CAM at ${cam.map.shape[0]}×${cam.map.shape[1]}`)
          )
        );
      }
    } else {
      figures.push(el('p', 'dlviz-muted', 'No Grad-CAM: the model has no conv layer.'));
    }
    this._saliency.appendChild(el('div', 'dlviz-figure-row', undefined, ...figures));
  }

  private _renderConfusion(result: { [key: string]: any }): void {
    this._confusion.replaceChildren();
    const confusion = result.confusion;
    if (!confusion || !confusion.matrix) {
      return;
    }
    const matrix: NDArray = confusion.matrix;
    const n = matrix.shape[0];
    const shares = rowShares(matrix.data, n);
    const table = el('table', 'dlviz-confusion-table');
    const head = el('tr', undefined, undefined, el('th', 'dlviz-corner', 'true ↓ / answer →'));
    for (let c = 0; c < n; c++) {
      head.appendChild(el('th', undefined, this._classes[c] ?? String(c)));
    }
    table.appendChild(head);
    for (let r = 0; r < n; r++) {
      const tr = el('tr', undefined, undefined, el('th', undefined, this._classes[r] ?? String(r)));
      for (let c = 0; c < n; c++) {
        const count = matrix.data[r * n + c];
        const td = el('td', r === c ? 'dlviz-diagonal' : undefined, count ? String(count) : '');
        const [red, green, blue] = sequentialColor(shares[r][c], 0, 1);
        td.style.background = count ? `rgb(${red}, ${green}, ${blue})` : '';
        td.style.color = shares[r][c] > 0.6 ? '#000' : '#fff';
        td.title = `true ${this._classes[r] ?? r}, answered ${this._classes[c] ?? c}: ${count} images (${formatPercent(shares[r][c])} of that class)`;
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    this._confusion.appendChild(table);
    this._confusion.appendChild(
      el('p', 'dlviz-muted', `Accuracy ${formatPercent(confusion.accuracy)} on ${confusion.samples} validation images.`)
    );
  }

  private _renderSelectivity(result: { [key: string]: any }): void {
    this._selectivity.replaceChildren();
    const layers: any[] = result.selectivity ?? [];
    const classes = this._classes;
    for (const layer of layers) {
      const occurrence: NDArray = layer.occurrence;
      const classOccurrence: NDArray = layer.class_occurrence;
      const [count, h, w] = occurrence.shape;
      const nClasses = classOccurrence.shape[1];
      const order = filterOrder(layer.order, count);
      const grid = el('div', 'dlviz-selectivity-grid');
      let deadCount = 0;
      let redundantCount = 0;
      for (const f of order) {
        const dead = !!layer.dead?.[f];
        const twin = layer.redundant_with?.[f];
        deadCount += dead ? 1 : 0;
        redundantCount += typeof twin === 'number' ? 1 : 0;
        const card = el('div', 'dlviz-filter-card' + (dead ? ' dlviz-dead' : typeof twin === 'number' ? ' dlviz-redundant' : ''));
        card.appendChild(el('div', 'dlviz-filter-card-title', `#${f}`));
        card.appendChild(
          heatmap(occurrence.data.subarray(f * h * w, (f + 1) * h * w), h, w, {
            cell: cellSize(w, 40),
            range: [0, 1],
            title: `filter ${f}: share of images that make it fire at each place`
          })
        );
        const profile = classProfile(classOccurrence.data, f, nClasses, h * w);
        const peak = Math.max(1e-9, ...profile);
        const bars = el('div', 'dlviz-class-bars');
        profile.forEach((v, c) => {
          const bar = el('span', 'dlviz-class-bar');
          bar.style.height = `${Math.round((v / peak) * 100)}%`;
          bar.title = `${classes[c] ?? c}: fires on ${formatPercent(v)} of places`;
          bars.appendChild(bar);
        });
        card.appendChild(bars);
        const best = profile.indexOf(Math.max(...profile));
        card.appendChild(
          el(
            'div',
            'dlviz-filter-card-note',
            dead ? 'dead' : typeof twin === 'number' ? `like #${twin}` : `most for ${classes[best] ?? best}`
          )
        );
        grid.appendChild(card);
      }
      const notes: string[] = [`${layer.samples} validation images; fires = ${layer.response_layer} above 0`];
      if (deadCount) {
        notes.push(`${deadCount} dead filter${deadCount > 1 ? 's' : ''}`);
      }
      if (redundantCount) {
        notes.push(`${redundantCount} redundant`);
      }
      const similarity: NDArray | undefined = layer.similarity;
      let simCanvas: Node | null = null;
      if (similarity) {
        const ordered = new Float32Array(count * count);
        order.forEach((a, i) => order.forEach((b, j) => (ordered[i * count + j] = similarity.data[a * count + b])));
        simCanvas = el(
          'figure',
          'dlviz-figure',
          undefined,
          heatmap(ordered, count, count, { cell: cellSize(count, 120), range: [0, 1] }),
          el('figcaption', undefined, 'similarity of the filters, in the same order')
        );
      }
      this._selectivity.appendChild(
        el(
          'div',
          'dlviz-map-layer',
          undefined,
          el('div', 'dlviz-map-title', undefined, el('strong', undefined, layer.name), el('span', 'dlviz-muted', ` ${notes.join(' · ')}`)),
          el('div', 'dlviz-figure-row', undefined, grid, simCanvas)
        )
      );
    }
  }

  private _renderSummary(result: { [key: string]: any }): void {
    this._summary.replaceChildren();
    const summary = result.summary;
    if (!summary) {
      return;
    }
    const table = el('table', 'dlviz-summary-table');
    table.appendChild(el('tr', undefined, undefined, el('th', undefined, 'Layer'), el('th', undefined, 'Type'), el('th', undefined, 'Output shape'), el('th', undefined, 'Parameters')));
    for (const layer of summary.layers ?? []) {
      table.appendChild(
        el(
          'tr',
          undefined,
          undefined,
          el('td', undefined, layer.name),
          el('td', undefined, layer.type),
          el('td', undefined, (layer.output_shape ?? []).join(' × ')),
          el('td', 'dlviz-number', formatCount(layer.parameters ?? 0))
        )
      );
    }
    table.appendChild(
      el('tr', 'dlviz-total', undefined, el('td', undefined, 'Total'), el('td'), el('td'), el('td', 'dlviz-number', formatCount(summary.total_parameters ?? 0)))
    );
    this._summary.appendChild(table);
  }

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = false;
    this._body.hidden = true;
  }
}

/** Append children to an element and return it. */
function fill(node: HTMLElement, ...children: Node[]): HTMLElement {
  for (const child of children) {
    node.appendChild(child);
  }
  return node;
}

/** Repaint a heat map canvas in grey (an input image: dark background, light ink). */
function paintGrey(canvas: HTMLCanvasElement, values: ArrayLike<number>, low: number, high: number): void {
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return;
  }
  const image = context.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const t = high > low ? Math.max(0, Math.min(1, (values[i] - low) / (high - low))) : 0;
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = Math.round(t * 255);
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** One filter: its input channels as kh x kw tiles in a square grid, diverging colours. */
function filterTile(weights: ArrayLike<number>, inC: number, kh: number, kw: number, limit: number, cell: number): HTMLCanvasElement {
  const cols = Math.ceil(Math.sqrt(inC));
  const rows = Math.ceil(inC / cols);
  const width = cols * (kw + 1) - 1;
  const height = rows * (kh + 1) - 1;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * cell}px`;
  canvas.style.height = `${height * cell}px`;
  canvas.className = 'dlviz-heatmap dlviz-filter';
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return canvas;
  }
  const image = context.createImageData(width, height); // gaps stay transparent
  for (let c = 0; c < inC; c++) {
    const ox = (c % cols) * (kw + 1);
    const oy = Math.floor(c / cols) * (kh + 1);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const [r, g, b] = divergingColor(weights[(c * kh + y) * kw + x], limit);
        const p = 4 * ((oy + y) * width + ox + x);
        image.data[p] = r;
        image.data[p + 1] = g;
        image.data[p + 2] = b;
        image.data[p + 3] = 255;
      }
    }
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** The key of the diverging colour map. */
function colorKey(): HTMLElement {
  const values = Array.from({ length: 41 }, (_, i) => i / 20 - 1);
  const canvas = heatmap(values, 1, values.length, { mode: 'diverging', limit: 1, cell: 4 });
  canvas.style.height = '10px';
  return el('div', 'dlviz-color-key', undefined, el('span', undefined, 'negative'), canvas, el('span', undefined, 'positive'));
}

export type CnnView = MainAreaWidget<CnnContent>;

/** The DOM id of a run's explorer. */
export function cnnViewId(runId: string): string {
  return runViewId('cnn', runId);
}

/** The explorer of one run; it starts loading at once. */
export function createCnnView(api: DlvizApi, runId: string, actions: IViewActions): CnnView {
  return dockRunView(new CnnContent(api, runId, actions), {
    id: cnnViewId(runId),
    className: 'dlviz-cnn-view',
    label: 'CNN explorer',
    caption: `CNN explorer of run ${runId}`
  });
}
