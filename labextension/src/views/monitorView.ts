/**
 * The training monitor of a `cnn.train` run: a progress bar and live loss and accuracy curves fed
 * by the run's progress events (one point per finished epoch), a Cancel button, and, once the run
 * succeeded, per-layer gradient norms, weight histograms per epoch, dead ReLU units and the
 * kernel's plain-language warnings.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi, IRun, RunEvent, TERMINAL_STATUSES } from '../api';
import {
  addProgress,
  codeFor,
  curvesFromHistory,
  emptyCurves,
  epochAxisMax,
  formatPercent,
  formatSeconds,
  histogramBars,
  ICurves,
  trainingLine
} from '../cnnLogic';
import { RUN_GONE_MESSAGE } from '../keptRuns';
import { isWaiting, progressFraction } from '../logic';
import { dockRunView, runViewId } from './docked';
import { drawChart, el, legend, SERIES_COLORS, svgEl } from './draw';
import { RunNotices } from './notices';

/** What the views ask of the application: notebook cells and other views. */
export interface IViewActions {
  /** Add a cell with `code` below the active cell of the current notebook (or copy it). */
  insertCode(code: string): void;
  /** Open the explorer of a training (or inspect) run: the CNN explorer, or the attention view of a transformer.train run. */
  openExplorer(runId: string, task?: string): void;
}

const EXPLANATION =
  'Loss says how wrong the model still is (lower is better); accuracy is the share of images it ' +
  'gets right. The training curve is measured on the images it learns from, the validation curve ' +
  'on images it never sees: when validation loss rises while training loss keeps falling (the ' +
  'shaded gap widens), the model is memorising instead of learning (overfitting).';

const TRAIN_COLOR = 'var(--jp-brand-color1, #1976d2)';
const VALIDATION_COLOR = 'var(--jp-warn-color1, #f57c00)';

/** The body of the monitor. */
export class MonitorContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _curves: ICurves = emptyCurves();
  private _epochs = 0;
  private _run: IRun | null = null;
  private _abort = new AbortController();
  private _result: { [key: string]: any } | null = null;
  private _notices = new RunNotices();

  private _progress: HTMLProgressElement;
  private _line: HTMLElement;
  private _cancel: HTMLButtonElement;
  private _insert: HTMLButtonElement;
  private _explore: HTMLButtonElement;
  private _lossChart: SVGElement;
  private _accuracyChart: SVGElement;
  private _details: HTMLElement;
  private _warnings: HTMLElement;

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-monitor-content');

    this._progress = el('progress', 'dlviz-progress');
    this._progress.max = 1;
    this._progress.setAttribute('data-testid', 'dlviz-monitor-progress');
    this._line = el('div', 'dlviz-monitor-line', 'Waiting for the kernel…');
    this._line.setAttribute('aria-live', 'polite');
    this._line.setAttribute('data-testid', 'dlviz-monitor-status');
    this._cancel = el('button', 'jp-Button jp-mod-styled jp-mod-reject', 'Cancel training');
    this._cancel.setAttribute('data-testid', 'dlviz-monitor-cancel');
    this._cancel.onclick = () => void this._onCancel();
    this._insert = el('button', 'jp-Button jp-mod-styled', 'Insert code');
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = 'Add a notebook cell that repeats this run below the active cell';
    this._insert.onclick = () => this._onInsert();
    this._explore = el('button', 'jp-Button jp-mod-styled jp-mod-accept', 'Open CNN explorer');
    this._explore.disabled = true;
    this._explore.onclick = () => this._actions.openExplorer(this.runId, this._run?.task);

    this._lossChart = svgEl('svg', { class: 'dlviz-chart', role: 'img', 'aria-label': 'Loss per epoch' });
    this._lossChart.setAttribute('data-testid', 'dlviz-loss-chart');
    this._lossChart.setAttribute('data-points', '0');
    this._accuracyChart = svgEl('svg', { class: 'dlviz-chart', role: 'img', 'aria-label': 'Accuracy per epoch' });
    this._accuracyChart.setAttribute('data-testid', 'dlviz-accuracy-chart');
    this._warnings = el('div', 'dlviz-warnings');
    this._warnings.setAttribute('role', 'status');
    this._details = el('div', 'dlviz-monitor-details');

    const header = el(
      'div',
      'dlviz-view-header',
      undefined,
      el('h3', 'dlviz-view-title', 'Training monitor'),
      el('p', 'dlviz-view-explanation', EXPLANATION)
    );
    const controls = el('div', 'dlviz-monitor-controls', undefined, this._progress, this._cancel, this._insert, this._explore);
    const series = [
      { label: 'training', color: TRAIN_COLOR },
      { label: 'validation', color: VALIDATION_COLOR, dashed: true }
    ];
    const charts = el(
      'div',
      'dlviz-chart-row',
      undefined,
      el('figure', 'dlviz-figure', undefined, this._lossChart as unknown as Node, legend(series, 'overfitting gap')),
      el('figure', 'dlviz-figure', undefined, this._accuracyChart as unknown as Node, legend(series))
    );
    const body = el(
      'div',
      'dlviz-view-scroll',
      undefined,
      header,
      this._notices.node,
      controls,
      this._line,
      charts,
      this._warnings,
      this._details
    );
    this.node.appendChild(body);
    this._drawCurves();
  }

  /** Start following the run (or draw it, when it is over). Resolves with the tab title. */
  async load(): Promise<string> {
    let run: IRun;
    try {
      run = await this._api.getRunWithArrays(this.runId);
    } catch (error) {
      this._line.textContent =
        error instanceof ApiError && error.status === 404 ? RUN_GONE_MESSAGE : `Cannot load this run: ${(error as Error).message}`;
      this._setStatus('failed');
      return 'Training monitor';
    }
    this._run = run;
    this._epochs = Number(run.params?.training?.epochs ?? run.params?.epochs ?? 0);
    this._setTask(run.task);
    if (TERMINAL_STATUSES.includes(run.status)) {
      this._finish(run);
    } else {
      this._setStatus(run.status);
      if (run.progress) {
        this._onProgress(run.progress);
      }
      void this._follow();
    }
    return `Training ${this.runId.slice(0, 6)}`;
  }

  /** Points drawn on the loss chart (one per finished epoch). */
  get points(): number {
    return this._curves.epoch.length;
  }

  dispose(): void {
    this._abort.abort();
    super.dispose();
  }

  private async _follow(): Promise<void> {
    try {
      await this._api.watchRun(
        this.runId,
        (event: RunEvent) => {
          if (event.event === 'progress') {
            this._onProgress(event.data);
          } else {
            this._setStatus(event.data.status);
          }
        },
        this._abort.signal
      );
    } catch {
      if (this._abort.signal.aborted) {
        return;
      }
    }
    // Over (or the stream broke): read the run until it is over.
    while (!this._abort.signal.aborted) {
      try {
        const run = await this._api.getRunWithArrays(this.runId);
        if (TERMINAL_STATUSES.includes(run.status)) {
          this._finish(run);
          return;
        }
        if (run.progress) {
          this._onProgress(run.progress);
        }
      } catch (error) {
        this._line.textContent = `Lost track of the run: ${(error as Error).message}`;
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }

  private _onProgress(event: { [key: string]: any }): void {
    if (typeof event.epochs === 'number') {
      this._epochs = event.epochs;
    }
    const fraction = progressFraction(event);
    if (fraction !== null) {
      this._progress.value = fraction;
    }
    // Queued behind a notebook cell: say so in words, not with a bar that never moves.
    const waiting = isWaiting(this.node.dataset.status ?? 'queued', event);
    this._line.classList.toggle('dlviz-waiting', waiting);
    this._line.textContent = trainingLine(event);
    const before = this._curves;
    this._curves = addProgress(this._curves, event);
    if (this._curves !== before) {
      this._drawCurves();
    }
  }

  /** A run without accuracy (transformer.train): no accuracy chart, and its explorer is the attention view. */
  private _setTask(task: string): void {
    const transformer = task.startsWith('transformer.');
    this.node.dataset.task = task;
    const figure = this._accuracyChart.parentElement;
    if (figure) {
      figure.style.display = transformer ? 'none' : '';
    }
    if (transformer) {
      this._explore.textContent = 'Open attention view';
    }
  }

  private _setStatus(status: string): void {
    this.node.dataset.status = status;
    if (status !== 'queued' && this._line.classList.contains('dlviz-waiting')) {
      this._line.classList.remove('dlviz-waiting');
      this._line.textContent = status === 'running' ? 'The kernel took the run: starting…' : '';
    }
    const over = TERMINAL_STATUSES.includes(status as any);
    this._cancel.disabled = over;
    // `hidden` loses to the button's own display rule: hide it with a style.
    this._cancel.style.display = over ? 'none' : '';
  }

  private _finish(run: IRun): void {
    this._run = run;
    this._setStatus(run.status);
    if (run.status === 'succeeded' || run.status === 'cancelled') {
      // The trained model lives in its kernel only; the saved curves and epochs live on.
      void this._notices.watchKernel(this._api, run.kernel_id, run.task);
    }
    if (run.status === 'succeeded' && run.result) {
      this._result = run.result;
      this._notices.showKept(run.result);
      const history = run.result.history;
      this._curves = curvesFromHistory(history);
      this._epochs = Math.max(this._epochs, this._curves.epoch.length);
      this._progress.value = 1;
      const seconds = formatSeconds(run.result.seconds);
      const last = lastNumber(this._curves.validation_accuracy);
      const lastLoss = lastNumber(this._curves.validation_loss);
      const score =
        last !== null
          ? `validation accuracy ${formatPercent(last)}`
          : lastLoss !== null
            ? `loss ${lastLoss.toFixed(3)}`
            : 'no loss reported';
      this._line.textContent =
        `Trained ${run.result.epochs_completed} epochs in ${seconds}; ${score}.` +
        (run.result.stopped_early ? ` Stopped early: ${run.result.stopped_early}` : '');
      this._drawCurves();
      this._drawWarnings(run.result.warnings ?? []);
      this._drawDetails(run.result.monitor ?? null);
      this._explore.disabled = false;
    } else if (run.status === 'cancelled') {
      // The run ends here: the axis ends at its last finished epoch.
      this._epochs = this._curves.epoch.length;
      this._drawCurves();
      this._line.textContent =
        `Training was cancelled after ${this._curves.epoch.length} finished epochs. The partial model is ` +
        `kept in the kernel: dlviz_kernel.get_model('${this.runId}').`;
      this._explore.disabled = this._curves.epoch.length === 0;
    } else if (run.status === 'failed') {
      this._line.textContent = `Training failed: ${run.error ?? 'no reason given'}`;
    }
  }

  private _drawCurves(): void {
    const c = this._curves;
    const xDomain: [number, number] = [1, epochAxisMax(c.epoch.length, this._epochs)];
    drawChart(
      this._lossChart,
      c.epoch,
      [
        { label: 'training loss', values: c.train_loss, color: TRAIN_COLOR },
        { label: 'validation loss', values: c.validation_loss, color: VALIDATION_COLOR, dashed: true }
      ],
      { title: 'Loss', gap: [1, 0], xDomain }
    );
    drawChart(
      this._accuracyChart,
      c.epoch,
      [
        { label: 'training accuracy', values: c.train_accuracy, color: TRAIN_COLOR },
        { label: 'validation accuracy', values: c.validation_accuracy, color: VALIDATION_COLOR, dashed: true }
      ],
      { title: 'Accuracy', yDomain: [0, 1], percent: true, xDomain }
    );
    this._lossChart.setAttribute('data-points', String(c.epoch.length));
  }

  private _drawWarnings(warnings: { kind: string; epoch: number; layer: string | null; message: string }[]): void {
    this._warnings.replaceChildren();
    if (!warnings.length) {
      this._warnings.appendChild(
        el('p', 'dlviz-ok', 'No warnings: gradients stayed in a healthy range and no layer has many dead units.')
      );
      return;
    }
    for (const w of warnings) {
      const item = el('div', `dlviz-warning dlviz-warning-${w.kind}`);
      item.appendChild(el('strong', undefined, `${WARNING_TITLES[w.kind] ?? w.kind} (epoch ${w.epoch}${w.layer ? `, ${w.layer}` : ''}): `));
      item.appendChild(document.createTextNode(w.message));
      this._warnings.appendChild(item);
    }
  }

  private _drawDetails(monitor: { [key: string]: any } | null): void {
    this._details.replaceChildren();
    if (!monitor) {
      return;
    }
    const epochs = this._curves.epoch;
    // Gradient norms per layer, log scale: vanishing ones sink, exploding ones shoot up.
    const layers: string[] = monitor.layers ?? [];
    const norms: (number | null)[][] = monitor.gradient_norms ?? [];
    const gradChart = svgEl('svg', { class: 'dlviz-chart', 'data-testid': 'dlviz-gradient-chart' });
    const gradSeries = layers.map((name, k) => ({
      label: name,
      values: norms.map(row => (row ? row[k] : null)),
      color: SERIES_COLORS[k % SERIES_COLORS.length]
    }));
    drawChart(gradChart, epochs, gradSeries, { title: 'Gradient norm per layer (log scale)', log: true, width: 420, height: 220 });
    this._details.appendChild(
      section(
        'Gradients',
        'How strongly each layer is pushed at each step. Lines far below the others (under about ' +
          '0.0001) mean the layer barely learns (vanishing gradients); lines shooting up mean steps ' +
          'that are too big (exploding gradients): lower the learning rate.',
        el('figure', 'dlviz-figure', undefined, gradChart as unknown as Node, legend(gradSeries))
      )
    );

    // Weight histograms and dead units, per epoch with a slider.
    const histograms: { layer: string; edges: number[][]; counts: number[][] }[] = monitor.weight_histograms ?? [];
    const dead: number[][] = monitor.dead_units ?? [];
    const activationLayers: string[] = monitor.activation_layers ?? [];
    const last = epochs.length;
    const slider = el('input', 'dlviz-slider');
    slider.type = 'range';
    slider.min = '0';
    slider.max = String(last);
    slider.value = String(last);
    slider.setAttribute('aria-label', 'Epoch of the weight histograms');
    const sliderLabel = el('span', 'dlviz-slider-label');
    const grid = el('div', 'dlviz-histograms');
    const deadBox = el('div', 'dlviz-dead-units');
    const draw = () => {
      const k = Number(slider.value);
      sliderLabel.textContent = k === 0 ? 'before training' : `after epoch ${k}`;
      grid.replaceChildren();
      for (const h of histograms) {
        const edges = h.edges[k];
        const counts = h.counts[k];
        if (!edges || !counts) {
          continue;
        }
        const svg = svgEl('svg', { class: 'dlviz-histogram', viewBox: '0 0 160 70', width: 160, height: 84 });
        for (const bar of histogramBars(edges, counts, 160, 60)) {
          svg.appendChild(svgEl('rect', { x: bar.x, y: bar.y, width: Math.max(0.5, bar.width - 0.5), height: bar.height, class: 'dlviz-histogram-bar' }));
        }
        const lo = svgEl('text', { x: 0, y: 69, class: 'dlviz-chart-tick' });
        lo.textContent = edges[0].toPrecision(2);
        const hi = svgEl('text', { x: 160, y: 69, class: 'dlviz-chart-tick', 'text-anchor': 'end' });
        hi.textContent = edges[edges.length - 1].toPrecision(2);
        svg.appendChild(lo);
        svg.appendChild(hi);
        grid.appendChild(el('figure', 'dlviz-figure dlviz-small', undefined, el('figcaption', undefined, h.layer), svg as unknown as Node));
      }
      deadBox.replaceChildren();
      const row = k > 0 ? dead[k - 1] : null;
      if (!row) {
        deadBox.appendChild(el('p', 'dlviz-muted', 'Dead units are counted after each epoch.'));
      } else {
        activationLayers.forEach((name, i) => {
          const share = row[i] ?? 0;
          const bar = el('div', 'dlviz-bar');
          const fill = el('div', 'dlviz-bar-fill' + (share >= 0.5 ? ' dlviz-bar-bad' : ''));
          fill.style.width = `${Math.round(share * 100)}%`;
          bar.appendChild(fill);
          deadBox.appendChild(el('div', 'dlviz-bar-row', undefined, el('span', 'dlviz-bar-label', name), bar, el('span', 'dlviz-bar-value', formatPercent(share))));
        });
      }
    };
    slider.oninput = draw;
    draw();
    this._details.appendChild(
      section(
        'Weights',
        'How the weights of each layer are spread. Slide through the epochs to watch them move away ' +
          'from their random start; a spread that collapses to zero or blows up is a sign of trouble.',
        el('div', 'dlviz-slider-row', undefined, el('span', undefined, 'Epoch'), slider, sliderLabel),
        grid
      )
    );
    this._details.appendChild(
      section(
        'Dead ReLU units',
        'The share of units in each ReLU layer that never switch on for any validation image. A dead ' +
          'unit passes no signal and no gradient: it has stopped learning. Many dead units often mean ' +
          'the learning rate is too high.',
        deadBox
      )
    );
  }

  private _code(): string {
    if (this._result && typeof this._result.code === 'string') {
      return this._result.code;
    }
    return codeFor(this._run?.task ?? 'cnn.train', this._run?.params ?? {});
  }

  private _onInsert(): void {
    this._actions.insertCode(this._code());
  }

  private async _onCancel(): Promise<void> {
    this._cancel.disabled = true;
    try {
      await this._api.cancelRun(this.runId);
      this._line.textContent = 'Stopping after the current step…';
    } catch (error) {
      this._line.textContent = `Cannot cancel: ${(error as Error).message}`;
      this._cancel.disabled = false;
    }
  }
}

const WARNING_TITLES: { [kind: string]: string } = {
  vanishing_gradients: 'Vanishing gradients',
  exploding_gradients: 'Exploding gradients',
  dead_units: 'Dead ReLU units',
  overfitting: 'Overfitting'
};

/** A titled, collapsible section with a one-line explanation. */
export function section(title: string, explanation: string, ...children: Node[]): HTMLElement {
  const details = el('details', 'dlviz-section');
  details.open = true;
  details.appendChild(el('summary', 'dlviz-section-title', title));
  details.appendChild(el('p', 'dlviz-view-explanation', explanation));
  for (const child of children) {
    details.appendChild(child);
  }
  return details;
}

export type MonitorView = MainAreaWidget<MonitorContent>;

/** The DOM id of a run's monitor. */
export function monitorId(runId: string): string {
  return runViewId('monitor', runId);
}

/** The monitor of one training run; it starts following the run at once. */
export function createMonitorView(api: DlvizApi, runId: string, actions: IViewActions): MonitorView {
  return dockRunView(new MonitorContent(api, runId, actions), {
    id: monitorId(runId),
    className: 'dlviz-monitor',
    label: 'Training',
    caption: `Training monitor of run ${runId}`
  });
}

/** The last finite number of a series, or null. */
function lastNumber(values: (number | null | undefined)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return null;
}
