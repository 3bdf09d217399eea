/**
 * The comparison view of an `rnn.compare` run: the same data and seed trained with RNN, LSTM
 * and GRU, their learning curves side by side (validation loss, accuracy against chance, bits
 * per character) and their memory plots side by side. Each cell can be opened in the RNN
 * explorer (an `rnn.inspect` run of that cell's model, on the same kernel).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi, IRun } from '../../api/client';
import { RUN_GONE_MESSAGE } from '../../api/keptRuns';
import { runAndWatch } from '../../api/runAndWatch';
import { ComparedCell, resultOf, RnnCompareResult } from '../../api/results';
import { isTerminal } from '../../api/runStatus';
import { trans } from '../../i18n';
import { Decoded, decodeResult } from '../cnn/cnnResult';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { runViewId } from '../shared/docked';
import { el, svgEl } from '../shared/draw';
import { formatPercent, formatSeconds, formatCount } from '../shared/format';
import { runViewDefinition } from '../shared/viewDefinition';
import { cellName, curveCharts, stepChart } from './compareCharts';
import { CompareLive } from './compareLive';
import { EXPLAIN } from './explanations';
import { renderFacts, rnnLayout } from './layout';
import { paintMemory, memoryReach } from './compareLogic';
import { exportButtons } from './rnnExport';
import { num } from './rnnFormulas';
import { shares } from './rnnLogic';

type Cell = Decoded<ComparedCell>;

export class CompareContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _abort = new AbortController();
  private _kernelId: string | null = null;
  private _cells: Cell[] = [];
  private _message = el('div', 'dlviz-view-message', trans.__('Loading the comparison…'));
  private _live = el('div', 'dlviz-rnn-compare-live-host');
  private _status = el('span', 'dlviz-cnn-status');
  private _facts = el('div', 'dlviz-view-facts');
  private _curves = el('div', 'dlviz-rnn-compare-curves');
  private _memory = el('div', 'dlviz-rnn-compare-memory');
  private _header: HTMLElement;
  private _body: HTMLElement;

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-rnn-content');
    this._curves.setAttribute('data-testid', 'dlviz-rnn-compare-curves');
    this._memory.setAttribute('data-testid', 'dlviz-rnn-compare-memory');
    const title = trans.__('RNN, LSTM and GRU compared');
    const layout = rnnLayout({
      title,
      overview: EXPLAIN.compare,
      facts: this._facts,
      toolbar: [
        exportButtons({
          title,
          nodes: () => [this._header, this._body],
          picture: () =>
            this._cells.length
              ? {
                  canvas: paintMemory(
                    this._cells.map(c => ({
                      name: cellName(c.cell),
                      norms: c.memory.gradient_norms.data
                    }))
                  ),
                  labels: [],
                  caption: trans.__('Memory of each cell')
                }
              : null
        }),
        this._status
      ],
      sections: [
        ['curves', trans.__('Learning curves'), EXPLAIN.compare, this._curves],
        ['memory', trans.__('Memory'), EXPLAIN.memory, this._memory]
      ]
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
        layout.toolbar,
        this._message,
        this._live,
        layout.body
      )
    );
  }

  dispose(): void {
    this._abort.abort();
    super.dispose();
  }

  async load(): Promise<string> {
    const fallback = trans.__('RNN comparison');
    let run: IRun;
    try {
      run = await this._api.getRunWithArrays(this.runId);
      if (!isTerminal(run.status)) {
        await this._followLive(run);
        run = await this._api.getRunWithArrays(this.runId);
      }
    } catch (error) {
      this._message.textContent =
        error instanceof ApiError && error.status === 404
          ? RUN_GONE_MESSAGE
          : trans.__('Cannot load this run: %1', (error as Error).message);
      return fallback;
    }
    const result = run.status === 'succeeded' ? resultOf(run, 'rnn.compare') : null;
    if (!result) {
      this._message.textContent =
        run.status === 'failed'
          ? trans.__('This run failed: %1', run.error ?? trans.__('no reason given'))
          : trans.__('This run has no result (it is %1).', run.status);
      return fallback;
    }
    this._kernelId = run.kernel_id;
    this._live.replaceChildren();
    this._show(decodeResult(result));
    return trans.__('Compare: %1', result.dataset.name);
  }

  /** Curves growing as the cells train, until the run is over. */
  private async _followLive(run: IRun): Promise<void> {
    this._message.textContent = trans.__(
      'The cells are training one after the other; their curves grow below, and the memory plots come when all are done.'
    );
    const planned = Number(run.params?.training?.epochs ?? 0);
    const live = new CompareLive(this._api, run.id, planned, this._abort.signal);
    this._live.replaceChildren(live.node);
    if (run.progress) {
      live.onProgress(run.progress);
    }
    await live.follow();
  }

  private _show(result: Decoded<RnnCompareResult>): void {
    this._cells = result.cells;
    const facts: [string, string][] = [[trans.__('Data'), result.dataset.name]];
    if (typeof result.chance === 'number') {
      facts.push([trans.__('Chance accuracy'), formatPercent(result.chance)]);
    }
    renderFacts(this._facts, facts);
    const curves = result.cells.map(c => ({
      cell: c.cell,
      epochs: c.history.epochs,
      validation_loss: c.history.validation_loss,
      validation_accuracy: c.history.validation_accuracy,
      bits_per_character: c.bits_per_character
    }));
    const charts = curveCharts(curves, {
      chance: result.chance,
      planned: 0,
      band: result.chance_band
    });
    const steps = stepChart(result.cells, result.chance, result.chance_band);
    if (steps) {
      charts.appendChild(steps);
    }
    this._curves.replaceChildren(charts, this._table(result));
    this._memory.replaceChildren(
      el('div', 'dlviz-rnn-compare-row', undefined, ...result.cells.map(c => this._memoryOf(c)))
    );
    this._message.hidden = true;
    this._body.hidden = false;
  }

  /** Parameters, seconds and the last validation numbers of each cell, and a button to open it. */
  private _table(result: Decoded<RnnCompareResult>): HTMLElement {
    const head = el(
      'tr',
      undefined,
      undefined,
      ...[
        trans.__('Cell'),
        trans.__('Parameters'),
        trans.__('Training time'),
        trans.__('Validation accuracy'),
        ''
      ].map(t => el('th', undefined, t))
    );
    const rows = result.cells.map(c => {
      const accuracy = c.history.validation_accuracy;
      const open = el('button', 'jp-mod-styled', trans.__('Open in the RNN explorer'));
      open.onclick = () => void this._open(c, open);
      return el(
        'tr',
        undefined,
        undefined,
        el('td', undefined, cellName(c.cell)),
        el('td', undefined, formatCount(c.parameters)),
        el('td', undefined, formatSeconds(c.seconds)),
        el('td', undefined, formatPercent(accuracy[accuracy.length - 1])),
        el('td', undefined, undefined, open)
      );
    });
    return el('table', 'dlviz-rnn-compare-table', undefined, head, ...rows);
  }

  /** One cell's memory plot: the gradient reaching each input step, scaled to its own largest. */
  private _memoryOf(c: Cell): HTMLElement {
    const norms = c.memory.gradient_norms.data;
    const width = 280;
    const height = 110;
    const bar = width / Math.max(1, norms.length);
    const svg = svgEl('svg', {
      width,
      height,
      class: 'dlviz-rnn-memory-plot',
      'data-bars': norms.length
    });
    shares(norms).forEach((share, s) => {
      const rect = svgEl('rect', {
        x: s * bar,
        y: height - share * (height - 4),
        width: Math.max(1, bar - 1),
        height: share * (height - 4),
        class: 'dlviz-rnn-memory-bar'
      });
      const title = svgEl('title');
      title.textContent = trans.__('input step %1: %2', s, num(norms[s]));
      rect.appendChild(title);
      svg.appendChild(rect);
    });
    const reach = memoryReach(norms, c.memory.step);
    const formula = el(
      'div',
      'dlviz-formula dlviz-rnn-formula',
      undefined,
      el(
        'code',
        'dlviz-rnn-formula-text',
        `‖∂ŷ_${c.memory.step} / ∂x_0‖ / max_s ‖∂ŷ_${c.memory.step} / ∂x_s‖ = ${num(reach.first)}`
      ),
      el(
        'span',
        'dlviz-muted',
        trans.__(
          'reaches back %1 steps (where the gradient is above a tenth of its largest)',
          reach.steps
        )
      )
    );
    const figure = el(
      'figure',
      'dlviz-rnn-compare-cell',
      undefined,
      el('figcaption', undefined, cellName(c.cell)),
      svg as unknown as Node,
      formula
    );
    figure.setAttribute('data-cell', c.cell);
    return figure;
  }

  /** Ask the kernel to inspect this cell's model, then open the RNN explorer on it. */
  private async _open(c: Cell, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    this._status.textContent = trans.__('Asking the kernel…');
    try {
      const run = await runAndWatch(
        this._api,
        'rnn.inspect',
        { run: c.run },
        {
          kernelId: this._kernelId,
          signal: this._abort.signal
        }
      );
      if (run) {
        this._actions.openExplorer(run.id, 'rnn.inspect');
        this._status.textContent = '';
      }
    } catch (error) {
      this._status.textContent = trans.__(
        'The kernel could not look at this: %1',
        (error as Error).message
      );
    } finally {
      button.disabled = false;
    }
  }
}

export function rnnCompareViewId(runId: string): string {
  return runViewId('rnn-compare', runId);
}

/** The comparison view: opened once an `rnn.compare` run succeeded. */
export const rnnCompareView: IViewDefinition = runViewDefinition({
  kind: 'rnn-compare',
  command: 'dlviz-lab:open-rnn-compare',
  namespace: 'dlviz-lab-rnn-compare',
  className: 'dlviz-rnn-compare-view',
  title: () => trans.__('RNN comparison'),
  label: () => trans.__('Open the RNN comparison of a DL Viz run'),
  caption: runId => trans.__('RNN comparison of run %1', runId),
  content: (api, runId, actions) => new CompareContent(api, runId, actions)
});

export type RnnCompareView = MainAreaWidget<CompareContent>;
