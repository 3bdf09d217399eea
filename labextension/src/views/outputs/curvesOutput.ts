/** `show.training_curves`: losses (and accuracies, on their own chart) per epoch. */
import { trans } from '../../i18n';
import { drawChart, el, legend, SERIES_COLORS, svgEl } from '../shared/draw';
import { header } from './canvas';
import { curveGroups } from './outputLogic';

export function renderCurves(payload: { [key: string]: any }, node: HTMLElement): void {
  const epochs: number[] = Array.isArray(payload.epochs) ? payload.epochs.map(Number) : [];
  const series: { name: string; values: (number | null)[] }[] = Array.isArray(payload.series)
    ? payload.series
    : [];
  if (!epochs.length || !series.length) {
    throw new Error(trans.__('the output holds no curves'));
  }
  const colored = series.map((s, i) => ({
    name: String(s.name),
    label: String(s.name),
    values: s.values.map(v => (v === null ? null : Number(v))),
    color: SERIES_COLORS[i % SERIES_COLORS.length],
    dashed: /val/i.test(String(s.name))
  }));
  const { loss, accuracy } = curveGroups(colored);
  const row = el('div', 'dlviz-chart-row');
  const xDomain: [number, number] = [Math.min(...epochs), Math.max(...epochs)];
  for (const [group, title] of [
    [loss, trans.__('Loss')],
    [accuracy, trans.__('Accuracy')]
  ] as const) {
    if (!group.length) {
      continue;
    }
    const svg = svgEl('svg', { class: 'dlviz-chart' });
    drawChart(svg, epochs, group, {
      width: 380,
      height: 220,
      title,
      xDomain,
      ...(group === accuracy ? { yDomain: [0, 1] as [number, number], percent: true } : {})
    });
    row.appendChild(el('div', undefined, undefined, svg, legend(group)));
  }
  node.replaceChildren(header(trans.__('%1 epochs', epochs.length)), row);
}
