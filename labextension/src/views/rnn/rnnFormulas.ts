/**
 * The formulas of a recurrent cell written with the real numbers of one unit at one step:
 * the gates (LSTM i, f, g, o; GRU r, z, n; plain RNN pre-activation a) and the states c_t and
 * h_t, e.g. "f_t = σ(W_f x_t + U_f h_{t−1} + b_f) = 0.93". PyTorch's conventions (docs of
 * nn.LSTM, nn.GRU). Pure: tested by jest.
 */

/** A [T, H] array as the explorer holds it. */
export interface IMatrix {
  data: ArrayLike<number>;
  shape: number[];
}

/** One layer and direction of an inspect result, the parts the formulas read. */
export interface IFormulaLayer {
  direction: 'forward' | 'backward';
  hidden: IMatrix;
  cell: IMatrix | null;
  gates: { [gate: string]: IMatrix };
}

/** The cell kind of the network (`network.cell` of an inspect result). */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';

/** A number as the formulas show it: two decimals, a true minus sign. */
export function num(value: number): string {
  if (!Number.isFinite(value)) {
    return '–';
  }
  const text = (Math.abs(value) < 0.005 ? 0 : value).toFixed(2);
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

function at(m: IMatrix | null | undefined, t: number, unit: number): number {
  if (!m) {
    return NaN;
  }
  const units = m.shape[1] ?? 0;
  const steps = m.shape[0] ?? 0;
  return t >= 0 && t < steps ? Number(m.data[t * units + unit]) : 0;
}

/** The symbol of each gate in the formulas. */
export const GATE_SYMBOLS: { [gate: string]: string } = {
  input: 'i',
  forget: 'f',
  cell: 'g',
  output: 'o',
  reset: 'r',
  update: 'z',
  new: 'n',
  pre_activation: 'a'
};

/**
 * Every formula of the cell for `unit` at `step`, by gate name plus 'cell' (c_t, LSTM) and
 * 'hidden' (h_t). The previous state is the step before (forward) or after (backward); 0 at
 * the sequence's edge.
 */
export function formulas(
  kind: CellKind,
  layer: IFormulaLayer,
  unit: number,
  step: number
): { [name: string]: string } {
  const back = layer.direction === 'backward';
  const prev = back ? step + 1 : step - 1;
  const p = back ? 't+1' : 't−1';
  const g = (name: string) => at(layer.gates[name], step, unit);
  const h = at(layer.hidden, step, unit);
  const hPrev = at(layer.hidden, prev, unit);
  const sigmoid = (s: string) =>
    `${s}_t = σ(W_${s} x_t + U_${s} h_{${p}} + b_${s}) = ${num(g(nameOf(s)))}`;
  if (kind === 'lstm') {
    const c = at(layer.cell, step, unit);
    const cPrev = at(layer.cell, prev, unit);
    return {
      input: sigmoid('i'),
      forget: sigmoid('f'),
      cell: `g_t = tanh(W_g x_t + U_g h_{${p}} + b_g) = ${num(g('cell'))}`,
      output: sigmoid('o'),
      state:
        `c_t = f_t·c_{${p}} + i_t·g_t = ${num(g('forget'))}·${num(cPrev)} + ` +
        `${num(g('input'))}·${num(g('cell'))} = ${num(c)}`,
      hidden: `h_t = o_t·tanh(c_t) = ${num(g('output'))}·tanh(${num(c)}) = ${num(h)}`
    };
  }
  if (kind === 'gru') {
    const z = g('update');
    return {
      reset: sigmoid('r'),
      update: sigmoid('z'),
      new: `n_t = tanh(W_n x_t + b_n + r_t·(U_n h_{${p}} + b_hn)) = ${num(g('new'))}`,
      hidden:
        `h_t = (1 − z_t)·n_t + z_t·h_{${p}} = (1 − ${num(z)})·${num(g('new'))} + ` +
        `${num(z)}·${num(hPrev)} = ${num(h)}`
    };
  }
  const a = g('pre_activation');
  const f = kind === 'rnn_relu' ? 'relu' : 'tanh';
  return {
    pre_activation: `a_t = W x_t + U h_{${p}} + b = ${num(a)}`,
    hidden: `h_t = ${f}(a_t) = ${f}(${num(a)}) = ${num(h)}`
  };
}

function nameOf(symbol: string): string {
  return Object.keys(GATE_SYMBOLS).find(k => GATE_SYMBOLS[k] === symbol) ?? symbol;
}

/**
 * The state recomputed from the gates by the formula, for checking: LSTM c_t and h_t, GRU h_t,
 * RNN h_t. The explorer's numbers come from the kernel; this says they add up.
 */
export function recompute(
  kind: CellKind,
  layer: IFormulaLayer,
  unit: number,
  step: number
): { hidden: number; cell: number | null } {
  const prev = layer.direction === 'backward' ? step + 1 : step - 1;
  const g = (name: string) => at(layer.gates[name], step, unit);
  if (kind === 'lstm') {
    const c = g('forget') * at(layer.cell, prev, unit) + g('input') * g('cell');
    return { hidden: g('output') * Math.tanh(c), cell: c };
  }
  if (kind === 'gru') {
    const z = g('update');
    return { hidden: (1 - z) * g('new') + z * at(layer.hidden, prev, unit), cell: null };
  }
  const a = g('pre_activation');
  return { hidden: kind === 'rnn_relu' ? Math.max(0, a) : Math.tanh(a), cell: null };
}
