/**
 * The CNN explorer of a `cnn.train` run (or of a `cnn.inspect` run): a shell holding an epoch
 * slider and the sections input, prediction, feature maps, filters, saliency and Grad-CAM,
 * confusion matrix, filter selectivity and model summary (one module each). Filters come from
 * the run's per-epoch snapshots at once; everything else comes from a `cnn.inspect` run on the
 * training run's kernel, posted whenever the epoch or the input changes.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi, IRun } from '../../api/client';
import { modelGone, positionOf, RUN_GONE_MESSAGE } from '../../api/keptRuns';
import { runAndWatch, waitForRun } from '../../api/runAndWatch';
import { resultOf } from '../../api/results';
import { isTerminal } from '../../api/runStatus';
import { trans } from '../../i18n';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { runViewId } from '../shared/docked';
import { el } from '../shared/draw';
import { RunNotices } from '../shared/notices';
import { runViewDefinition } from '../shared/viewDefinition';
import { inspectParams } from './cnnLogic';
import { CnnInspected, decodeResult } from './cnnResult';
import { CnnEpochs } from './epochs';
import { Input, InputSection } from './inputSection';
import { explorerLayout, renderFacts } from './layout';
import { ExplorerSections } from './sections';

/** The body of the explorer. */
export class CnnContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _abort = new AbortController();
  private _run = new CnnEpochs();
  private _notices = new RunNotices();
  private _wanted: { epoch: number; input: Input } | null = null;
  private _busy = false;

  private _message = el('div', 'dlviz-view-message', trans.__('Loading the network of this run…'));
  private _status = el('span', 'dlviz-cnn-status');
  private _slider = el('input', 'dlviz-slider');
  private _sliderLabel = el('span', 'dlviz-slider-label');
  private _insert = el('button', 'jp-Button jp-mod-styled', trans.__('Insert code'));
  private _facts = el('div', 'dlviz-view-facts');
  private _body: HTMLElement;
  private _inputs: InputSection;
  private _sections: ExplorerSections;

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
    this._slider.setAttribute('aria-label', trans.__('Epoch'));
    this._slider.oninput = () => this._onEpoch();
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = trans.__(
      'Add a notebook cell that repeats this training run below the active cell'
    );
    this._insert.onclick = () => this._onInsert();
    this._inputs = new InputSection(
      () => this._request(),
      message => (this._status.textContent = message)
    );
    this._sections = new ExplorerSections(this._inputs);

    const { header, toolbar, body } = explorerLayout({
      facts: this._facts,
      toolbar: [this._slider, this._sliderLabel, this._insert, this._status],
      top: this._sections.top(),
      rest: this._sections.rest()
    });
    this._body = body;
    this._body.hidden = true;
    this.node.appendChild(
      el(
        'div',
        'dlviz-view-scroll',
        undefined,
        header,
        this._notices.node,
        toolbar,
        this._message,
        body
      )
    );
  }

  /** Times the feature maps were redrawn from a new inspect result. */
  get updates(): number {
    return this._sections.updates;
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
          : trans.__('Cannot load this run: %1', (error as Error).message)
      );
      return trans.__('CNN explorer');
    }
    this._run.kernelId = run.kernel_id;
    // The model lives in its kernel only: after a server restart the saved epochs are all there is.
    const trainRunId =
      run.task === 'cnn.inspect' ? (resultOf(run, 'cnn.inspect')?.source?.run ?? null) : run.id;
    const kernelGone = trainRunId
      ? this._notices.watchKernel(this._api, run.kernel_id, run.task)
      : Promise.resolve(false);
    if (!isTerminal(run.status)) {
      this._showMessage(
        trans.__('This run is still going; the explorer fills in when it is done.')
      );
      await waitForRun(this._api, run.id, this._abort.signal);
      run = await this._api.getRunWithArrays(this.runId);
    }
    if (run.task === 'cnn.train' && run.status === 'cancelled') {
      return this._loadCancelled(run, kernelGone);
    }
    if (run.status !== 'succeeded' || !run.result) {
      this._showMessage(
        run.status === 'failed'
          ? trans.__('This run failed: %1', run.error ?? trans.__('no reason given'))
          : trans.__('This run has no result (it is %1).', run.status)
      );
      return trans.__('CNN explorer');
    }
    let first: CnnInspected;
    try {
      if (run.task === 'cnn.train') {
        this._useTraining(run);
        first = decodeResult(resultOf(run, 'cnn.train')!.final);
      } else {
        first = decodeResult(resultOf(run, 'cnn.inspect')!);
        await this._run.useInspect(
          run,
          first,
          id => this._api.getRunWithArrays(id),
          training => this._useTraining(training)
        );
      }
    } catch (error) {
      this._showMessage(trans.__('Cannot read this run: %1', (error as Error).message));
      return trans.__('CNN explorer');
    }
    const name = this._run.dataset?.name;
    return this._show(first, name ? trans.__('CNN: %1', name) : trans.__('CNN explorer'));
  }

  /** A cancelled run keeps its partial model in its kernel: look at its last finished epoch. */
  private async _loadCancelled(run: IRun, kernelGone: Promise<boolean>): Promise<string> {
    const gone = () =>
      trans.__(
        '%1 A cancelled run saves no epochs: train again from the DL Viz panel.',
        this._notices.kernelMessage
      );
    this._run.useCancelled(run);
    try {
      if (await kernelGone) {
        // A cancelled run saved no snapshots: without its kernel there is nothing to show.
        this._showMessage(gone());
        return trans.__('CNN (cancelled run)');
      }
      const first = await this._inspect(inspectParams(run.id, this._run.epoch, { index: 0 }));
      return first ? this._show(first, trans.__('CNN (cancelled run)')) : trans.__('CNN explorer');
    } catch (error) {
      if (modelGone(error)) {
        this._notices.markKernelGone();
        this._showMessage(gone());
      } else {
        this._showMessage(
          trans.__(
            'This run was cancelled before its first epoch finished (%1).',
            (error as Error).message
          )
        );
      }
      return trans.__('CNN explorer');
    }
  }

  /** Show the first inspect result and the controls; returns `title`. */
  private _show(first: CnnInspected, title: string): string {
    const run = this._run;
    run.dataset = run.dataset ?? first.dataset ?? null;
    this._inputs.dataset = run.dataset;
    const index = first.input?.index;
    this._inputs.input = { index: typeof index === 'number' ? index : 0 };
    this._slider.max = String(Math.max(0, run.epochs.length - 1));
    this._slider.value = String(positionOf(run.epochs, run.epoch));
    this._slider.disabled = !run.snapshots && !run.cancelled;
    this._insert.style.display = run.trainRun ? '' : 'none';
    this._message.hidden = true;
    this._body.hidden = false;
    renderFacts(this._facts, this._run.facts());
    this._sliderLabel.textContent = run.epochLabel();
    this._sections.renderFilters(this._run, first);
    this._sections.apply(this._run, first);
    this._status.textContent = '';
    return title;
  }

  private _useTraining(run: IRun): void {
    this._run.useTraining(run);
    this._notices.showKept(resultOf(run, 'cnn.train'));
  }

  private _onEpoch(): void {
    this._run.moveTo(Number(this._slider.value));
    this._sliderLabel.textContent = this._run.epochLabel();
    // Filters come from the snapshots: redraw them at once; the rest waits for the kernel.
    this._sections.renderFilters(this._run, null);
    this._request();
  }

  private _onInsert(): void {
    const run = this._run.trainRun;
    if (run) {
      const code = run.code ?? resultOf(run, 'cnn.train')?.code;
      if (code) {
        this._actions.insertCode(code);
      }
    }
  }

  /** Ask for the current epoch and input; only the latest wish is sent once the kernel is free. */
  private _request(): void {
    if (this._notices.kernelGone) {
      // No model to ask: the filters still follow the slider, from the saved snapshots.
      this._status.textContent = trans.__(
        'The kernel of this run is gone: only the saved filters follow the slider.'
      );
      return;
    }
    this._wanted = { epoch: this._run.epoch, input: this._inputs.input };
    this.node.classList.add('dlviz-updating');
    this._status.textContent = trans.__('Asking the kernel…');
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
          const result = await this._inspect(
            this._run.inspectParams(wanted.epoch, wanted.input),
            () => this._wanted !== null
          );
          if (result) {
            this._sections.apply(this._run, result);
            this._status.textContent = '';
          }
        } catch (error) {
          if (modelGone(error)) {
            this._wanted = null;
            this._notices.markKernelGone();
            this._status.textContent = trans.__(
              'The kernel of this run is gone: only the saved filters follow the slider.'
            );
          } else {
            this._status.textContent = trans.__(
              'The kernel could not look at this: %1',
              (error as Error).message
            );
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
  private async _inspect(
    params: { [key: string]: unknown },
    stale?: () => boolean
  ): Promise<CnnInspected | null> {
    const run = await runAndWatch(this._api, 'cnn.inspect', params, {
      kernelId: this._run.kernelId,
      signal: this._abort.signal,
      arrays: true,
      stale
    });
    return run ? decodeResult(resultOf(run, 'cnn.inspect')!) : null;
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
export const cnnExplorer: IViewDefinition = runViewDefinition({
  kind: 'cnn',
  command: 'dlviz-lab:open-cnn',
  namespace: 'dlviz-lab-cnn',
  className: 'dlviz-cnn-view',
  title: () => trans.__('CNN explorer'),
  label: () => trans.__('Open the CNN explorer of a DL Viz run'),
  caption: runId => trans.__('CNN explorer of run %1', runId),
  content: (api, runId, actions) => new CnnContent(api, runId, actions)
});
