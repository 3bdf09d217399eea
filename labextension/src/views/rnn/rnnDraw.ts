/**
 * DOM pieces the RNN explorer's sections share: a content box with its test id, the line that
 * writes a formula, a units × steps heat map with its step axis and marks (selected unit and
 * step, spans), and a select built from options.
 */
import { trans } from '../../i18n';
import { el, heatmap } from '../shared/draw';
import { ISpan } from './rnnLogic';

/** A section's content box, with the test id the browser tests find it by. */
export function box(className: string): HTMLElement {
  const node = el('div', className);
  node.setAttribute('data-testid', className);
  return node;
}

/** The line under a picture that writes its formula with the selected numbers. */
export function formulaLine(testid?: string): HTMLElement {
  const node = el('div', 'dlviz-formula dlviz-rnn-formula');
  if (testid) {
    node.setAttribute('data-testid', testid);
  }
  return node;
}

/** Fill a formula line: what the numbers belong to, then the formulas, one per line. */
export function writeFormulas(node: HTMLElement, unit: number, step: number, lines: string[]) {
  node.replaceChildren(
    el('span', 'dlviz-rnn-formula-at', trans.__('Unit %1, step %2:', unit, step)),
    ...lines.map(line => el('code', 'dlviz-rnn-formula-text', line))
  );
}

/** The line a section shows instead of its picture while its kernel is gone. */
export function needsKernel(): HTMLElement {
  const node = el(
    'p',
    'dlviz-muted dlviz-rnn-needs-kernel',
    trans.__(
      'This needs the trained model, and its kernel is gone: only the hidden states and predictions saved with the run are shown.'
    )
  );
  node.setAttribute('data-testid', 'dlviz-rnn-needs-kernel');
  return node;
}

/** A select with (value, label) options and the value chosen. */
export function select(
  options: [string, string][],
  value: string,
  label: string,
  onChange: (value: string) => void
): HTMLSelectElement {
  const node = el('select', 'jp-mod-styled dlviz-rnn-select');
  node.setAttribute('aria-label', label);
  for (const [v, text] of options) {
    const option = el('option', undefined, text);
    option.value = v;
    node.appendChild(option);
  }
  node.value = value;
  node.onchange = () => onChange(node.value);
  return node;
}

/** Pixels per step and per unit of a heat map, so long sequences and many units still fit. */
export function cellSizes(steps: number, units: number): { width: number; height: number } {
  const width = steps <= 60 ? 16 : steps <= 120 ? 10 : 6;
  const height = units <= 16 ? 14 : units <= 64 ? 7 : 4;
  return { width, height };
}

export interface IUnitMap {
  /** Rows (units in the order shown) × columns (steps), row-major. */
  values: ArrayLike<number>;
  rows: number;
  steps: number;
  labels: string[];
  /** Diverging around 0 up to `limit`, or sequential over `range`. */
  limit?: number;
  range?: [number, number];
  /** The row of the selected unit and the selected step, to mark. */
  row?: number;
  step?: number;
  spans?: { span: ISpan; className: string }[];
  testid?: string;
  title?: string;
}

/** A heat map of units × steps with the steps' labels above it; returns its parts. */
export function unitMap(spec: IUnitMap): {
  node: HTMLElement;
  canvas: HTMLCanvasElement;
  area: HTMLElement;
  cell: { width: number; height: number };
} {
  const cell = cellSizes(spec.steps, spec.rows);
  const canvas = heatmap(spec.values, spec.rows, spec.steps, {
    cell: 1,
    mode: spec.range ? 'sequential' : 'diverging',
    limit: spec.limit,
    range: spec.range,
    className: 'dlviz-rnn-canvas'
  });
  canvas.style.width = `${spec.steps * cell.width}px`;
  canvas.style.height = `${spec.rows * cell.height}px`;
  if (spec.testid) {
    canvas.setAttribute('data-testid', spec.testid);
  }
  canvas.setAttribute('aria-label', spec.title ?? trans.__('heatmap'));
  const axis = el('div', 'dlviz-rnn-axis');
  const every = cell.width >= 10 ? 1 : Math.ceil(12 / cell.width);
  spec.labels.forEach((label, t) => {
    const tick = el('span', 'dlviz-rnn-tick', t % every === 0 ? label : '');
    tick.style.width = `${cell.width}px`;
    tick.title = trans.__('step %1: %2', t, label);
    axis.appendChild(tick);
  });
  const area = el('div', 'dlviz-rnn-map-area', undefined, canvas);
  const mark = (className: string, left: number, top: number, width: number, height: number) => {
    const node = el('div', `dlviz-rnn-mark ${className}`);
    Object.assign(node.style, {
      left: `${left}px`,
      top: `${top}px`,
      width: `${width}px`,
      height: `${height}px`
    });
    area.appendChild(node);
  };
  const height = spec.rows * cell.height;
  for (const { span, className } of spec.spans ?? []) {
    mark(className, span.start * cell.width, 0, (span.end - span.start) * cell.width, height);
  }
  if (spec.step !== undefined && spec.step >= 0) {
    mark('dlviz-rnn-mark-step', spec.step * cell.width, 0, cell.width, height);
  }
  if (spec.row !== undefined && spec.row >= 0) {
    mark('dlviz-rnn-mark-unit', 0, spec.row * cell.height, spec.steps * cell.width, cell.height);
  }
  const node = el('div', 'dlviz-rnn-map', undefined, axis, area);
  return { node, canvas, area, cell };
}
