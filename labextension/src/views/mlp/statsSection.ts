/**
 * How training goes: the epoch counter, the training and test loss per epoch (hover the chart
 * to read them), and for classification the accuracy and the confusion matrix of the test points.
 */
import { trans } from '../../i18n';
import { linePath, linearScale, niceTicks, seriesDomain } from '../shared/chartLogic';
import { el, svgEl } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { History } from './setupLogic';

const WIDTH = 300;
const HEIGHT = 150;
const MARGIN = { left: 40, right: 8, top: 8, bottom: 18 };
const TRAIN_COLOR = 'var(--jp-brand-color1, #1976d2)';
const TEST_COLOR = 'var(--jp-warn-color1, #f57c00)';

export class StatsSection {
  readonly node = el('div', 'dlviz-mlp-stats');
  private _epoch = el('div', 'dlviz-mlp-epoch', '0');
  private _losses = el('div', 'dlviz-mlp-losses');
  private _chart = svgEl('svg', { class: 'dlviz-mlp-chart' });
  private _readout = el('div', 'dlviz-mlp-readout', '\u00a0');
  private _accuracy = el('div', 'dlviz-mlp-accuracy');
  private _confusion = el('div', 'dlviz-mlp-confusion');
  private _history: History | null = null;
  private _xDomain: [number, number] = [0, 1];

  constructor() {
    this._epoch.setAttribute('data-testid', 'dlviz-mlp-epoch');
    this._chart.setAttribute('data-testid', 'dlviz-mlp-loss-chart');
    this._chart.setAttribute('width', String(WIDTH));
    this._chart.setAttribute('height', String(HEIGHT));
    this._chart.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this._readout.setAttribute('data-testid', 'dlviz-mlp-readout');
    this._accuracy.setAttribute('data-testid', 'dlviz-mlp-accuracy');
    this._confusion.setAttribute('data-testid', 'dlviz-mlp-confusion');
    this._chart.addEventListener('mousemove', event => this._hover(event as MouseEvent));
    this.node.append(
      el(
        'div',
        'dlviz-mlp-epoch-box',
        undefined,
        el('span', undefined, trans.__('Epoch')),
        this._epoch
      ),
      this._losses,
      this._chart,
      this._readout,
      this._accuracy,
      this._confusion
    );
  }

  /** The epoch counter and the curves as they are now. */
  draw(history: History, epoch: number): void {
    this._history = history;
    this._epoch.textContent = String(epoch);
    const n = history.epochs.length;
    if (!n) {
      this._readout.textContent = '\u00a0'; // a reset: nothing to read yet
    }
    const last = (values: (number | null)[]) => (n ? values[n - 1] : null);
    this._losses.textContent = trans.__(
      'Training loss %1 · test loss %2',
      format(last(history.trainLoss)),
      format(last(history.testLoss))
    );
    const trainAcc = last(history.trainAccuracy);
    const testAcc = last(history.testAccuracy);
    this._accuracy.textContent =
      testAcc === null && trainAcc === null
        ? ''
        : trans.__(
            'Accuracy: training %1 · test %2',
            formatPercent(trainAcc),
            formatPercent(testAcc)
          );
    this._drawChart(history);
  }

  /** The confusion matrix of the test points (rows: true class; columns: predicted). */
  setConfusion(matrix: number[][] | null): void {
    this._confusion.replaceChildren();
    if (!matrix) {
      return;
    }
    const table = el('table', 'dlviz-mlp-matrix');
    const head = el('tr', undefined, undefined, el('th'));
    matrix.forEach((_, c) => head.appendChild(el('th', undefined, String(c))));
    table.appendChild(head);
    const most = Math.max(1, ...matrix.flat());
    matrix.forEach((row, r) => {
      const line = el('tr', undefined, undefined, el('th', undefined, String(r)));
      row.forEach((count, c) => {
        const cell = el('td', r === c ? 'dlviz-mlp-hit' : 'dlviz-mlp-miss', String(count));
        cell.style.setProperty('--dlviz-share', String(count / most));
        line.appendChild(cell);
      });
      table.appendChild(line);
    });
    this._confusion.append(
      el(
        'div',
        'dlviz-mlp-matrix-title',
        trans.__('Confusion matrix of the test points (rows: true class; columns: predicted)')
      ),
      table
    );
  }

  private _drawChart(history: History): void {
    const xs = history.epochs;
    // a clear background: the whole chart answers the pointer, not only its lines
    this._chart.replaceChildren(
      svgEl('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: 'transparent' })
    );
    if (!xs.length) {
      return;
    }
    const yDomain = seriesDomain([history.trainLoss, history.testLoss]);
    const lastEpoch = xs[xs.length - 1];
    this._xDomain = [Math.min(xs[0], lastEpoch - 1), Math.max(lastEpoch, 1)];
    const sx = linearScale(this._xDomain, [MARGIN.left, WIDTH - MARGIN.right]);
    const sy = linearScale(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
    for (const tick of niceTicks(yDomain[0], yDomain[1], 3)) {
      const label = svgEl('text', {
        x: MARGIN.left - 4,
        y: sy(tick) + 3,
        class: 'dlviz-chart-tick',
        'text-anchor': 'end'
      });
      label.textContent = format(tick);
      this._chart.appendChild(label);
    }
    const axis = svgEl('text', {
      x: WIDTH - MARGIN.right,
      y: HEIGHT - 4,
      class: 'dlviz-chart-tick',
      'text-anchor': 'end'
    });
    axis.textContent = trans.__('epoch %1', xs[xs.length - 1]);
    this._chart.appendChild(axis);
    (
      [
        [history.trainLoss, TRAIN_COLOR],
        [history.testLoss, TEST_COLOR]
      ] as [(number | null)[], string][]
    ).forEach(([values, color]) => {
      const d = linePath(xs, values, sx, sy);
      if (d) {
        this._chart.appendChild(svgEl('path', { d, class: 'dlviz-chart-line', stroke: color }));
      }
    });
    this._chart.setAttribute('data-points', String(xs.length));
  }

  /** Hovering the chart reads the losses of the nearest epoch. */
  private _hover(event: MouseEvent): void {
    const history = this._history;
    if (!history || !history.epochs.length) {
      return;
    }
    const box = this._chart.getBoundingClientRect();
    const x = ((event.clientX - box.left) / (box.width || WIDTH)) * WIDTH;
    const epoch = linearScale([MARGIN.left, WIDTH - MARGIN.right], this._xDomain)(x);
    const i = history.nearest(epoch);
    if (i < 0) {
      return;
    }
    this._readout.textContent = trans.__(
      'Epoch %1: training loss %2, test loss %3',
      history.epochs[i],
      format(history.trainLoss[i]),
      format(history.testLoss[i])
    );
  }
}

function format(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return String(Number(value.toPrecision(3)));
}
