/**
 * The training monitor of a training run (`cnn.train`, `rnn.train`, `transformer.train`): a
 * progress bar and live loss and accuracy curves fed by the run's progress events (one point per
 * finished epoch), a Cancel button, for sequence models the gradient through time and bits per
 * character (`sequenceCharts.ts`), for autoencoders the reconstruction error beside PCA and a
 * VAE's KL term (`errorCharts.ts`), and, once the run succeeded, per-layer gradient norms, weight
 * histograms per epoch, dead ReLU units and the kernel's plain-language warnings.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { trans } from '../../i18n';
import { ApiError, DlvizApi, IRun, RunEvent } from '../../api/client';
import { runGoneMessage } from '../../api/keptRuns';
import {
  AutoencoderTrainResult,
  CnnTrainResult,
  resultOf,
  RnnTrainResult,
  TransformerTrainResult
} from '../../api/results';
import { isTerminal, isWaiting, progressFraction } from '../../api/runStatus';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { runViewId } from '../shared/docked';
import { el } from '../shared/draw';
import { formatPercent, formatSeconds } from '../shared/format';
import { RunNotices } from '../shared/notices';
import { runViewDefinition } from '../shared/viewDefinition';
import { renderDetails, renderWarnings } from './monitorDetails';
import { ErrorCharts } from './errorCharts';
import { SequenceCharts } from './sequenceCharts';
import { TrainingCharts } from './trainingCharts';
import {
  addProgress,
  curvesFromHistory,
  emptyCurves,
  ICurves,
  lastNumber,
  trainingLine
} from './trainingLogic';

/** The result of a training task (all have a history; transformer.train has no monitor). */
type TrainResult =
  CnnTrainResult | RnnTrainResult | TransformerTrainResult | AutoencoderTrainResult;
const TRAINING_TASKS = [
  'cnn.train',
  'rnn.train',
  'transformer.train',
  'autoencoder.train'
] as const;

/** The body of the monitor. */
export class MonitorContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _curves: ICurves = emptyCurves();
  private _epochs = 0;
  private _run: IRun | null = null;
  private _abort = new AbortController();
  private _notices = new RunNotices();

  private _progress: HTMLProgressElement;
  private _line: HTMLElement;
  private _cancel: HTMLButtonElement;
  private _insert: HTMLButtonElement;
  private _explore: HTMLButtonElement;
  private _charts: TrainingCharts;
  private _sequence = new SequenceCharts();
  private _errors = new ErrorCharts();
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
    this._line = el('div', 'dlviz-monitor-line', trans.__('Waiting for the kernel…'));
    this._line.setAttribute('aria-live', 'polite');
    this._line.setAttribute('data-testid', 'dlviz-monitor-status');
    this._cancel = el(
      'button',
      'jp-Button jp-mod-styled jp-mod-reject',
      trans.__('Cancel training')
    );
    this._cancel.setAttribute('data-testid', 'dlviz-monitor-cancel');
    this._cancel.onclick = () => void this._onCancel();
    this._insert = el('button', 'jp-Button jp-mod-styled', trans.__('Insert code'));
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = trans.__(
      'Add a notebook cell that repeats this run below the active cell'
    );
    this._insert.onclick = () => this._onInsert();
    this._explore = el(
      'button',
      'jp-Button jp-mod-styled jp-mod-accept',
      trans.__('Open CNN explorer')
    );
    this._explore.disabled = true;
    this._explore.onclick = () => this._actions.openExplorer(this.runId, this._run?.task);

    this._charts = new TrainingCharts();
    this._warnings = el('div', 'dlviz-warnings');
    this._warnings.setAttribute('role', 'status');
    this._details = el('div', 'dlviz-monitor-details');

    const header = el(
      'div',
      'dlviz-view-header',
      undefined,
      el('h3', 'dlviz-view-title', trans.__('Training monitor')),
      el(
        'p',
        'dlviz-view-explanation',
        trans.__(
          'Loss says how wrong the model still is (lower is better); accuracy is the share of examples it gets right. The training curve is measured on the examples it learns from, the validation curve on examples it never sees: when validation loss rises while training loss keeps falling (the shaded gap widens), the model is memorising instead of learning (overfitting).'
        )
      )
    );
    const controls = el(
      'div',
      'dlviz-monitor-controls',
      undefined,
      this._progress,
      this._cancel,
      this._insert,
      this._explore
    );
    const body = el(
      'div',
      'dlviz-view-scroll',
      undefined,
      header,
      this._notices.node,
      controls,
      this._line,
      this._charts.node,
      this._sequence.node,
      this._errors.node,
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
        error instanceof ApiError && error.status === 404
          ? runGoneMessage()
          : trans.__('Cannot load this run: %1', (error as Error).message);
      this._setStatus('failed');
      return trans.__('Training monitor');
    }
    this._run = run;
    this._epochs = Number(run.params?.training?.epochs ?? run.params?.epochs ?? 0);
    this._setTask(run.task);
    if (isTerminal(run.status)) {
      this._finish(run);
    } else {
      this._setStatus(run.status);
      if (run.progress) {
        this._onProgress(run.progress);
      }
      void this._follow();
    }
    return trans.__('Training %1', this.runId.slice(0, 6));
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
        if (isTerminal(run.status)) {
          this._finish(run);
          return;
        }
        if (run.progress) {
          this._onProgress(run.progress);
        }
      } catch (error) {
        this._line.textContent = trans.__('Lost track of the run: %1', (error as Error).message);
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }

  private _onProgress(event: { [key: string]: unknown }): void {
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
    this._sequence.onProgress(event);
    this._errors.epochs = this._epochs;
    this._errors.onProgress(event);
    const before = this._curves;
    this._curves = addProgress(this._curves, event);
    if (this._curves !== before) {
      this._drawCurves();
    }
  }

  /** The registry says whether the task reports accuracy and which view is its explorer. */
  private _setTask(task: string): void {
    const entry = this._actions.entryOf(task);
    this.node.dataset.task = task;
    this._charts.showAccuracy(entry?.accuracy !== false);
    if (entry?.succeeded) {
      this._explore.textContent = trans.__('Open %1', entry.succeeded.title);
    }
    // a task with no explorer of its own yet: no button that would open nothing
    this._explore.style.display = entry?.succeeded ? '' : 'none';
  }

  private _setStatus(status: string): void {
    this.node.dataset.status = status;
    if (status !== 'queued' && this._line.classList.contains('dlviz-waiting')) {
      this._line.classList.remove('dlviz-waiting');
      this._line.textContent =
        status === 'running' ? trans.__('The kernel took the run: starting…') : '';
    }
    const over = isTerminal(status);
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
    const result = run.status === 'succeeded' ? trainResult(run) : null;
    if (result) {
      this._notices.showKept(result);
      const history = result.history;
      this._curves = curvesFromHistory(history);
      this._epochs = Math.max(this._epochs, this._curves.epoch.length);
      this._progress.value = 1;
      const seconds = formatSeconds(result.seconds);
      const last = lastNumber(this._curves.validation_accuracy);
      const lastLoss = lastNumber(this._curves.validation_loss);
      const score =
        last !== null
          ? trans.__('validation accuracy %1', formatPercent(last))
          : lastLoss !== null
            ? trans.__('loss %1', lastLoss.toFixed(3))
            : trans.__('no loss reported');
      const trained = trans.__(
        'Trained %1 epochs in %2; %3.',
        result.epochs_completed,
        seconds,
        score
      );
      this._line.textContent = result.stopped_early
        ? trans.__('%1 Stopped early: %2', trained, result.stopped_early)
        : trained;
      this._drawCurves();
      const monitored = 'monitor' in result ? result : null;
      renderWarnings(this._warnings, monitored?.warnings ?? []);
      renderDetails(this._details, monitored?.monitor ?? null, this._curves.epoch);
      if (result.task === 'rnn.train') {
        this._sequence.fromResult(result);
      } else if (result.task === 'autoencoder.train') {
        this._errors.fromResult(result);
      }
      this._explore.disabled = false;
    } else if (run.status === 'cancelled') {
      // The run ends here: the axis ends at its last finished epoch.
      this._epochs = this._curves.epoch.length;
      this._drawCurves();
      this._line.textContent = trans.__(
        'Training was cancelled after %1 finished epochs. The partial model is kept in the kernel: %2.',
        this._curves.epoch.length,
        `dlviz_kernel.get_model('${this.runId}')`
      );
      this._explore.disabled = this._curves.epoch.length === 0;
    } else if (run.status === 'failed') {
      this._line.textContent = trans.__(
        'Training failed: %1',
        run.error ?? trans.__('no reason given')
      );
    }
  }

  private _drawCurves(): void {
    this._charts.draw(this._curves, this._epochs);
  }

  private _onInsert(): void {
    const code = this._run?.code;
    if (code) {
      this._actions.insertCode(code);
    }
  }

  private async _onCancel(): Promise<void> {
    this._cancel.disabled = true;
    try {
      await this._api.cancelRun(this.runId);
      this._line.textContent = trans.__('Stopping after the current step…');
    } catch (error) {
      this._line.textContent = trans.__('Cannot cancel: %1', (error as Error).message);
      this._cancel.disabled = false;
    }
  }
}

export type MonitorView = MainAreaWidget<MonitorContent>;

/** A succeeded training run's result, typed by its task's schema (null for another task). */
function trainResult(run: IRun): TrainResult | null {
  const task = TRAINING_TASKS.find(t => t === run.task);
  return task ? resultOf(run, task) : null;
}

/** The DOM id of a run's monitor. */
export function monitorId(runId: string): string {
  return runViewId('monitor', runId);
}

/** The live training monitor: opened as soon as a training run is created. */
export const trainingMonitor: IViewDefinition = runViewDefinition({
  kind: 'monitor',
  command: 'dlviz-lab:open-monitor',
  namespace: 'dlviz-lab-monitor',
  className: 'dlviz-monitor',
  title: () => trans.__('training monitor'),
  label: () => trans.__('Open the training monitor of a DL Viz run'),
  tabLabel: () => trans.__('Training'),
  caption: runId => trans.__('Training monitor of run %1', runId),
  content: (api, runId, actions) => new MonitorContent(api, runId, actions)
});
