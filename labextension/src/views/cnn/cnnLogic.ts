/**
 * Pure logic of the CNN explorer, free of JupyterLab and the DOM: a drawing or an uploaded
 * picture turned into the data set's pixels, predictions ranked, filter orders, confusion rows,
 * class profiles of a filter, the `cnn.inspect` params and the size of a map's cells.
 */
import { maxAbs, valueRange } from '../shared/colors';

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

/**
 * How often a filter fires for each class: the mean of its `class_occurrence` map per class
 * (`data` is `[filters, classes, h, w]` flat), so a selective filter has one tall bar.
 */
export function classProfile(
  data: ArrayLike<number>,
  filter: number,
  classes: number,
  area: number
): number[] {
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
