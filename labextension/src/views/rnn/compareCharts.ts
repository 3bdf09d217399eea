/**
 * The comparison's learning curves, one line per cell: validation loss, validation accuracy
 * against chance, and bits per character. Drawn from the finished result and, while the cells
 * train, from their progress events (compareLive.ts).
 */
import { trans } from '../../i18n';
import {
  drawChart,
  el,
  IChartOptions,
  ISeries,
  legend,
  SERIES_COLORS,
  svgEl
} from '../shared/draw';
import { onEpochAxis } from './compareLogic';

/** A cell's name as a learner reads it. */
export function cellName(cell: string): string {
  return cell === 'rnn' ? trans.__('plain RNN') : cell.toUpperCase();
}

/** One cell's curves, one value per entry of `epochs`. */
export interface ICellCurves {
  cell: string;
  epochs: number[];
  validation_loss: (number | null)[];
  validation_accuracy: (number | null)[];
  bits_per_character: (number | null)[] | null;
}

/** The row of charts; `planned` stretches the epoch axis to the epochs still to come. */
export function curveCharts(
  cells: ICellCurves[],
  options: {
    chance: number | null;
    planned: number;
    suffix?: string;
    /** The central 95 % of what a guesser without memory scores (rnn.compare's chance_band). */
    band?: number[] | null;
  }
): HTMLElement {
  const suffix = options.suffix ?? '';
  const chart = (
    title: string,
    pick: (c: ICellCurves) => (number | null)[],
    extra: IChartOptions,
    testid: string,
    chance = false
  ) => {
    const axis = onEpochAxis(
      cells.map(c => ({ epochs: c.epochs, values: pick(c) })),
      options.planned
    );
    const series: ISeries[] = cells.map((c, k) => ({
      label: cellName(c.cell),
      values: axis.values[k],
      color: SERIES_COLORS[k % SERIES_COLORS.length]
    }));
    if (chance && typeof options.chance === 'number') {
      series.push({
        label: trans.__('chance'),
        values: axis.xs.map(() => options.chance),
        color: 'var(--jp-ui-font-color2, #888)',
        dashed: true
      });
    }
    const band = options.band;
    if (chance && band && band.length === 2) {
      series.push({
        label: trans.__('above this, not luck (95 % of guessers score less)'),
        values: axis.xs.map(() => band[1]),
        color: 'var(--jp-error-color1, #d32f2f)',
        dashed: true
      });
    }
    const svg = svgEl('svg', { class: 'dlviz-chart', role: 'img', 'aria-label': title });
    svg.setAttribute('data-testid', testid + suffix);
    const points = cells.reduce((n, c) => n + pick(c).filter(v => typeof v === 'number').length, 0);
    svg.setAttribute('data-points', String(points));
    drawChart(svg, axis.xs, series, {
      title,
      xDomain: [1, Math.max(2, axis.xs.length)],
      ...extra
    });
    return el('figure', 'dlviz-figure', undefined, svg as unknown as Node, legend(series));
  };
  const charts = [
    chart(trans.__('Validation loss'), c => c.validation_loss, {}, 'dlviz-rnn-compare-loss')
  ];
  if (cells.some(c => c.validation_accuracy.some(v => typeof v === 'number'))) {
    charts.push(
      chart(
        trans.__('Validation accuracy'),
        c => c.validation_accuracy,
        { yDomain: [0, 1], percent: true },
        'dlviz-rnn-compare-accuracy',
        true
      )
    );
  }
  if (cells.some(c => c.bits_per_character?.some(v => typeof v === 'number'))) {
    charts.push(
      chart(
        trans.__('Bits per character'),
        c => c.bits_per_character ?? [],
        {},
        'dlviz-rnn-compare-bits'
      )
    );
  }
  return el('div', 'dlviz-chart-row', undefined, ...charts);
}

/**
 * The share right at each step that has a target (rnn.compare's `accuracy_by_step`), one line
 * per cell, with chance and the top of its band: which recalled symbols each cell gets. Null
 * when no cell has two such steps (one prediction per sequence).
 */
export function stepChart(
  cells: { cell: string; accuracy_by_step?: (number | null)[] | null }[],
  chance: number | null,
  band: number[] | null | undefined
): HTMLElement | null {
  const length = Math.max(0, ...cells.map(c => c.accuracy_by_step?.length ?? 0));
  const steps: number[] = [];
  for (let t = 0; t < length; t++) {
    if (cells.some(c => typeof c.accuracy_by_step?.[t] === 'number')) {
      steps.push(t);
    }
  }
  if (steps.length < 2) {
    return null;
  }
  const xs = steps.map(t => t + 1);
  const series: ISeries[] = cells.map((c, k) => ({
    label: cellName(c.cell),
    values: steps.map(t => c.accuracy_by_step?.[t] ?? null),
    color: SERIES_COLORS[k % SERIES_COLORS.length]
  }));
  if (typeof chance === 'number') {
    series.push({
      label: trans.__('chance'),
      values: xs.map(() => chance),
      color: 'var(--jp-ui-font-color2, #888)',
      dashed: true
    });
  }
  if (band && band.length === 2) {
    series.push({
      label: trans.__('above this, not luck (95 % of guessers score less)'),
      values: xs.map(() => band[1]),
      color: 'var(--jp-error-color1, #d32f2f)',
      dashed: true
    });
  }
  const title = trans.__('Validation accuracy at each step with a target');
  const svg = svgEl('svg', { class: 'dlviz-chart', role: 'img', 'aria-label': title });
  svg.setAttribute('data-testid', 'dlviz-rnn-compare-steps');
  svg.setAttribute('data-steps', xs.join(','));
  drawChart(svg, xs, series, {
    title,
    xDomain: [xs[0], Math.max(xs[0] + 1, xs[xs.length - 1])],
    yDomain: [0, 1],
    percent: true
  });
  return el('figure', 'dlviz-figure', undefined, svg as unknown as Node, legend(series));
}
