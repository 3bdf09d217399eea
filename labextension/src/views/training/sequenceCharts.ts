/**
 * The training monitor's extras for sequence models (`rnn.train`): the gradient through time
 * (does the loss still reach the first steps, or does it vanish?) and, for next-character
 * models, bits per character. Live from the progress events, then from the result.
 */
import { decodeArray, IEncodedArray } from '../../api/arrays';
import { RnnTrainResult } from '../../api/results';
import { trans } from '../../i18n';
import { drawChart, el, ISeries, section, SERIES_COLORS, svgEl } from '../shared/draw';
import { ProgressEvent } from './trainingLogic';
import {
  addBits,
  addTimeGradients,
  emptyTimeGradients,
  IBits,
  ITimeGradients,
  timeGradientsFromArray,
  vanishingRatio
} from './sequenceLogic';

export class SequenceCharts {
  readonly node: HTMLElement;
  private _gradients: ITimeGradients = emptyTimeGradients();
  private _bits: IBits = { epoch: [], train: [], validation: [] };
  private _gradientChart: SVGElement;
  private _gradientLine: HTMLElement;
  private _bitsChart: SVGElement;
  private _bitsFigure: HTMLElement;

  constructor() {
    this._gradientChart = svgEl('svg', {
      class: 'dlviz-chart',
      role: 'img',
      'aria-label': trans.__('Gradient through time')
    });
    this._gradientChart.setAttribute('data-testid', 'dlviz-time-gradients');
    this._gradientLine = el('p', 'dlviz-monitor-line');
    this._bitsChart = svgEl('svg', {
      class: 'dlviz-chart',
      role: 'img',
      'aria-label': trans.__('Bits per character')
    });
    this._bitsChart.setAttribute('data-testid', 'dlviz-bits-chart');
    this._bitsFigure = el('figure', 'dlviz-figure', undefined, this._bitsChart as unknown as Node);
    this._bitsFigure.style.display = 'none';
    this.node = section(
      trans.__('Through time'),
      trans.__(
        'The gradient through time is the mean size of ∂loss/∂h_t at each step t of a fixed set of validation sequences (log scale). When it falls toward the first steps, the loss hardly reaches what the network read long ago: vanishing gradients, the reason a plain RNN forgets and an LSTM or GRU remembers. Bits per character: how many yes/no questions the model still needs to guess the next character (lower is better).'
      ),
      el(
        'div',
        'dlviz-chart-row',
        undefined,
        el('figure', 'dlviz-figure', undefined, this._gradientChart as unknown as Node),
        this._bitsFigure
      ),
      this._gradientLine
    );
    this.node.classList.add('dlviz-sequence-extras');
    this.node.style.display = 'none';
  }

  /** Epochs drawn on the gradient chart so far (0 = before training is not sent live). */
  get epochs(): number[] {
    return this._gradients.epochs;
  }

  onProgress(event: ProgressEvent): void {
    const gradients = addTimeGradients(this._gradients, event);
    const bits = addBits(this._bits, event);
    if (gradients !== this._gradients || bits !== this._bits) {
      this._gradients = gradients;
      this._bits = bits;
      this.draw();
    }
  }

  fromResult(result: RnnTrainResult): void {
    const norms = result.time_gradients.norms;
    if ('data' in norms) {
      this._gradients = timeGradientsFromArray(
        result.time_gradients.epochs,
        decodeArray(norms as IEncodedArray)
      );
    }
    const bits = result.bits_per_character;
    if (bits) {
      const epochs = result.history.epoch ?? bits.train.map((_, i) => i + 1);
      this._bits = { epoch: epochs, train: bits.train, validation: bits.validation };
    }
    this.draw();
  }

  draw(): void {
    const { epochs, norms } = this._gradients;
    this.node.style.display = epochs.length ? '' : 'none';
    if (!epochs.length) {
      return;
    }
    const last = norms[norms.length - 1];
    const steps = last[0]?.length ?? 0;
    const xs = Array.from({ length: steps }, (_, t) => t + 1);
    const series: ISeries[] = last.map((row, layer) => ({
      label: trans.__('layer %1, epoch %2', layer + 1, epochs[epochs.length - 1]),
      values: row,
      color: SERIES_COLORS[layer % SERIES_COLORS.length]
    }));
    if (epochs[0] === 0 && epochs.length > 1) {
      series.push({
        label: trans.__('top layer, before training'),
        values: norms[0][norms[0].length - 1],
        color: 'var(--jp-ui-font-color2, #888)',
        dashed: true
      });
    }
    drawChart(this._gradientChart, xs, series, {
      title: trans.__('Gradient through time (log scale), by step'),
      log: true,
      xDomain: [1, Math.max(2, steps)]
    });
    this._gradientChart.setAttribute('data-epochs', String(epochs.length));
    const ratio = vanishingRatio(last[last.length - 1]);
    this._gradientLine.textContent =
      ratio === null
        ? ''
        : trans.__(
            'After epoch %1 the loss reaches the first step %2 times more weakly than the last one (top layer).',
            epochs[epochs.length - 1],
            ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)
          );
    const hasBits = this._bits.epoch.length > 0;
    this._bitsFigure.style.display = hasBits ? '' : 'none';
    if (hasBits) {
      drawChart(
        this._bitsChart,
        this._bits.epoch,
        [
          {
            label: trans.__('training'),
            values: this._bits.train,
            color: 'var(--jp-brand-color1, #1976d2)'
          },
          {
            label: trans.__('validation'),
            values: this._bits.validation,
            color: 'var(--jp-warn-color1, #f57c00)',
            dashed: true
          }
        ],
        { title: trans.__('Bits per character') }
      );
    }
  }
}
