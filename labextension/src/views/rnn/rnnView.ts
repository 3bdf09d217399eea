/**
 * The RNN explorer of an `rnn.train` run (or of an `rnn.inspect` or `rnn.units` run): a shell
 * holding the epoch slider, Insert code, the downloads and the sections (sections.ts). What it
 * draws comes from `rnn.inspect` runs on the training run's kernel, posted whenever the epoch,
 * the sequence or the typed text changes; a brushed span asks `rnn.units` on the same kernel.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { DlvizApi, IRun } from '../../api/client';
import { modelGone, positionOf } from '../../api/keptRuns';
import { resultOf } from '../../api/results';
import { trans } from '../../i18n';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { runViewId } from '../shared/docked';
import { el } from '../shared/draw';
import { RunNotices } from '../shared/notices';
import { loadFinishedRun } from '../shared/finishedRun';
import { runViewDefinition } from '../shared/viewDefinition';
import { EXPLAIN } from './explanations';
import { renderFacts, rnnLayout } from './layout';
import { exportButtons, heatmapPicture } from './rnnExport';
import { ISpan } from './rnnLogic';
import { RnnKernel } from './rnnKernel';
import { decodeInspect, RnnInspected, RnnUnitsFound } from './rnnResult';
import { RnnRun } from './rnnRun';
import { carryOver, inputOf, IRnnState, stepsOf } from './rnnState';
import { RnnSections } from './sections';
import { searchUnits } from './unitSearch';
import { UnitMatch } from './unitsSection';

/** The body of the explorer. */
export class RnnContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _abort = new AbortController();
  private _run = new RnnRun();
  private _notices = new RunNotices();
  private _state: IRnnState | null = null;
  /** The result of an `rnn.units` run the view was opened on, until it is drawn. */
  private _found: RnnUnitsFound | null = null;
  private _kernel: RnnKernel;
  /** Drawn from the states saved in the result (training run or comparison): its kernel is gone. */
  private _saved = false;

  private _message = el('div', 'dlviz-view-message', trans.__('Loading the network of this run…'));
  private _status = el('span', 'dlviz-cnn-status');
  private _slider = el('input', 'dlviz-slider');
  private _sliderLabel = el('span', 'dlviz-slider-label');
  private _insert = el('button', 'jp-Button jp-mod-styled', trans.__('Insert code'));
  private _facts = el('div', 'dlviz-view-facts');
  private _header: HTMLElement;
  private _body: HTMLElement;
  private _sections: RnnSections;

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-rnn-content');
    this._status.setAttribute('aria-live', 'polite');
    this._status.setAttribute('data-testid', 'dlviz-rnn-status');
    Object.assign(this._slider, { type: 'range', min: '0', max: '0', step: '1' });
    this._slider.setAttribute('data-testid', 'dlviz-epoch-slider');
    this._slider.setAttribute('aria-label', trans.__('Epoch'));
    this._slider.oninput = () => this._onEpoch();
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = trans.__(
      'Add a notebook cell that repeats this training run below the active cell'
    );
    this._insert.onclick = () => this._onInsert();
    this._kernel = new RnnKernel(api, this._run, this._notices, this._abort.signal, {
      result: (result, highlight) => this._apply(result, highlight),
      status: text => (this._status.textContent = text),
      busy: on => this.node.classList.toggle('dlviz-updating', on),
      kept: (epochs, input) => {
        this._run.useKept(epochs);
        this._syncSlider();
        this._kernel.request(input, null);
      },
      gone: () => this._showSaved()
    });
    this._sections = new RnnSections(
      change => this._onSelect(change),
      text => this._kernel.request({ text }, null),
      {
        find: (threshold, off) =>
          void searchUnits(this._state, this._kernel, this._sections.units, threshold, off, unit =>
            this._onSelect({ unit })
          ),
        jump: match => this._jump(match)
      }
    );
    const title = trans.__('RNN explorer');
    const layout = rnnLayout({
      title,
      overview: EXPLAIN.overview,
      facts: this._facts,
      toolbar: [
        el('span', 'dlviz-slider-title', trans.__('Epoch')),
        this._slider,
        this._sliderLabel,
        this._insert,
        exportButtons({
          title,
          nodes: () => [this._header, this._body],
          picture: () => heatmapPicture(this._sections.heatmap.canvas, this._state)
        }),
        this._status
      ],
      sections: this._sections.specs()
    });
    this._header = layout.header;
    this._body = layout.body;
    this._body.hidden = true;
    this.node.appendChild(
      el(
        'div',
        'dlviz-view-scroll',
        undefined,
        layout.header,
        this._notices.node,
        layout.toolbar,
        this._message,
        layout.body
      )
    );
  }

  /** Times the sections were drawn from a new inspect result. */
  get updates(): number {
    return this._sections.updates;
  }

  dispose(): void {
    this._abort.abort();
    super.dispose();
  }

  /** Fetch the run and draw it. Resolves with the tab title to use. */
  async load(): Promise<string> {
    const fallback = trans.__('RNN explorer');
    const run = await loadFinishedRun(this._api, this.runId, this._abort.signal, text =>
      this._showMessage(text)
    );
    if (!run) {
      return fallback;
    }
    try {
      const first = await this._first(run);
      if (!first) {
        return fallback;
      }
      this._show(first);
    } catch (error) {
      this._showMessage(
        modelGone(error)
          ? this._notices.kernelMessage
          : trans.__('Cannot read this run: %1', (error as Error).message)
      );
      return fallback;
    }
    const name = this._run.dataset?.name;
    return name ? trans.__('RNN: %1', name) : fallback;
  }

  /** The first result to draw: the inspect run's own, else one asked of the kernel. */
  private async _first(run: IRun): Promise<RnnInspected | null> {
    const getRun = (id: string) => this._api.getRunWithArrays(id);
    if (run.task === 'rnn.train') {
      this._run.useTraining(run);
      this._notices.showKept(resultOf(run, 'rnn.train'));
      if (await this._notices.watchKernel(this._api, run.kernel_id, run.task)) {
        return this._savedOrThrow();
      }
      try {
        return await this._kernel.inspect(this._run.inspectParams(this._run.firstInput));
      } catch (error) {
        if (!modelGone(error)) {
          throw error;
        }
        this._notices.markKernelGone();
        return this._savedOrThrow();
      }
    }
    if (run.task === 'rnn.inspect') {
      const result = resultOf(run, 'rnn.inspect')!;
      await this._run.useSource(run, result.source, getRun);
      this._kernel.params = { ...run.params };
      // whose model the slider and new inputs ask (the notice names it once it is gone)
      void this._notices.watchKernel(this._api, this._run.kernelId, run.task);
      return decodeInspect(result);
    }
    const found = resultOf(run, 'rnn.units')!;
    await this._run.useSource(run, found.source, getRun);
    void this._notices.watchKernel(this._api, this._run.kernelId, run.task);
    const first = await this._kernel.inspect(this._run.inspectParams(this._run.firstInput));
    if (first) {
      this._sections.units.show(found, found.units[0] ?? 0);
      this._found = found;
    }
    return first;
  }

  /** The states saved in the result, for a kernel that is gone. */
  private _savedOrThrow(): RnnInspected {
    const saved = this._run.saved();
    if (!saved) {
      throw new Error(this._notices.kernelMessage);
    }
    this._saved = true;
    return saved;
  }

  /** The kernel went away: draw the saved states at the slider's epoch, when the run has them. */
  private _showSaved(): void {
    const saved = this._run.saved();
    if (saved && this._state) {
      this._saved = true;
      this._apply(saved, null);
      this._status.textContent = '';
    }
  }

  private _syncSlider(): void {
    const run = this._run;
    this._slider.max = String(Math.max(0, run.epochs.length - 1));
    this._slider.value = String(positionOf(run.epochs, run.epoch));
    this._slider.disabled = run.epochs.length < 2;
    this._sliderLabel.textContent = run.epochLabel();
  }

  private _show(first: RnnInspected): void {
    const run = this._run;
    this._syncSlider();
    this._insert.style.display = run.trainRun ? '' : 'none';
    this._message.hidden = true;
    this._body.hidden = false;
    this._apply(first, null);
    renderFacts(this._facts, run.facts(first.network));
  }

  /** Draw a new inspect result, keeping the learner's choices. */
  private _apply(result: RnnInspected, highlight: ISpan | null): void {
    const state = carryOver(this._state, result);
    state.saved = this._saved;
    if (highlight) {
      state.highlight = highlight;
      state.step = Math.min(highlight.start, stepsOf(state) - 1);
    }
    if (this._found) {
      // An rnn.units run: its span and its strongest unit.
      state.span = { start: this._found.start, end: this._found.end };
      state.unit = this._found.units[0] ?? state.unit;
      this._found = null;
    }
    this._state = state;
    this._sections.render(state, this._canType(result), true);
  }

  /** Typed text works for character models whose characters the view knows. */
  private _canType(result: RnnInspected): boolean {
    return !this._saved && result.network.reads === 'tokens' && !!result.input.characters;
  }

  private _onSelect(change: Partial<IRnnState>): void {
    if (!this._state) {
      return;
    }
    this._state = { ...this._state, ...change };
    this._sections.render(this._state, this._canType(this._state.result), false);
  }

  private _onEpoch(): void {
    this._run.moveTo(Number(this._slider.value));
    this._sliderLabel.textContent = this._run.epochLabel();
    if (this._saved) {
      this._showSaved();
    } else {
      this._kernel.request(inputOf(this._state), null);
    }
  }

  private _onInsert(): void {
    const run = this._run.trainRun;
    const code = run ? (run.code ?? resultOf(run, 'rnn.train')?.code) : null;
    if (code) {
      this._actions.insertCode(code);
    }
  }

  /** Read a match's sequence and highlight its span. */
  private _jump(match: UnitMatch): void {
    this._kernel.request({ index: match.index }, { start: match.start, end: match.end });
  }

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = false;
    this._body.hidden = true;
  }
}

/** The DOM id of a run's explorer. */
export function rnnViewId(runId: string): string {
  return runViewId('rnn', runId);
}

/** The RNN explorer: opened once an `rnn.train`, `rnn.inspect` or `rnn.units` run succeeded. */
export const rnnExplorer: IViewDefinition = runViewDefinition({
  kind: 'rnn',
  command: 'dlviz-lab:open-rnn',
  namespace: 'dlviz-lab-rnn',
  className: 'dlviz-rnn-view',
  title: () => trans.__('RNN explorer'),
  label: () => trans.__('Open the RNN explorer of a DL Viz run'),
  caption: runId => trans.__('RNN explorer of run %1', runId),
  content: (api, runId, actions) => new RnnContent(api, runId, actions)
});

export type RnnView = MainAreaWidget<RnnContent>;
