/**
 * The CNN explorer of a `cnn.train` run (or of a `cnn.inspect` run): a shell holding an epoch
 * slider and the sections input, prediction, feature maps, filters, saliency and Grad-CAM,
 * confusion matrix, filter selectivity and model summary (one module each). Filters come from
 * the run's per-epoch snapshots at once; everything else comes from a `cnn.inspect` run on the
 * training run's kernel, posted whenever the epoch or the input changes.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { decodeArrays } from '../../api/arrays';
import { ApiError, DlvizApi, IRun } from '../../api/client';
import { modelGone, positionOf, RUN_GONE_MESSAGE } from '../../api/keptRuns';
import { runAndWatch, waitForRun } from '../../api/runAndWatch';
import { isTerminal } from '../../api/runStatus';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { dockRunView, runViewId } from '../shared/docked';
import { el } from '../shared/draw';
import { dlvizIcon } from '../shared/icon';
import { RunNotices } from '../shared/notices';
import { codeFor } from '../shared/pythonCode';
import { inspectParams } from './cnnLogic';
import { CnnEpochs } from './epochs';
import { EXPLAIN } from './explanations';
import { explorerLayout } from './layout';
import { FeatureMapsSection } from './featureMapsSection';
import { filterLayersOf, renderFilters } from './filtersSection';
import { Input, InputSection } from './inputSection';
import { renderPredictions } from './predictionSection';
import { renderConfusion } from './confusionSection';
import { renderSaliency } from './saliencySection';
import { renderSelectivity } from './selectivitySection';
import { renderSummary } from './summarySection';

/** A section's content box, with the test id the browser tests find it by. */
function box(className: string): HTMLElement {
  const node = el('div', className);
  node.setAttribute('data-testid', className);
  return node;
}

/** The body of the explorer. */
export class CnnContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _abort = new AbortController();
  private _run = new CnnEpochs();
  private _notices = new RunNotices();
  private _updates = 0;
  private _wanted: { epoch: number; input: Input } | null = null;
  private _busy = false;

  private _message = el('div', 'dlviz-view-message', 'Loading the network of this run…');
  private _status = el('span', 'dlviz-cnn-status');
  private _slider = el('input', 'dlviz-slider');
  private _sliderLabel = el('span', 'dlviz-slider-label');
  private _insert = el('button', 'jp-Button jp-mod-styled', 'Insert code');
  private _facts = el('div', 'dlviz-view-facts');
  private _body: HTMLElement;
  private _inputs: InputSection;
  private _featureMaps = new FeatureMapsSection();
  private _predictions = box('dlviz-predictions');
  private _filters = box('dlviz-filters');
  private _saliency = box('dlviz-saliency');
  private _confusion = box('dlviz-confusion');
  private _selectivity = box('dlviz-selectivity');
  private _summary = box('dlviz-summary');

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-cnn-content');
    this._status.setAttribute('aria-live', 'polite');
    this._status.setAttribute('data-testid', 'dlviz-cnn-status');
    this._slider.type = 'range';
    this._slider.min = '0';
    this._slider.max = '0';
    this._slider.step = '1';
    this._slider.setAttribute('data-testid', 'dlviz-epoch-slider');
    this._slider.setAttribute('aria-label', 'Epoch');
    this._slider.oninput = () => this._onEpoch();
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = 'Add a notebook cell that repeats this training run below the active cell';
    this._insert.onclick = () => this._onInsert();
    this._inputs = new InputSection(
      () => this._request(),
      message => (this._status.textContent = message)
    );

    const { header, toolbar, body } = explorerLayout({
      facts: this._facts,
      toolbar: [this._slider, this._sliderLabel, this._insert, this._status],
      top: [
        ['Input', EXPLAIN.input, this._inputs.node],
        ['Prediction', EXPLAIN.predictions, this._predictions]
      ],
      rest: [
        ['Feature maps', EXPLAIN.featureMaps, this._featureMaps.node],
        ['Filters', EXPLAIN.filters, this._filters],
        ['Saliency and Grad-CAM', EXPLAIN.saliency, this._saliency],
        ['Confusion matrix', EXPLAIN.confusion, this._confusion],
        ['Filter selectivity', EXPLAIN.selectivity, this._selectivity],
        ['Model summary', EXPLAIN.summary, this._summary]
      ]
    });
    this._body = body;
    this._body.hidden = true;
    this.node.appendChild(el('div', 'dlviz-view-scroll', undefined, header, this._notices.node, toolbar, this._message, body));
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
        error instanceof ApiError && error.status === 404 ? RUN_GONE_MESSAGE : `Cannot load this run: ${(error as Error).message}`
      );
      return 'CNN explorer';
    }
    this._run.kernelId = run.kernel_id;
    // The model lives in its kernel only: after a server restart the saved epochs are all there is.
    const trainRunId = run.task === 'cnn.inspect' ? run.result?.source?.run ?? null : run.id;
    const kernelGone = trainRunId ? this._notices.watchKernel(this._api, run.kernel_id, run.task) : Promise.resolve(false);
    if (!isTerminal(run.status)) {
      this._showMessage('This run is still going; the explorer fills in when it is done.');
      await waitForRun(this._api, run.id, this._abort.signal);
      run = await this._api.getRunWithArrays(this.runId);
    }
    if (run.task === 'cnn.train' && run.status === 'cancelled') {
      return this._loadCancelled(run, kernelGone);
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
        await this._run.useInspect(run, first, id => this._api.getRunWithArrays(id), training => this._useTraining(training));
      }
    } catch (error) {
      this._showMessage(`Cannot read this run: ${(error as Error).message}`);
      return 'CNN explorer';
    }
    return this._show(first, `CNN: ${this._run.dataset?.name ?? 'explorer'}`);
  }

  /** A cancelled run keeps its partial model in its kernel: look at its last finished epoch. */
  private async _loadCancelled(run: IRun, kernelGone: Promise<boolean>): Promise<string> {
    const gone = () => `${this._notices.kernelMessage} A cancelled run saves no epochs: train again from the DL Viz panel.`;
    this._run.useCancelled(run);
    try {
      if (await kernelGone) {
        // A cancelled run saved no snapshots: without its kernel there is nothing to show.
        this._showMessage(gone());
        return 'CNN (cancelled run)';
      }
      const first = (await this._inspect(inspectParams(run.id, this._run.epoch, { index: 0 }))) as { [key: string]: any };
      return this._show(first, 'CNN (cancelled run)');
    } catch (error) {
      if (modelGone(error)) {
        this._notices.markKernelGone();
        this._showMessage(gone());
      } else {
        this._showMessage(`This run was cancelled before its first epoch finished (${(error as Error).message}).`);
      }
      return 'CNN explorer';
    }
  }

  /** Show the first inspect result and the controls; returns `title`. */
  private _show(first: { [key: string]: any }, title: string): string {
    const run = this._run;
    run.dataset = run.dataset ?? first.dataset ?? null;
    this._inputs.dataset = run.dataset;
    const input = first.input ?? {};
    this._inputs.input = { index: typeof input.index === 'number' ? input.index : 0 };
    this._slider.max = String(Math.max(0, run.epochs.length - 1));
    this._slider.value = String(positionOf(run.epochs, run.epoch));
    this._slider.disabled = !run.snapshots && !run.cancelled;
    this._insert.style.display = run.trainRun ? '' : 'none';
    this._message.hidden = true;
    this._body.hidden = false;
    this._renderFacts();
    this._sliderLabel.textContent = run.epochLabel();
    this._renderFilters(first);
    this._apply(first);
    this._status.textContent = '';
    return title;
  }

  private _useTraining(run: IRun): void {
    this._run.useTraining(run);
    this._notices.showKept(run.result);
  }

  private _onEpoch(): void {
    this._run.moveTo(Number(this._slider.value));
    this._sliderLabel.textContent = this._run.epochLabel();
    // Filters come from the snapshots: redraw them at once; the rest waits for the kernel.
    this._renderFilters(null);
    this._request();
  }

  private _onInsert(): void {
    const run = this._run.trainRun;
    if (run) {
      this._actions.insertCode(typeof run.result?.code === 'string' ? run.result.code : codeFor(run.task, run.params ?? {}));
    }
  }

  /** Ask for the current epoch and input; only the latest wish is sent once the kernel is free. */
  private _request(): void {
    if (this._notices.kernelGone) {
      // No model to ask: the filters still follow the slider, from the saved snapshots.
      this._status.textContent = 'The kernel of this run is gone: only the saved filters follow the slider.';
      return;
    }
    this._wanted = { epoch: this._run.epoch, input: this._inputs.input };
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
        try {
          const result = await this._inspect(this._run.inspectParams(wanted.epoch, wanted.input), () => this._wanted !== null);
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
  private async _inspect(params: { [key: string]: any }, stale?: () => boolean): Promise<{ [key: string]: any } | null> {
    const run = await runAndWatch(this._api, 'cnn.inspect', params, {
      kernelId: this._run.kernelId,
      signal: this._abort.signal,
      arrays: true,
      stale
    });
    return run ? decodeArrays(run.result) : null;
  }

  /** Draw everything an inspect result holds. */
  private _apply(result: { [key: string]: any }): void {
    const classes = this._run.dataset?.classes ?? [];
    if (!this._run.snapshots) {
      this._renderFilters(result);
    }
    this._inputs.renderPreview(result);
    renderPredictions(this._predictions, result, classes, 'index' in this._inputs.input);
    this._featureMaps.render(result);
    renderSaliency(this._saliency, result, classes);
    renderConfusion(this._confusion, result, classes);
    renderSelectivity(this._selectivity, result, classes);
    renderSummary(this._summary, result);
    this._updates += 1;
    this._featureMaps.node.setAttribute('data-updated', String(this._updates));
  }

  /** Filters per conv layer: from the snapshots at the slider's epoch, else from a result. */
  private _renderFilters(result: { [key: string]: any } | null): void {
    const layers = this._run.snapshots ? this._run.filterLayers() : result ? filterLayersOf(result) : null;
    if (layers) {
      renderFilters(this._filters, layers);
    }
  }

  private _renderFacts(): void {
    this._facts.replaceChildren(
      ...this._run.facts().map(([label, value]) =>
        el('span', 'dlviz-view-fact', undefined, el('strong', undefined, `${label}: `), document.createTextNode(value))
      )
    );
  }

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = false;
    this._body.hidden = true;
  }
}

export type CnnView = MainAreaWidget<CnnContent>;

/** The DOM id of a run's explorer. */
export function cnnViewId(runId: string): string {
  return runViewId('cnn', runId);
}

/** The CNN explorer: opened once a `cnn.train` or `cnn.inspect` run succeeded. */
export const cnnExplorer: IViewDefinition = {
  kind: 'cnn',
  title: 'CNN explorer',
  command: 'dlviz-lab:open-cnn',
  label: 'Open the CNN explorer of a DL Viz run',
  namespace: 'dlviz-lab-cnn',
  icon: dlvizIcon,
  id: cnnViewId,
  create: (api, runId, actions) =>
    dockRunView(new CnnContent(api, runId, actions), {
      id: cnnViewId(runId),
      className: 'dlviz-cnn-view',
      label: 'CNN explorer',
      caption: `CNN explorer of run ${runId}`
    })
};
