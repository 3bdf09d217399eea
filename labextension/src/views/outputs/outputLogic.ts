/**
 * Pure logic of the notebook outputs' renderers (no DOM): class colours, the decision
 * boundary's pixels, the plane's scales, filter tiles, step labels and curve groups.
 * Tested by jest (tests/js/outputs.test.ts).
 */
import { RGB } from '../shared/colors';

/** One colour per class, distinct on light and dark backgrounds (Tableau 10). */
export const CLASS_COLORS: RGB[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207]
];

/** The colour of class `k` (the palette repeats after 10 classes). */
export function classColor(k: number): RGB {
  const n = CLASS_COLORS.length;
  return CLASS_COLORS[((Math.round(k) % n) + n) % n];
}

/** `a` blended toward `b` by `t` (0: a, 1: b). */
export function mix(a: RGB, b: RGB, t: number): RGB {
  const s = Math.max(0, Math.min(1, t));
  return [
    Math.round(a[0] + (b[0] - a[0]) * s),
    Math.round(a[1] + (b[1] - a[1]) * s),
    Math.round(a[2] + (b[2] - a[2]) * s)
  ];
}

/** '#rrggbb' or 'rgb(r, g, b)' as RGB; `fallback` for anything else. */
export function parseColor(text: string, fallback: RGB): RGB {
  const value = text.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, c => c + c) : hex[1];
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  const rgb = /^rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/i.exec(value);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : fallback;
}

/**
 * RGBA pixels of the decision boundary: grid x grid cells, image row 0 at the top (the
 * largest y; the payload's row 0 is the smallest y). Each cell takes its predicted class's
 * colour, stronger the surer the model is: from 1/classes (a guess) to 1 (certain).
 */
export function boundaryPixels(
  predicted: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  grid: number,
  classes: number,
  background: RGB
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(grid * grid * 4);
  const guess = 1 / Math.max(1, classes);
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const cell = row * grid + col;
      const k = predicted[cell];
      const sure = probabilities[cell * classes + k];
      const t = guess < 1 ? (sure - guess) / (1 - guess) : 1;
      const rgb = mix(background, classColor(k), 0.15 + 0.6 * Math.max(0, Math.min(1, t)));
      const at = ((grid - 1 - row) * grid + col) * 4;
      out[at] = rgb[0];
      out[at + 1] = rgb[1];
      out[at + 2] = rgb[2];
      out[at + 3] = 255;
    }
  }
  return out;
}

/** Maps [lo, hi] onto [0, size] pixels (flipped: y grows upward on screen). */
export function planeScale(range: [number, number], size: number, flip = false) {
  const [lo, hi] = range;
  const span = hi > lo ? hi - lo : 1;
  return (v: number) => (flip ? size - ((v - lo) / span) * size : ((v - lo) / span) * size);
}

/** [lo, hi] of one column of points [N, 2], widened by `margin` of the span on each side. */
export function pointRange(
  points: ArrayLike<number>,
  column: number,
  margin = 0.05
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = column; i < points.length; i += 2) {
    const v = points[i];
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(lo <= hi)) {
    return [-1, 1];
  }
  const pad = hi > lo ? (hi - lo) * margin : 1;
  return [lo - pad, hi + pad];
}

/** Pixels per value for a heat map of `count` columns to fit about `width` pixels. */
export function cellSize(count: number, width: number, min = 2, max = 16): number {
  return Math.max(min, Math.min(max, Math.floor(width / Math.max(1, count))));
}

/** One kernel [kh, kw] of filters [out, in, kh, kw]: filter `o`, input channel `c`. */
export function kernelOf(
  data: ArrayLike<number>,
  shape: number[],
  o: number,
  c: number
): Float32Array {
  const [, channels, kh, kw] = shape;
  const size = kh * kw;
  const start = (o * channels + c) * size;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = data[start + i];
  }
  return out;
}

/** Values [cols, rows] of a [rows, cols] matrix (hidden states [T, H] as units x steps). */
export function transpose(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[c * rows + r] = data[r * cols + c];
    }
  }
  return out;
}

/**
 * The labels of the steps axis: the payload's characters (spaces shown as '␣', line ends as
 * '↵') or the step numbers, and every how many steps one is written so they do not overlap.
 */
export function stepLabels(
  labels: string[] | null | undefined,
  steps: number,
  pixelsPerStep: number,
  labelWidth = 9
): { text: string[]; every: number } {
  const text: string[] = [];
  for (let t = 0; t < steps; t++) {
    const raw = labels && t < labels.length ? String(labels[t]) : String(t);
    text.push(raw === ' ' ? '␣' : raw === '\n' ? '↵' : raw);
  }
  const widest = Math.max(1, ...text.map(s => s.length)) * labelWidth * (labels ? 1 : 0.8);
  return { text, every: Math.max(1, Math.ceil(widest / Math.max(1, pixelsPerStep))) };
}

/** Curves split in two charts: accuracy-like series (0..1) and the rest (losses). */
export function curveGroups<T extends { name: string }>(series: T[]): { loss: T[]; accuracy: T[] } {
  const accuracy = series.filter(s => /acc/i.test(s.name));
  return { loss: series.filter(s => !/acc/i.test(s.name)), accuracy };
}

/** The class names of a payload, or 'class 0', 'class 1', ... */
export function classNames(
  names: unknown,
  classes: number,
  label: (k: number) => string
): string[] {
  const given = Array.isArray(names) ? names.map(String) : [];
  return Array.from({ length: classes }, (_, k) => given[k] ?? label(k));
}

/** Distinct class numbers present in labels, sorted. */
export function presentClasses(labels: ArrayLike<number>): number[] {
  return Array.from(new Set(Array.from(labels))).sort((a, b) => a - b);
}

/**
 * Tiles [h, w] side by side, `columns` per row, one value of NaN between them (drawn grey):
 * one canvas for many filters or maps.
 */
export function mosaic(
  tiles: ArrayLike<number>[],
  h: number,
  w: number,
  columns: number
): { values: Float32Array; height: number; width: number } {
  const cols = Math.max(1, Math.min(columns, tiles.length));
  const rows = Math.max(1, Math.ceil(tiles.length / cols));
  const width = cols * (w + 1) - 1;
  const height = rows * (h + 1) - 1;
  const values = new Float32Array(width * height).fill(NaN);
  tiles.forEach((tile, k) => {
    const top = Math.floor(k / cols) * (h + 1);
    const left = (k % cols) * (w + 1);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        values[(top + i) * width + left + j] = tile[i * w + j];
      }
    }
  });
  return { values, height, width };
}
