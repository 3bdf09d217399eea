/**
 * Pure logic of the Transformer views (step by step, projection, long inputs): number
 * formatting, matrix cells, scatter scaling and the strongest links of an attention matrix.
 * No DOM: tested by jest.
 */

/** A value as a learner reads it in a cell: 3 significant digits, −∞ for a masked score. */
export function formatValue(value: number): string {
  if (value === -Infinity) {
    return '−∞';
  }
  if (value === Infinity) {
    return '∞';
  }
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === 0) {
    return '0';
  }
  const abs = Math.abs(value);
  if (abs >= 1000 || abs < 0.001) {
    return value.toExponential(1).replace('-', '−');
  }
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits).replace('-', '−');
}

/** Whether a rows x cols matrix is small enough to print its numbers in the cells. */
export function showNumbers(rows: number, cols: number, limit = 256): boolean {
  return rows * cols <= limit;
}

/** Pixels per cell so that a rows x cols heatmap fits in `maxWidth` x `maxHeight` (at least 1, at most 24). */
export function cellSize(rows: number, cols: number, maxWidth = 720, maxHeight = 360): number {
  const fit = Math.floor(Math.min(maxWidth / Math.max(cols, 1), maxHeight / Math.max(rows, 1)));
  return Math.max(1, Math.min(24, fit));
}

/** The finite values' range (for colours of scores with −∞ where masked): `valueRange`. */
export { valueRange as finiteRange } from '../shared/colors';

/** The `[rows, cols]` values of a row-major matrix transposed. */
export function transpose(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[j * rows + i] = values[i * cols + j];
    }
  }
  return out;
}

export interface IScatterScale {
  x(value: number): number;
  y(value: number): number;
  /** Data units per pixel (both axes: the scale keeps the aspect ratio). */
  unitsPerPixel: number;
}

/**
 * A scale that fits points `[x0, y0, x1, y1, ...]` into width x height pixels minus `pad` on each
 * side, with the same units per pixel on both axes (distances stay true), centred, y up.
 */
export function scatterScale(
  points: ArrayLike<number>,
  width: number,
  height: number,
  pad = 24
): IScatterScale {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i];
    const y = points[i + 1];
    if (Number.isFinite(x) && Number.isFinite(y)) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (x0 > x1) {
    x0 = x1 = y0 = y1 = 0;
  }
  const spanX = Math.max(x1 - x0, 1e-9);
  const spanY = Math.max(y1 - y0, 1e-9);
  const innerW = Math.max(width - 2 * pad, 1);
  const innerH = Math.max(height - 2 * pad, 1);
  const unitsPerPixel = Math.max(spanX / innerW, spanY / innerH);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return {
    x: v => width / 2 + (v - cx) / unitsPerPixel,
    y: v => height / 2 - (v - cy) / unitsPerPixel,
    unitsPerPixel
  };
}

/** Colours of the sentences: 0 = text, 1 = text_b, -1 = special token. */
export function sentenceColor(sentence: number): string {
  return sentence === 0 ? '#1f77b4' : sentence === 1 ? '#ff7f0e' : '#7f7f7f';
}

export interface ILink {
  from: number;
  to: number;
  weight: number;
}

/**
 * The links of an N x N attention matrix (row-major) whose weight is at least `threshold`,
 * strongest first, at most `maxLinks` of them. For long inputs the head view draws only these.
 */
export function strongestLinks(
  matrix: ArrayLike<number>,
  n: number,
  threshold: number,
  maxLinks = Infinity
): ILink[] {
  const links: ILink[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = matrix[i * n + j];
      if (w >= threshold) {
        links.push({ from: i, to: j, weight: w });
      }
    }
  }
  links.sort((a, b) => b.weight - a.weight || a.from - b.from || a.to - b.to);
  return links.length > maxLinks ? links.slice(0, maxLinks) : links;
}

/** The default threshold for N tokens: a link must carry well above the uniform share 1/N. */
export function defaultThreshold(n: number): number {
  return Math.min(0.5, Math.max(0.05, 4 / Math.max(n, 1)));
}

/** Above this many tokens, a head view draws only the strongest links (every link would be N² lines). */
export const LONG_INPUT_TOKENS = 128;

/**
 * A colour limit that one outlier cannot wash out: the `q` quantile of |value| over the finite
 * values (embeddings have a few huge dimensions). At least a tiny positive number.
 */
export function robustLimit(values: ArrayLike<number>, q = 0.98): number {
  const abs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      abs.push(Math.abs(v));
    }
  }
  if (!abs.length) {
    return 1e-12;
  }
  abs.sort((a, b) => a - b);
  const index = Math.min(abs.length - 1, Math.max(0, Math.ceil(q * abs.length) - 1));
  return Math.max(abs[index], 1e-12);
}

/** Cell width and height (pixels) of a heatmap: wide matrices get taller rows so they stay readable. */
export function cellShape(
  rows: number,
  cols: number,
  maxWidth = 720,
  maxHeight = 360
): [number, number] {
  const width = cellSize(rows, cols, maxWidth, maxHeight);
  const height = Math.max(width, Math.min(16, Math.floor(maxHeight / Math.max(rows, 1))));
  return [width, Math.max(1, height)];
}
