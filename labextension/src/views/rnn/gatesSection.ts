/**
 * The gates of the chosen layer: one units × steps heat map per gate (LSTM i, f, g, o; GRU r,
 * z, n; a plain RNN's pre-activation), each with its formula at the selected unit and step,
 * and the gate-saturation scatter (Karpathy et al. 2015): per unit, the share of steps the gate
 * is below 0.1 against the share above 0.9.
 */
import { trans } from '../../i18n';
import { el, svgEl } from '../shared/draw';
import { maxAbs } from '../shared/colors';
import { formatPercent } from '../shared/format';
import { formulas, GATE_SYMBOLS, num } from './rnnFormulas';
import { saturationPoints, stepLabels, unitsBySteps } from './rnnLogic';
import { box, formulaLine, needsKernel, unitMap, writeFormulas } from './rnnDraw';
import { Select } from './heatmapSection';
import { cellOf, formulaLayer, IRnnState, layerOf, orderOf, stepsByUnits } from './rnnState';

/** A gate's name as a learner reads it. */
export function gateTitle(gate: string): string {
  const titles: { [gate: string]: () => string } = {
    input: () => trans.__('input gate i'),
    forget: () => trans.__('forget gate f'),
    cell: () => trans.__('candidate g'),
    output: () => trans.__('output gate o'),
    reset: () => trans.__('reset gate r'),
    update: () => trans.__('update gate z'),
    new: () => trans.__('candidate n'),
    pre_activation: () => trans.__('pre-activation a')
  };
  return titles[gate]?.() ?? gate;
}

/** Gates with values in 0..1 (sigmoid); the others (tanh, pre-activation) are signed. */
const SIGMOID = new Set(['input', 'forget', 'output', 'reset', 'update']);
/** Gates after a tanh, within ±1 whatever the weights (a plain RNN's pre-activation is not). */
const TANH = new Set(['cell', 'new']);

export class GatesSection {
  readonly gates = box('dlviz-rnn-gates');
  readonly saturation = box('dlviz-rnn-saturation');
  private _select: Select;

  constructor(onSelect: Select) {
    this._select = onSelect;
  }

  render(state: IRnnState): void {
    if (state.saved) {
      this.gates.replaceChildren(needsKernel());
      this.saturation.replaceChildren(needsKernel());
      return;
    }
    const layer = layerOf(state);
    const order = orderOf(state);
    const all = formulas(cellOf(state), formulaLayer(layer), state.unit, state.step);
    const names = state.result.network.gates.filter(g => layer.gates[g]);
    const labels = stepLabels(state.result.input.characters, layer.hidden.shape[0] ?? 0);
    this.gates.replaceChildren(
      ...names.map(gate => {
        const m = stepsByUnits(layer.gates[gate]);
        const map = unitMap({
          values: unitsBySteps(m, order),
          rows: order.length,
          steps: m.steps,
          labels,
          range: SIGMOID.has(gate) ? [0, 1] : undefined,
          // tanh gates (g, n) stay within ±1: the same scale at every epoch unless per epoch
          limit: SIGMOID.has(gate)
            ? undefined
            : TANH.has(gate) && !state.perEpoch
              ? 1
              : Math.max(1e-6, maxAbs(m.data)),
          row: order.indexOf(state.unit),
          step: state.step,
          testid: `dlviz-rnn-gate-${gate}`,
          title: gateTitle(gate)
        });
        const formula = formulaLine();
        writeFormulas(formula, state.unit, state.step, [all[gate] ?? '']);
        return el(
          'figure',
          'dlviz-rnn-gate',
          undefined,
          el('figcaption', undefined, gateTitle(gate)),
          map.node,
          formula
        );
      })
    );
    this._renderSaturation(state);
  }

  private _renderSaturation(state: IRnnState): void {
    const layer = layerOf(state);
    const gates = Object.keys(layer.saturation ?? {});
    if (!gates.length) {
      this.saturation.replaceChildren(
        el('p', 'dlviz-muted', trans.__('A plain RNN has no gates that could saturate.'))
      );
      return;
    }
    this.saturation.replaceChildren(
      ...gates.map(gate => {
        const { low, high } = layer.saturation[gate];
        const points = saturationPoints(low.data, high.data);
        const s = GATE_SYMBOLS[gate] ?? gate;
        const unit = points[state.unit];
        const formula = formulaLine();
        if (unit) {
          formula.append(
            el('span', 'dlviz-rnn-formula-at', trans.__('Unit %1:', unit.unit)),
            el(
              'code',
              'dlviz-rnn-formula-text',
              `#{t : ${s}_t < 0.1} / T = ${num(unit.low)},  #{t : ${s}_t > 0.9} / T = ${num(unit.high)}`
            )
          );
        }
        return el(
          'figure',
          'dlviz-rnn-scatter-figure',
          undefined,
          el('figcaption', undefined, gateTitle(gate)),
          this._scatter(points, state.unit, gate),
          formula
        );
      })
    );
  }

  private _scatter(
    points: ReturnType<typeof saturationPoints>,
    selected: number,
    gate: string
  ): SVGElement {
    const size = 170;
    const pad = 26;
    const scale = (v: number) => pad + v * (size - pad - 8);
    const svg = svgEl('svg', {
      width: size,
      height: size,
      viewBox: `0 0 ${size} ${size}`,
      class: 'dlviz-rnn-scatter',
      'data-testid': `dlviz-rnn-scatter-${gate}`,
      'data-points': points.length
    });
    const frame = svgEl('rect', {
      x: pad,
      y: 8,
      width: size - pad - 8,
      height: size - pad - 8,
      class: 'dlviz-chart-axis',
      fill: 'none'
    });
    svg.appendChild(frame);
    const axis = (text: string, x: number, y: number, rotate = false) => {
      const label = svgEl('text', {
        x,
        y,
        class: 'dlviz-chart-tick',
        'text-anchor': 'middle',
        ...(rotate ? { transform: `rotate(-90 ${x} ${y})` } : {})
      });
      label.textContent = text;
      svg.appendChild(label);
    };
    axis(trans.__('share < 0.1'), pad + (size - pad) / 2, size - 6);
    axis(trans.__('share > 0.9'), 10, (size - pad) / 2, true);
    const symbol = GATE_SYMBOLS[gate] ?? gate;
    for (const p of points) {
      const dot = svgEl('circle', {
        cx: scale(p.low),
        cy: size - pad - p.high * (size - pad - 8),
        r: p.unit === selected ? 5 : 3,
        class:
          `dlviz-rnn-dot dlviz-rnn-dot-${p.kind}` +
          (p.unit === selected ? ' dlviz-rnn-dot-selected' : '')
      });
      const title = svgEl('title');
      title.textContent = trans.__(
        'unit %1: %2 below 0.1, %3 above 0.9 (%4)',
        p.unit,
        formatPercent(p.low),
        formatPercent(p.high),
        symbol
      );
      dot.appendChild(title);
      dot.addEventListener('click', () => this._select({ unit: p.unit }));
      svg.appendChild(dot);
    }
    return svg;
  }
}
