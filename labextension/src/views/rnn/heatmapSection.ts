/**
 * The hidden-state heat map: units × steps of the chosen layer and direction, the inputs along
 * the top, units ordered by index, variance or correlation with a signal (such as nesting
 * depth). A click picks a unit and a step; a drag across steps brushes a span.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { formulas, num } from './rnnFormulas';
import {
  brushSpan,
  pearson,
  stepLabels,
  unitColumn,
  unitsBySteps,
  UnitOrder,
  variance
} from './rnnLogic';
import { layerName } from './rnnResult';
import { box, formulaLine, select, unitMap, writeFormulas } from './rnnDraw';
import {
  cellOf,
  formulaLayer,
  IRnnState,
  layerOf,
  limitOf,
  orderOf,
  signalOf,
  stepsByUnits,
  stepsOf
} from './rnnState';

export type Select = (change: Partial<IRnnState>) => void;

export class HeatmapSection {
  readonly node = box('dlviz-rnn-heatmap');
  private _controls = el('div', 'dlviz-rnn-controls');
  private _readout = el('div', 'dlviz-rnn-readout');
  private _host = el('div', 'dlviz-rnn-map-host');
  private _formula = formulaLine('dlviz-rnn-hidden-formula');
  private _select: Select;

  constructor(onSelect: Select) {
    this._select = onSelect;
    this._readout.setAttribute('aria-live', 'polite');
    this.node.append(this._controls, this._readout, this._host, this._formula);
  }

  /** The canvas of the heat map shown (PNG export). */
  get canvas(): HTMLCanvasElement | null {
    return this._host.querySelector('canvas');
  }

  render(state: IRnnState): void {
    this._renderControls(state);
    const layer = layerOf(state);
    const m = stepsByUnits(layer.hidden);
    const order = orderOf(state);
    const labels = stepLabels(state.result.input.characters, m.steps);
    const spans = [];
    if (state.highlight) {
      spans.push({ span: state.highlight, className: 'dlviz-rnn-mark-match' });
    }
    if (state.span) {
      spans.push({ span: state.span, className: 'dlviz-rnn-mark-span' });
    }
    const map = unitMap({
      values: unitsBySteps(m, order),
      rows: order.length,
      steps: m.steps,
      labels,
      limit: limitOf(state),
      row: order.indexOf(state.unit),
      step: state.step,
      spans,
      testid: 'dlviz-rnn-heatmap-canvas',
      title: trans.__('hidden state, units × steps')
    });
    this._host.replaceChildren(map.node);
    this._host.setAttribute('data-units', String(order.length));
    this._host.setAttribute('data-steps', String(m.steps));
    this._host.setAttribute('data-order', order.slice(0, 16).join(','));
    this._host.setAttribute('data-limit', String(limitOf(state)));
    this._listen(state, map.area, map.cell, order, labels);
    const column = unitColumn(m, state.unit);
    const signal = signalOf(state);
    const facts = [trans.__('variance %1', num(variance(column)))];
    if (signal) {
      facts.push(trans.__('r with %1 = %2', state.signal ?? '', num(pearson(column, signal))));
    }
    this._readout.textContent = trans.__('Unit %1: %2', state.unit, facts.join(', '));
    const all = formulas(cellOf(state), formulaLayer(layer), state.unit, state.step);
    writeFormulas(
      this._formula,
      state.unit,
      state.step,
      [all.state, all.hidden].filter(Boolean) as string[]
    );
  }

  private _renderControls(state: IRnnState): void {
    const bidirectional = state.result.network.bidirectional;
    const layers = select(
      state.result.layers.map((layer, i): [string, string] => [
        String(i),
        trans.__('Layer %1', layerName(layer, bidirectional))
      ]),
      String(state.layer),
      trans.__('Layer'),
      value => this._select({ layer: Number(value), span: null })
    );
    layers.setAttribute('data-testid', 'dlviz-rnn-layer');
    const signals = Object.keys(state.result.input.signals ?? {});
    const orders: [string, string][] = [
      ['index', trans.__('units by number')],
      ['variance', trans.__('units by variance')],
      ...signals.map((name): [string, string] => [
        `correlation:${name}`,
        trans.__('units by correlation with %1', name)
      ])
    ];
    const current =
      state.orderBy === 'correlation' && state.signal
        ? `correlation:${state.signal}`
        : state.orderBy === 'correlation'
          ? 'variance'
          : state.orderBy;
    const order = select(orders, current, trans.__('Order of the units'), value => {
      const [by, name] = value.split(':');
      this._select({ orderBy: by as UnitOrder, signal: name ?? state.signal });
    });
    order.setAttribute('data-testid', 'dlviz-rnn-order');
    const perEpoch = el('input');
    perEpoch.type = 'checkbox';
    perEpoch.checked = state.perEpoch;
    perEpoch.setAttribute('data-testid', 'dlviz-rnn-scale-per-epoch');
    perEpoch.onchange = () => this._select({ perEpoch: perEpoch.checked });
    const scale = el(
      'label',
      'dlviz-rnn-scale',
      undefined,
      perEpoch,
      document.createTextNode(trans.__('scale per epoch'))
    );
    scale.title = trans.__(
      'Off: the colours mean the same value at every epoch (±%1), so the epochs compare like with like. On: each epoch uses its own largest value.',
      num(limitOf({ ...state, perEpoch: false }))
    );
    this._controls.replaceChildren(
      el('label', undefined, trans.__('Layer')),
      layers,
      el('label', undefined, trans.__('Rows')),
      order,
      scale
    );
  }

  /** Hover says the value; a click picks a unit and step; a drag brushes a span of steps. */
  private _listen(
    state: IRnnState,
    area: HTMLElement,
    cell: { width: number; height: number },
    order: number[],
    labels: string[]
  ): void {
    const steps = stepsOf(state);
    const m = stepsByUnits(layerOf(state).hidden);
    const point = (event: MouseEvent) => {
      const rect = area.getBoundingClientRect();
      const x = event.clientX - rect.left;
      const y = event.clientY - rect.top;
      const step = Math.max(0, Math.min(steps - 1, Math.floor(x / cell.width)));
      const row = Math.max(0, Math.min(order.length - 1, Math.floor(y / cell.height)));
      return { x, step, unit: order[row] };
    };
    let start: number | null = null;
    let brush: HTMLElement | null = null;
    area.onmousemove = event => {
      const p = point(event);
      const value = m.data[p.step * m.units + p.unit];
      area.title = trans.__(
        'unit %1, step %2 (%3): %4',
        p.unit,
        p.step,
        labels[p.step],
        num(value)
      );
      if (start !== null && Math.abs(p.x - start) > 3) {
        const span = brushSpan(start, p.x, cell.width, steps);
        if (!brush) {
          brush = el('div', 'dlviz-rnn-mark dlviz-rnn-mark-span');
          area.appendChild(brush);
        }
        Object.assign(brush.style, {
          left: `${span.start * cell.width}px`,
          width: `${(span.end - span.start) * cell.width}px`,
          top: '0px',
          height: `${order.length * cell.height}px`
        });
      }
    };
    area.onmousedown = event => {
      event.preventDefault();
      start = point(event).x;
    };
    area.onmouseup = event => {
      if (start === null) {
        return;
      }
      const p = point(event);
      const from = start;
      start = null;
      if (Math.abs(p.x - from) > 3) {
        this._select({ span: brushSpan(from, p.x, cell.width, steps) });
      } else {
        this._select({ unit: p.unit, step: p.step });
      }
    };
    area.onmouseleave = () => {
      start = null;
      brush?.remove();
      brush = null;
    };
  }
}
