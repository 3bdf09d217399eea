/**
 * The comparison while it trains: a progress bar over all cells, a line saying which cell is
 * training and its last epoch, a Cancel button, and each cell's learning curves growing epoch
 * by epoch from the run's progress events (the server replays the finished epochs to a view
 * opened late or restored after a reload).
 */
import { DlvizApi, RunEvent } from '../../api/client';
import { waitForRun } from '../../api/runAndWatch';
import { isTerminal } from '../../api/runStatus';
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { cellName, curveCharts } from './compareCharts';
import { addCellProgress, compareFraction, ILiveCell } from './compareLogic';

export class CompareLive {
  readonly node: HTMLElement;
  private _api: DlvizApi;
  private _runId: string;
  private _signal: AbortSignal;
  private _cells: ILiveCell[] = [];
  private _planned: number;
  private _progress = el('progress', 'dlviz-progress');
  private _line = el('div', 'dlviz-monitor-line', trans.__('Waiting for the kernel…'));
  private _cancel = el('button', 'jp-Button jp-mod-styled jp-mod-reject', trans.__('Cancel'));
  private _charts = el('div', 'dlviz-rnn-compare-live-charts');

  constructor(api: DlvizApi, runId: string, planned: number, signal: AbortSignal) {
    this._api = api;
    this._runId = runId;
    this._planned = planned;
    this._signal = signal;
    this._progress.max = 1;
    this._progress.value = 0;
    this._line.setAttribute('aria-live', 'polite');
    this._line.setAttribute('data-testid', 'dlviz-rnn-compare-line');
    this._cancel.setAttribute('data-testid', 'dlviz-rnn-compare-cancel');
    this._cancel.onclick = () => void this._onCancel();
    this.node = el(
      'div',
      'dlviz-rnn-compare-live',
      undefined,
      el('div', 'dlviz-monitor-controls', undefined, this._progress, this._cancel),
      this._line,
      this._charts
    );
    this.node.setAttribute('data-testid', 'dlviz-rnn-compare-live');
    this._draw();
  }

  /** Follow the run until it is over; resolves then (or when the view is closed). */
  async follow(): Promise<void> {
    try {
      const last = await this._api.watchRun(
        this._runId,
        (event: RunEvent) => {
          if (event.event === 'progress') {
            this.onProgress(event.data);
          } else {
            this.node.dataset.status = event.data.status;
          }
        },
        this._signal
      );
      if (last?.event === 'status' && isTerminal(last.data.status)) {
        return;
      }
    } catch {
      // the stream broke: wait by polling
    }
    if (!this._signal.aborted) {
      await waitForRun(this._api, this._runId, this._signal);
    }
  }

  /** One progress event of the run (also the last one known when the view opens). */
  onProgress(event: { [key: string]: unknown }): void {
    const fraction = compareFraction(event);
    if (fraction !== null) {
      this._progress.value = fraction;
    }
    if (typeof event.epochs === 'number') {
      this._planned = event.epochs;
    }
    if (typeof event.cell === 'string' && typeof event.epoch === 'number') {
      const parts = [
        trans.__(
          'Training the %1 (cell %2 of %3): epoch %4 of %5',
          cellName(event.cell),
          Number(event.cell_index ?? 0) + 1,
          event.cells ?? '?',
          event.epoch,
          event.epochs ?? '?'
        )
      ];
      if (typeof event.validation_loss === 'number') {
        parts.push(trans.__('validation loss %1', event.validation_loss.toFixed(3)));
      }
      const accuracy = event.validation_step_accuracy ?? event.validation_accuracy;
      if (typeof accuracy === 'number') {
        parts.push(trans.__('validation accuracy %1', formatPercent(accuracy)));
      }
      this._line.textContent = parts.join(' · ');
    } else if (typeof event.message === 'string') {
      this._line.textContent = event.message;
    }
    const before = this._cells;
    this._cells = addCellProgress(this._cells, event);
    if (this._cells !== before) {
      this._draw();
    }
  }

  private _draw(): void {
    const cells = this._cells.map(c => ({ ...c }));
    this._charts.replaceChildren(
      curveCharts(cells, { chance: null, planned: this._planned, suffix: '-live' })
    );
  }

  private async _onCancel(): Promise<void> {
    this._cancel.disabled = true;
    try {
      await this._api.cancelRun(this._runId);
      this._line.textContent = trans.__('Stopping after the current step…');
    } catch (error) {
      this._line.textContent = trans.__('Cannot cancel: %1', (error as Error).message);
      this._cancel.disabled = false;
    }
  }
}
