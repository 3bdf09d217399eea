/**
 * The training monitor's two charts: loss and accuracy per epoch, training against validation,
 * with the overfitting gap shaded on the loss chart.
 */
import { trans } from '../../i18n';
import { drawChart, el, legend, svgEl } from '../shared/draw';
import { epochAxisMax, ICurves } from './trainingLogic';

const TRAIN_COLOR = 'var(--jp-brand-color1, #1976d2)';
const VALIDATION_COLOR = 'var(--jp-warn-color1, #f57c00)';

/** The row of both charts; `draw` redraws them from the curves. */
export class TrainingCharts {
  readonly node: HTMLElement;
  private _loss: SVGElement;
  private _accuracy: SVGElement;
  private _accuracyFigure: HTMLElement;

  constructor() {
    this._loss = svgEl('svg', {
      class: 'dlviz-chart',
      role: 'img',
      'aria-label': trans.__('Loss per epoch')
    });
    this._loss.setAttribute('data-testid', 'dlviz-loss-chart');
    this._loss.setAttribute('data-points', '0');
    this._accuracy = svgEl('svg', {
      class: 'dlviz-chart',
      role: 'img',
      'aria-label': trans.__('Accuracy per epoch')
    });
    this._accuracy.setAttribute('data-testid', 'dlviz-accuracy-chart');
    const series = [
      { label: trans.__('training'), color: TRAIN_COLOR },
      { label: trans.__('validation'), color: VALIDATION_COLOR, dashed: true }
    ];
    const lossFigure = el(
      'figure',
      'dlviz-figure',
      undefined,
      this._loss as unknown as Node,
      legend(series, trans.__('overfitting gap'))
    );
    this._accuracyFigure = el(
      'figure',
      'dlviz-figure',
      undefined,
      this._accuracy as unknown as Node,
      legend(series)
    );
    this.node = el('div', 'dlviz-chart-row', undefined, lossFigure, this._accuracyFigure);
  }

  /** Sequence models report no accuracy: their monitor shows the loss chart only. */
  showAccuracy(visible: boolean): void {
    this._accuracyFigure.style.display = visible ? '' : 'none';
  }

  /** Draw the curves on an epoch axis that reaches `epochs` (the planned number) at least. */
  draw(c: ICurves, epochs: number): void {
    const xDomain: [number, number] = [1, epochAxisMax(c.epoch.length, epochs)];
    drawChart(
      this._loss,
      c.epoch,
      [
        { label: trans.__('training loss'), values: c.train_loss, color: TRAIN_COLOR },
        {
          label: trans.__('validation loss'),
          values: c.validation_loss,
          color: VALIDATION_COLOR,
          dashed: true
        }
      ],
      { title: trans.__('Loss'), gap: [1, 0], xDomain }
    );
    drawChart(
      this._accuracy,
      c.epoch,
      [
        { label: trans.__('training accuracy'), values: c.train_accuracy, color: TRAIN_COLOR },
        {
          label: trans.__('validation accuracy'),
          values: c.validation_accuracy,
          color: VALIDATION_COLOR,
          dashed: true
        }
      ],
      { title: trans.__('Accuracy'), yDomain: [0, 1], percent: true, xDomain }
    );
    this._loss.setAttribute('data-points', String(c.epoch.length));
  }
}
