/**
 * The pure logic behind the training monitor and the CNN explorer, kept free of JupyterLab and
 * the DOM so that it can be tested alone: colour maps, turning a drawing or an uploaded image
 * into the data set's pixels, chart scales and paths, the curves fed by progress events, and the
 * notebook code that repeats a run.
 */

// ---------------------------------------------------------------------------------------------
// Colour maps

export type RGB = [number, number, number];

/** Blue (negative) - light grey (zero) - red (positive), like ColorBrewer's RdBu. */
const DIVERGING_STOPS: RGB[] = [
  [33, 102, 172],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [178, 24, 43]
];

/** Dark blue - teal - green - yellow, a viridis-like ramp that stays readable on dark themes. */
const SEQUENTIAL_STOPS: RGB[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37]
];

function ramp(stops: RGB[], t: number): RGB {
  if (!Number.isFinite(t)) {
    return [128, 128, 128];
  }
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f)
  ];
}

/** A weight's colour: `value / limit` in [-1, 1], negative blue, zero light grey, positive red. */
export function divergingColor(value: number, limit: number): RGB {
  const t = limit > 0 ? value / limit : 0;
  return ramp(DIVERGING_STOPS, (t + 1) / 2);
}

/** A non-negative quantity's colour (activation, saliency, share): `low` dark, `high` yellow. */
export function sequentialColor(value: number, low: number, high: number): RGB {
  const t = high > low ? (value - low) / (high - low) : 0;
  return ramp(SEQUENTIAL_STOPS, t);
}

/** Largest absolute finite value (the symmetric limit of a diverging map); 0 for none. */
export function maxAbs(values: ArrayLike<number>): number {
  let out = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (Number.isFinite(v) && v > out) {
      out = v;
    }
  }
  return out;
}

/** [min, max] of the finite values; [0, 0] for none. */
export function valueRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

// ---------------------------------------------------------------------------------------------
// Drawings and uploaded images to the data set's pixels

/** A grey image: `values[y * width + x]`, 0 = background, 1 = ink. */
export interface IGrid {
  width: number;
  height: number;
  values: Float32Array;
}

/** Average-pool a grid to `outWidth` x `outHeight` (each output pixel is the mean of its area). */
export function resizeGrid(grid: IGrid, outWidth: number, outHeight: number): IGrid {
  const out = new Float32Array(outWidth * outHeight);
  const sx = grid.width / outWidth;
  const sy = grid.height / outHeight;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      // Weight each source pixel by how much of it lies inside the output pixel's area.
      for (let y = Math.floor(y0); y < Math.min(grid.height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(grid.width, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += grid.values[y * grid.width + x] * wx * wy;
          area += wx * wy;
        }
      }
      out[oy * outWidth + ox] = area > 0 ? sum / area : 0;
    }
  }
  return { width: outWidth, height: outHeight, values: out };
}

/** The smallest box holding every pixel above `threshold`, or null for an empty grid. */
export function inkBox(
  grid: IGrid,
  threshold = 0.05
): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width; x++) {
      if (grid.values[y * grid.width + x] > threshold) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  return x0 < x1 ? { x0, y0, x1, y1 } : null;
}

/**
 * A drawing as the data set's images look: the ink cropped to a square around its middle with a
 * small margin (the bundled digits fill their 8x8 box), average-pooled to `width` x `height`,
 * and stretched so that pixels at `saturation` of the darkest one or more are 1. Rows of values
 * 0..1, as `cnn.inspect` takes them.
 */
export function drawingToPixels(
  drawing: IGrid,
  width: number,
  height: number,
  margin = 0.08,
  saturation = 0.75
): number[][] {
  const box = inkBox(drawing);
  const rows: number[][] = [];
  if (!box) {
    for (let y = 0; y < height; y++) {
      rows.push(new Array(width).fill(0));
    }
    return rows;
  }
  // Square crop (keeps the digit's proportions), centred on the ink, plus the margin.
  const side = Math.max(box.x1 - box.x0, box.y1 - box.y0) * (1 + 2 * margin);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const size = Math.max(1, Math.round(side));
  const crop = new Float32Array(size * size);
  const left = Math.round(cx - size / 2);
  const top = Math.round(cy - size / 2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = left + x;
      const sy = top + y;
      if (sx >= 0 && sy >= 0 && sx < drawing.width && sy < drawing.height) {
        crop[y * size + x] = drawing.values[sy * drawing.width + sx];
      }
    }
  }
  const small = resizeGrid({ width: size, height: size, values: crop }, width, height);
  // Pixels that a stroke only half covers come out grey; the data sets' strokes are solid, so
  // everything at `saturation` of the darkest pixel or more counts as full ink.
  const full = maxAbs(small.values) * saturation;
  for (let y = 0; y < height; y++) {
    const row: number[] = [];
    for (let x = 0; x < width; x++) {
      const v = full > 0 ? Math.min(1, small.values[y * width + x] / full) : 0;
      row.push(Math.round(v * 1000) / 1000);
    }
    rows.push(row);
  }
  return rows;
}

/** Pixels 0..1 in the data set's own scale, e.g. the digits' 0..16 (what the model saw). */
export function toDataScale(pixels: number[][], pixelRange: [number, number]): number[][] {
  const [low, high] = pixelRange;
  return pixels.map(row => row.map(v => low + (high - low) * v));
}

/**
 * An uploaded picture (RGBA bytes, as canvas `getImageData` gives them) as ink 0..1: grey by
 * luminance, transparent pixels count as background, and a light background is inverted so the
 * strokes are the ink, as in the data sets.
 */
export function rgbaToInk(rgba: ArrayLike<number>, width: number, height: number): IGrid {
  const values = new Float32Array(width * height);
  let sum = 0;
  for (let i = 0; i < width * height; i++) {
    const r = rgba[4 * i];
    const g = rgba[4 * i + 1];
    const b = rgba[4 * i + 2];
    const a = rgba[4 * i + 3] / 255;
    const luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    // Over a white page, a transparent pixel is white.
    values[i] = luminance * a + (1 - a);
    sum += values[i];
  }
  const lightBackground = sum / Math.max(1, width * height) > 0.5;
  for (let i = 0; i < values.length; i++) {
    values[i] = lightBackground ? 1 - values[i] : values[i];
  }
  return { width, height, values };
}

/** An uploaded picture to the data set's size: ink, resized to fill the box (no cropping). */
export function imageToPixels(ink: IGrid, width: number, height: number): number[][] {
  const small = resizeGrid(ink, width, height);
  const [lo, hi] = valueRange(small.values);
  const rows: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row: number[] = [];
    for (let x = 0; x < width; x++) {
      const v = hi > lo ? (small.values[y * width + x] - lo) / (hi - lo) : 0;
      row.push(Math.round(v * 1000) / 1000);
    }
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Chart scales and paths

/** A linear map from a data interval to a pixel interval. */
export function linearScale(domain: [number, number], range: [number, number]): (x: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return x => (span === 0 ? (r0 + r1) / 2 : r0 + ((x - d0) / span) * (r1 - r0));
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    return [];
  }
  if (hi === lo) {
    return [lo];
  }
  const rough = (hi - lo) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= rough) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

/** The y-interval a chart shows for some series: their finite values, from 0 when `fromZero`. */
export function seriesDomain(series: (number | null)[][], fromZero = true): [number, number] {
  let lo = fromZero ? 0 : Infinity;
  let hi = -Infinity;
  for (const values of series) {
    for (const v of values) {
      if (v !== null && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!(lo <= hi)) {
    return [0, 1];
  }
  if (hi === lo) {
    hi = lo + 1;
  }
  return [lo, hi];
}

/** An SVG path through the points; a missing (null or non-finite) value breaks the line. */
export function linePath(
  xs: number[],
  ys: (number | null)[],
  sx: (x: number) => number,
  sy: (y: number) => number
): string {
  let out = '';
  let pen = false;
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const y = ys[i];
    if (y === null || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    out += `${pen ? 'L' : 'M'}${round2(sx(xs[i]))},${round2(sy(y))}`;
    pen = true;
  }
  return out;
}

/**
 * The shaded overfitting gap: polygons between `lower` (training loss) and `upper` (validation
 * loss) wherever both are known, one polygon per unbroken run of points.
 */
export function gapPath(
  xs: number[],
  upper: (number | null)[],
  lower: (number | null)[],
  sx: (x: number) => number,
  sy: (y: number) => number
): string {
  const runs: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const u = upper[i];
    const l = lower[i];
    if (u === null || l === null || u === undefined || l === undefined || !Number.isFinite(u) || !Number.isFinite(l)) {
      if (current.length) {
        runs.push(current);
      }
      current = [];
    } else {
      current.push(i);
    }
  }
  if (current.length) {
    runs.push(current);
  }
  let out = '';
  for (const run of runs) {
    if (run.length < 2) {
      continue;
    }
    const top = run.map((i, k) => `${k ? 'L' : 'M'}${round2(sx(xs[i]))},${round2(sy(upper[i] as number))}`);
    const bottom = run
      .slice()
      .reverse()
      .map(i => `L${round2(sx(xs[i]))},${round2(sy(lower[i] as number))}`);
    out += top.join('') + bottom.join('') + 'Z';
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A histogram's bars in pixels: one `{x, width, y, height}` per bin, tallest bin full height. */
export function histogramBars(
  edges: number[],
  counts: number[],
  width: number,
  height: number
): { x: number; width: number; y: number; height: number }[] {
  const lo = edges[0];
  const hi = edges[edges.length - 1];
  const sx = linearScale([lo, hi], [0, width]);
  const top = Math.max(1, ...counts);
  return counts.map((count, i) => {
    const x = sx(edges[i]);
    const h = (count / top) * height;
    return { x, width: Math.max(0, sx(edges[i + 1]) - x), y: height - h, height: h };
  });
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (values outside are clamped in). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): number[] {
  const counts = new Array(bins).fill(0);
  const span = hi - lo;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      continue;
    }
    const k = span > 0 ? Math.floor(((v - lo) / span) * bins) : 0;
    counts[Math.max(0, Math.min(bins - 1, k))]++;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Training curves

/** One value per finished epoch, as the result's `history` has them. */
export interface ICurves {
  epoch: number[];
  train_loss: (number | null)[];
  train_accuracy: (number | null)[];
  validation_loss: (number | null)[];
  validation_accuracy: (number | null)[];
  elapsed: (number | null)[];
}

const CURVE_KEYS: (keyof ICurves)[] = [
  'epoch',
  'train_loss',
  'train_accuracy',
  'validation_loss',
  'validation_accuracy',
  'elapsed'
];

export function emptyCurves(): ICurves {
  return { epoch: [], train_loss: [], train_accuracy: [], validation_loss: [], validation_accuracy: [], elapsed: [] };
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The curves after one progress event: an `"epoch"` event adds (or replaces) that epoch's
 * point; a mid-epoch `"train"` event changes nothing (it is shown as the live running loss).
 * Returns new curves; the old ones are left as they were.
 */
export function addProgress(curves: ICurves, event: { [key: string]: any }): ICurves {
  if (!event || event.phase !== 'epoch' || typeof event.epoch !== 'number') {
    return curves;
  }
  const out = emptyCurves();
  const keep = curves.epoch.map((e, i) => (e === event.epoch ? -1 : i)).filter(i => i >= 0);
  for (const key of CURVE_KEYS) {
    (out[key] as any[]) = keep.map(i => curves[key][i]);
  }
  // Insert in epoch order (a replayed event must not reorder the points).
  let at = out.epoch.findIndex(e => e > event.epoch);
  if (at < 0) {
    at = out.epoch.length;
  }
  out.epoch.splice(at, 0, event.epoch);
  for (const key of CURVE_KEYS.slice(1)) {
    (out[key] as (number | null)[]).splice(at, 0, num(event[key]));
  }
  return out;
}

/** The curves of a finished run, from its result's `history`. */
export function curvesFromHistory(history: { [key: string]: any } | null | undefined): ICurves {
  const out = emptyCurves();
  if (!history || !Array.isArray(history.epoch)) {
    return out;
  }
  out.epoch = history.epoch.map((e: any) => Number(e));
  for (const key of CURVE_KEYS.slice(1)) {
    const values = Array.isArray(history[key]) ? history[key] : [];
    (out[key] as (number | null)[]) = out.epoch.map((_, i) => num(values[i]));
  }
  return out;
}

/** "1m 05s" / "12.3 s": elapsed seconds for a learner. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    return '';
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes}m ${String(rest).padStart(2, '0')}s`;
}

/** "93.1%" for a fraction; "–" when unknown. */
export function formatPercent(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}

/** "12,345" for a parameter count. */
export function formatCount(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The line under the progress bar while a run trains. */
export function trainingLine(event: { [key: string]: any } | null | undefined): string {
  if (!event || typeof event.epoch !== 'number') {
    return event?.message ?? '';
  }
  const parts = [`Epoch ${event.epoch} of ${event.epochs ?? '?'}`];
  if (typeof event.train_loss === 'number') {
    parts.push(`training loss ${event.train_loss.toFixed(3)}`);
  }
  if (typeof event.validation_loss === 'number') {
    parts.push(`validation loss ${event.validation_loss.toFixed(3)}`);
  }
  if (typeof event.validation_accuracy === 'number') {
    parts.push(`validation accuracy ${formatPercent(event.validation_accuracy)}`);
  }
  if (typeof event.elapsed === 'number') {
    parts.push(formatSeconds(event.elapsed));
  }
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Predictions, filters, confusion

/** Classes with their probabilities, most likely first. */
export function rankPredictions(
  probabilities: ArrayLike<number>,
  classes: string[]
): { index: number; label: string; probability: number }[] {
  const out = [];
  for (let i = 0; i < probabilities.length; i++) {
    out.push({ index: i, label: classes[i] ?? String(i), probability: probabilities[i] });
  }
  return out.sort((a, b) => b.probability - a.probability || a.index - b.index);
}

/** The kernel's filter order when it is a permutation of 0..n-1, else 0..n-1. */
export function filterOrder(order: unknown, count: number): number[] {
  const identity = Array.from({ length: count }, (_, i) => i);
  if (!Array.isArray(order) || order.length !== count) {
    return identity;
  }
  const seen = new Set<number>();
  for (const v of order) {
    if (!Number.isInteger(v) || v < 0 || v >= count || seen.has(v)) {
      return identity;
    }
    seen.add(v);
  }
  return order.slice() as number[];
}

/** Each row of a confusion matrix as shares of its true class (rows of zeros stay zero). */
export function rowShares(matrix: ArrayLike<number>, classes: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < classes; r++) {
    let total = 0;
    for (let c = 0; c < classes; c++) {
      total += matrix[r * classes + c];
    }
    const row: number[] = [];
    for (let c = 0; c < classes; c++) {
      row.push(total > 0 ? matrix[r * classes + c] / total : 0);
    }
    out.push(row);
  }
  return out;
}

/** The epoch number a slider position stands for: -1 (the end) maps to the last epoch. */
export function clampEpoch(epoch: number, last: number): number {
  if (epoch < 0 || !Number.isFinite(epoch)) {
    return last;
  }
  return Math.max(0, Math.min(last, Math.round(epoch)));
}

/** The `cnn.inspect` params of a view of a training run. */
export function inspectParams(
  run: string,
  epoch: number,
  input: { index: number } | { pixels: number[][] }
): { run: string; epoch: number; input: { index: number; pixels: number[][] } } {
  if ('pixels' in input) {
    return { run, epoch, input: { index: 0, pixels: input.pixels } };
  }
  return { run, epoch, input: { index: input.index, pixels: [] } };
}

// ---------------------------------------------------------------------------------------------
// Notebook code

/** Python's `repr` of a string: single quotes unless the text has some and no double ones. */
export function pythonString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') {
      out += '\\\\';
    } else if (ch === quote) {
      out += '\\' + quote;
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (code < 0x20 || code === 0x7f) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out + quote;
}

/** Python's `repr` of a JSON number: integers plain, floats as Python writes them (1e-06). */
export function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value) ? "float('nan')" : value > 0 ? "float('inf')" : "-float('inf')";
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e16) {
    return String(value);
  }
  // The shortest digits that read back the same number (as Python's repr), placed as Python
  // does: scientific when the exponent is below -4 or 16 and above (1e-06, 1e+16), else fixed.
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) {
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  if (digits.length <= exponent + 1) {
    return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  }
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** Python's `repr` of JSON-like data on one line. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (value === true) {
    return 'True';
  }
  if (value === false) {
    return 'False';
  }
  if (typeof value === 'number') {
    return pythonNumber(value);
  }
  if (typeof value === 'string') {
    return pythonString(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map(pythonRepr).join(', ') + ']';
  }
  const entries = Object.entries(value as object).map(([k, v]) => `${pythonString(k)}: ${pythonRepr(v)}`);
  return '{' + entries.join(', ') + '}';
}

/** Longest line of generated code before a literal is split (as dlviz_kernel.notebook.LINE). */
export const CODE_LINE = 80;

/** A Python literal, one item per line where the flat form would pass CODE_LINE characters. */
export function pythonLiteral(value: unknown, indent = 0): string {
  const flat = pythonRepr(value);
  const container = value !== null && typeof value === 'object';
  const empty = container && (Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0);
  if (!container || empty || indent + flat.length <= CODE_LINE) {
    return flat;
  }
  const pad = ' '.repeat(indent + 4);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const lines = value.map(item => `${pad}${pythonLiteral(item, indent + 4)},`);
    return '[\n' + lines.join('\n') + '\n' + close + ']';
  }
  const lines = Object.entries(value as object).map(
    ([k, v]) => `${pad}${pythonString(k)}: ${pythonLiteral(v, indent + 4)},`
  );
  return '{\n' + lines.join('\n') + '\n' + close + '}';
}

/**
 * The notebook cell that repeats a run through the notebook API (docs/protocol.md, "Notebook
 * API"); the same text as `dlviz_kernel.code_for(task, params)`.
 */
export function codeFor(task: string, params: { [key: string]: any }): string {
  return (
    'import dlviz_kernel\n\n' +
    '# Repeats the run from the dlviz-lab panel: same data, network, settings and seed.\n' +
    `params = ${pythonLiteral(params)}\n` +
    `model, history = dlviz_kernel.train(${pythonString(task)}, params)\n`
  );
}

/**
 * How often a filter fires for each class: the mean of its `class_occurrence` map per class
 * (`data` is `[filters, classes, h, w]` flat), so a selective filter has one tall bar.
 */
export function classProfile(data: ArrayLike<number>, filter: number, classes: number, area: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    let sum = 0;
    const start = (filter * classes + c) * area;
    for (let i = 0; i < area; i++) {
      sum += data[start + i];
    }
    out.push(area > 0 ? sum / area : 0);
  }
  return out;
}

/** Pixels per value so that a map of `size` values is drawn about `target` pixels wide. */
export function cellSize(size: number, target = 32, least = 2): number {
  return Math.max(least, Math.round(target / Math.max(1, size)));
}

/**
 * The last epoch on a curve's x axis while `drawn` of `total` epochs are done: the whole run when
 * it is short, else the next of 10, 20, 50, 100, ... past the points, so a long run's first
 * epochs are not squeezed into a corner and the axis changes only now and then.
 */
export function epochAxisMax(drawn: number, total: number): number {
  const end = Math.max(2, total, drawn);
  if (end <= 10) {
    return end;
  }
  for (let power = 10; ; power *= 10) {
    for (const step of [1, 2, 5]) {
      const candidate = step * power;
      if (candidate > drawn) {
        return Math.max(2, Math.min(end, candidate));
      }
    }
  }
}
