/**
 * Pure logic of the RNN explorer: unit order (by variance, by correlation with a signal such as
 * nesting depth), the units × steps matrix of a heat map, a brushed span of steps, the points of
 * the gate-saturation scatter, colours of text coloured by one unit, the top predictions at a
 * step, and the params of the kernel requests. No DOM: tested by jest.
 */
import { divergingColor, RGB } from '../shared/colors';

/** How the rows (units) of a heat map are ordered. */
export type UnitOrder = 'index' | 'variance' | 'correlation';

/** A [T, H] matrix of one layer and direction (hidden states, a gate), row-major. */
export interface IStepsByUnits {
  data: ArrayLike<number>;
  steps: number;
  units: number;
}

/** The values of one unit over the steps. */
export function unitColumn(m: IStepsByUnits, unit: number): number[] {
  const out: number[] = new Array(m.steps);
  for (let t = 0; t < m.steps; t++) {
    out[t] = m.data[t * m.units + unit];
  }
  return out;
}

/** Mean of the finite values (0 for none). */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      n += 1;
    }
  }
  return n ? sum / n : 0;
}

/** Population variance of the values (0 for fewer than two). */
export function variance(values: ArrayLike<number>): number {
  if (values.length < 2) {
    return 0;
  }
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += (values[i] - m) * (values[i] - m);
  }
  return sum / values.length;
}

/** Pearson's r of two equally long series; 0 when either is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) {
    return 0;
  }
  const ma = mean(Array.prototype.slice.call(a, 0, n));
  const mb = mean(Array.prototype.slice.call(b, 0, n));
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Per unit: its variance over the steps. */
export function unitVariances(m: IStepsByUnits): number[] {
  return Array.from({ length: m.units }, (_, u) => variance(unitColumn(m, u)));
}

/** Per unit: Pearson's r of its values with `signal` (one number per step). */
export function unitCorrelations(m: IStepsByUnits, signal: ArrayLike<number>): number[] {
  return Array.from({ length: m.units }, (_, u) => pearson(unitColumn(m, u), signal));
}

/**
 * The units in the order a heat map shows them: by index, by variance (largest first), or by
 * |r| with `signal` (strongest first). Ties keep the index order.
 */
export function orderUnits(m: IStepsByUnits, by: UnitOrder, signal?: ArrayLike<number>): number[] {
  const units = Array.from({ length: m.units }, (_, u) => u);
  if (by === 'index') {
    return units;
  }
  const keys =
    by === 'variance'
      ? unitVariances(m)
      : signal
        ? unitCorrelations(m, signal).map(Math.abs)
        : units.map(() => 0);
  return units.sort((a, b) => keys[b] - keys[a] || a - b);
}

/** The heat map's values: one row per unit in `order`, one column per step. */
export function unitsBySteps(m: IStepsByUnits, order: number[]): Float32Array {
  const out = new Float32Array(order.length * m.steps);
  order.forEach((unit, row) => {
    for (let t = 0; t < m.steps; t++) {
      out[row * m.steps + t] = m.data[t * m.units + unit];
    }
  });
  return out;
}

/** A span of steps [start, end). */
export interface ISpan {
  start: number;
  end: number;
}

/**
 * The steps a brush covers: from the column under `fromX` to the column under `toX` (pixels
 * from the heat map's left edge, in either order), both included, clamped to the steps.
 */
export function brushSpan(fromX: number, toX: number, cellWidth: number, steps: number): ISpan {
  const column = (x: number) =>
    Math.max(0, Math.min(steps - 1, Math.floor(x / Math.max(cellWidth, 1e-9))));
  const a = column(Math.min(fromX, toX));
  const b = column(Math.max(fromX, toX));
  return { start: a, end: b + 1 };
}

/** One point of the gate-saturation scatter: a unit's share of steps below 0.1 and above 0.9. */
export interface ISaturationPoint {
  unit: number;
  low: number;
  high: number;
  /** 'closed' mostly below 0.1, 'open' mostly above 0.9, 'both', or 'free' (rarely saturated). */
  kind: 'closed' | 'open' | 'both' | 'free';
}

/** The scatter's points; a unit counts as saturated on a side when that share is at least `cut`. */
export function saturationPoints(
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  cut = 0.5
): ISaturationPoint[] {
  const out: ISaturationPoint[] = [];
  for (let u = 0; u < Math.min(low.length, high.length); u++) {
    const l = low[u];
    const h = high[u];
    const kind = l >= cut ? 'closed' : h >= cut ? 'open' : l + h >= cut ? 'both' : 'free';
    out.push({ unit: u, low: l, high: h, kind });
  }
  return out;
}

/** The colour of a value on the diverging scale (negative blue, positive red) and a readable ink. */
export function unitColor(value: number, limit: number): { background: string; ink: string } {
  const rgb: RGB = divergingColor(value, limit);
  const luminance = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255;
  return {
    background: `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`,
    ink: luminance > 0.55 ? '#000000' : '#ffffff'
  };
}

/** A character as it reads on an axis or in coloured text: blanks made visible. */
export function visibleChar(c: string | null | undefined): string {
  if (c === null || c === undefined) {
    return '?';
  }
  const names: { [key: string]: string } = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };
  return names[c] ?? c;
}

/** The label of each step: its character, else its row (step) number. */
export function stepLabels(characters: (string | null)[] | null | undefined, steps: number) {
  return Array.from({ length: steps }, (_, t) =>
    characters && t < characters.length ? visibleChar(characters[t]) : String(t)
  );
}

/** The top predictions after step `t`: label and probability, most likely first. */
export function topAt(
  indices: { data: ArrayLike<number>; shape: number[] },
  probabilities: { data: ArrayLike<number>; shape: number[] },
  labels: string[] | null | undefined,
  t: number
): { label: string; probability: number }[] {
  const k = indices.shape[1] ?? 0;
  const out: { label: string; probability: number }[] = [];
  for (let j = 0; j < k; j++) {
    const index = indices.data[t * k + j];
    const label = labels && index < labels.length ? labels[index] : String(index);
    out.push({ label: visibleChar(label), probability: probabilities.data[t * k + j] });
  }
  return out.sort((a, b) => b.probability - a.probability);
}

/** A match's text "…before[span]after…" split into its three parts. */
export function splitMatch(text: string | null | undefined): {
  before: string;
  span: string;
  after: string;
} {
  const value = text ?? '';
  const open = value.indexOf('[');
  const close = value.lastIndexOf(']');
  if (open < 0 || close < open) {
    return { before: '', span: value, after: '' };
  }
  return {
    before: value.slice(0, open),
    span: value.slice(open + 1, close),
    after: value.slice(close + 1)
  };
}

/** What the explorer asks `rnn.inspect` for: a sequence number or a typed text. */
export type RnnInput = { index: number } | { text: string };

/**
 * The params of an `rnn.inspect` run: of training run `run` (epoch -1 for the last), or of the
 * notebook model in `base` (the params of the inspect run the view was opened on).
 */
export function inspectParams(
  run: string | null,
  epoch: number,
  input: RnnInput,
  base: { [key: string]: unknown } = {}
): { [key: string]: unknown } {
  const baseInput = (base.input ?? {}) as { [key: string]: unknown };
  const wanted =
    'text' in input
      ? { index: 0, text: input.text, vocabulary: baseInput.vocabulary ?? '' }
      : { index: input.index, variable: baseInput.variable ?? '' };
  const out: { [key: string]: unknown } = run
    ? { run, epoch }
    : { ...base, run: '', epoch: -1, step: -1 };
  out.input = wanted;
  return out;
}

/** The params of an `rnn.units` run: the inspect params plus the span and the search. */
export function unitsParams(
  inspect: { [key: string]: unknown },
  layer: number,
  direction: number,
  span: ISpan,
  threshold: number,
  offOutside: boolean
): { [key: string]: unknown } {
  const out: { [key: string]: unknown } = {};
  for (const key of ['run', 'model', 'epoch', 'input', 'max_steps']) {
    if (key in inspect) {
      out[key] = inspect[key];
    }
  }
  return {
    ...out,
    layer,
    direction,
    start: span.start,
    end: span.end,
    threshold,
    off_outside: offOutside
  };
}

/**
 * Whether a network's hidden state stays within [-1, 1] whatever its weights: h = o·tanh(c) of an
 * LSTM without projection, a GRU's mix of tanh values, a tanh RNN. A ReLU RNN or a projected
 * LSTM is unbounded.
 */
export function boundedHidden(cell: string, projection: number | null | undefined): boolean {
  return cell === 'gru' || cell === 'rnn_tanh' || (cell === 'lstm' && !projection);
}

/**
 * The colour limit of a hidden-state heat map: per epoch, the largest |h| of the values shown;
 * else the same for every epoch of the run, 1 for a bounded cell and the largest |h| seen so far
 * (`seen`) for an unbounded one, so moving the epoch slider compares like with like.
 */
export function heatLimit(
  values: ArrayLike<number>,
  perEpoch: boolean,
  bounded: boolean,
  seen: number
): number {
  let own = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (Number.isFinite(v) && v > own) {
      own = v;
    }
  }
  const limit = perEpoch ? own : bounded ? 1 : Math.max(own, seen);
  return Math.max(1e-6, limit);
}

/**
 * The kept epochs a kernel's error lists ("Epoch 7 is not kept for this run; kept epochs:
 * [0, 1, 2, 3].", rnn/inspect.py), or null when the message lists none.
 */
export function keptEpochsIn(message: string | null | undefined): number[] | null {
  const match = /kept epochs: \[([\d,\s]*)\]/.exec(message ?? '');
  if (!match) {
    return null;
  }
  const epochs = match[1]
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .map(Number);
  return epochs.length ? epochs : null;
}

/** Values scaled to 0..1 by their largest (bars of a memory plot); all 0 when none is positive. */
export function shares(values: ArrayLike<number>): number[] {
  let top = 0;
  for (let i = 0; i < values.length; i++) {
    top = Math.max(top, Number.isFinite(values[i]) ? values[i] : 0);
  }
  return Array.from(values, v => (top > 0 && Number.isFinite(v) ? v / top : 0));
}
