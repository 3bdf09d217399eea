/**
 * Pure logic of the autoencoder explorer (no DOM, tested by jest): the latent plane and its
 * pixels, points back to codes and codes to points, a VAE's Gaussian as an ellipse, images as
 * RGBA pixels, a drawing brush and an uploaded picture brought down to the data's size, and
 * "latest wins" pacing of the decode requests made while the pointer moves.
 */

/** The part of the latent plane a picture shows. */
export interface IBounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** A picture of the plane: its size in CSS pixels and the margin kept around the points. */
export interface IPlot {
  width: number;
  height: number;
  margin: number;
}

/** The bounds of `count` 2-D points (x0, y0, x1, y1, ...), widened by `pad` of each side's span. */
export function boundsOf(points: ArrayLike<number>, count: number, pad = 0.05): IBounds {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      continue;
    }
    xMin = Math.min(xMin, x);
    xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y);
    yMax = Math.max(yMax, y);
  }
  if (!Number.isFinite(xMin)) {
    return { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  }
  const widen = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.max(1, Math.abs(lo));
    return [lo - span * pad, hi + span * pad];
  };
  [xMin, xMax] = widen(xMin, xMax);
  [yMin, yMax] = widen(yMin, yMax);
  return { xMin, xMax, yMin, yMax };
}

/** A point of the plane as pixels of the picture (y grows upwards in the plane, downwards on screen). */
export function toPixel(bounds: IBounds, plot: IPlot, x: number, y: number): [number, number] {
  const w = plot.width - 2 * plot.margin;
  const h = plot.height - 2 * plot.margin;
  return [
    plot.margin + ((x - bounds.xMin) / (bounds.xMax - bounds.xMin)) * w,
    plot.margin + ((bounds.yMax - y) / (bounds.yMax - bounds.yMin)) * h
  ];
}

/** Pixels of the picture back to the point of the plane under them. */
export function toPlane(bounds: IBounds, plot: IPlot, px: number, py: number): [number, number] {
  const w = plot.width - 2 * plot.margin;
  const h = plot.height - 2 * plot.margin;
  return [
    bounds.xMin + ((px - plot.margin) / w) * (bounds.xMax - bounds.xMin),
    bounds.yMax - ((py - plot.margin) / h) * (bounds.yMax - bounds.yMin)
  ];
}

/** The code of a point of the picture: mean + x·axes[0] + y·axes[1] (the kernel's mapping). */
export function codeOf(point: [number, number], mean: number[], axes: number[][]): number[] {
  const size = Math.max(mean.length, axes[0]?.length ?? 0);
  const code: number[] = [];
  for (let j = 0; j < size; j++) {
    code.push((mean[j] ?? 0) + point[0] * (axes[0]?.[j] ?? 0) + point[1] * (axes[1]?.[j] ?? 0));
  }
  return code;
}

/** Where a code lands in the picture: its offset from the mean along each axis. */
export function pointOf(
  code: ArrayLike<number>,
  mean: number[],
  axes: number[][]
): [number, number] {
  let x = 0;
  let y = 0;
  for (let j = 0; j < code.length; j++) {
    const d = code[j] - (mean[j] ?? 0);
    x += d * (axes[0]?.[j] ?? 0);
    y += d * (axes[1]?.[j] ?? 0);
  }
  return [x, y];
}

/** An ellipse in the plane: its radii along its own axes and the angle (radians) of the first. */
export interface IEllipse {
  rx: number;
  ry: number;
  angle: number;
}

/**
 * A VAE's Gaussian N(μ, diag σ²) seen in the picture: the covariance A·diag(σ²)·Aᵀ of its
 * projection on the two axes, as the ellipse one σ from the mean.
 */
export function projectedEllipse(sigma: ArrayLike<number>, axes: number[][]): IEllipse {
  let a = 0;
  let b = 0;
  let c = 0;
  for (let j = 0; j < sigma.length; j++) {
    const s2 = sigma[j] * sigma[j];
    const u = axes[0]?.[j] ?? 0;
    const v = axes[1]?.[j] ?? 0;
    a += u * u * s2;
    b += u * v * s2;
    c += v * v * s2;
  }
  // Eigen-decomposition of [[a, b], [b, c]].
  const mid = (a + c) / 2;
  const half = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const l1 = mid + half;
  const l2 = Math.max(0, mid - half);
  const angle = Math.abs(b) < 1e-12 ? (a >= c ? 0 : Math.PI / 2) : Math.atan2(l1 - a, b);
  return { rx: Math.sqrt(l1), ry: Math.sqrt(l2), angle };
}

/** The index of the point nearest (x, y), or -1 when there is none. */
export function nearestPoint(
  points: ArrayLike<number>,
  count: number,
  x: number,
  y: number
): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let i = 0; i < count; i++) {
    const d = (points[2 * i] - x) ** 2 + (points[2 * i + 1] - y) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

/**
 * One image [C, H, W] starting at `offset` of `values`, as RGBA bytes: values between `low`
 * (black) and `high` (white), grey for one channel, colour for three.
 */
export function imageRgba(
  values: ArrayLike<number>,
  offset: number,
  shape: [number, number, number],
  low = 0,
  high = 1
): Uint8ClampedArray {
  const [channels, height, width] = shape;
  const plane = height * width;
  const out = new Uint8ClampedArray(plane * 4);
  const span = high > low ? high - low : 1;
  const byte = (v: number) => (Number.isFinite(v) ? Math.round(((v - low) / span) * 255) : 128);
  for (let i = 0; i < plane; i++) {
    const r = byte(values[offset + i]);
    const g = channels >= 3 ? byte(values[offset + plane + i]) : r;
    const b = channels >= 3 ? byte(values[offset + 2 * plane + i]) : r;
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Ink added by one touch of the brush at cell (x, y): full at the cell, a little around it. */
export function brush(
  pixels: Float32Array,
  height: number,
  width: number,
  x: number,
  y: number,
  soft = 0.35
): void {
  const cx = Math.floor(x);
  const cy = Math.floor(y);
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const px = cx + dx;
      const py = cy + dy;
      if (px < 0 || py < 0 || px >= width || py >= height) {
        continue;
      }
      const amount = dx === 0 && dy === 0 ? 1 : dx === 0 || dy === 0 ? soft : 0;
      const k = py * width + px;
      pixels[k] = Math.min(1, pixels[k] + amount);
    }
  }
}

/**
 * A picture (RGBA bytes, `srcWidth` x `srcHeight`) as `height` x `width` ink values in 0..1:
 * each cell the mean brightness of its block, turned so the background is 0 (a dark pen on
 * white paper and a white digit on black both give ink 1), then stretched to a maximum of 1.
 */
export function inkFromPicture(
  rgba: ArrayLike<number>,
  srcWidth: number,
  srcHeight: number,
  height: number,
  width: number
): Float32Array {
  const bright = (x: number, y: number) => {
    const k = 4 * (y * srcWidth + x);
    const alpha = rgba[k + 3] / 255;
    // a transparent pixel counts as white paper
    const lum = (0.299 * rgba[k] + 0.587 * rgba[k + 1] + 0.114 * rgba[k + 2]) / 255;
    return lum * alpha + (1 - alpha);
  };
  const out = new Float32Array(height * width);
  for (let cy = 0; cy < height; cy++) {
    for (let cx = 0; cx < width; cx++) {
      const x0 = Math.floor((cx * srcWidth) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((cx + 1) * srcWidth) / width));
      const y0 = Math.floor((cy * srcHeight) / height);
      const y1 = Math.max(y0 + 1, Math.floor(((cy + 1) * srcHeight) / height));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          sum += bright(x, y);
        }
      }
      out[cy * width + cx] = sum / ((x1 - x0) * (y1 - y0));
    }
  }
  // The background is what the border mostly is.
  let border = 0;
  let n = 0;
  for (let cy = 0; cy < height; cy++) {
    for (let cx = 0; cx < width; cx++) {
      if (cy === 0 || cx === 0 || cy === height - 1 || cx === width - 1) {
        border += out[cy * width + cx];
        n += 1;
      }
    }
  }
  const lightPaper = n === 0 || border / n >= 0.5;
  let top = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = lightPaper ? 1 - out[i] : out[i];
    top = Math.max(top, out[i]);
  }
  if (top > 0) {
    for (let i = 0; i < out.length; i++) {
      out[i] = out[i] / top;
    }
  }
  return out;
}

/**
 * Pacing for requests made as the pointer moves: at most one in flight; while one is out, only
 * the latest wish waits (older ones are dropped), and it goes as soon as the answer is in.
 */
export class LatestWins<T, R> {
  private _send: (value: T) => Promise<R>;
  private _done: (answer: R, value: T) => void;
  private _fail: (error: unknown) => void;
  private _pending: { value: T } | null = null;
  private _inFlight = false;
  /** Requests sent, and wishes dropped because a later one replaced them. */
  sent = 0;
  dropped = 0;

  constructor(
    send: (value: T) => Promise<R>,
    done: (answer: R, value: T) => void,
    fail: (error: unknown) => void = () => undefined
  ) {
    this._send = send;
    this._done = done;
    this._fail = fail;
  }

  get inFlight(): boolean {
    return this._inFlight;
  }

  /** Ask for `value`: now if nothing is out, else after the current answer (replacing any wait). */
  push(value: T): void {
    if (this._inFlight) {
      if (this._pending) {
        this.dropped += 1;
      }
      this._pending = { value };
      return;
    }
    void this._run(value);
  }

  private async _run(value: T): Promise<void> {
    this._inFlight = true;
    this.sent += 1;
    try {
      this._done(await this._send(value), value);
    } catch (error) {
      this._fail(error);
    } finally {
      this._inFlight = false;
      const next = this._pending;
      this._pending = null;
      if (next) {
        void this._run(next.value);
      }
    }
  }
}

/** Colours of up to ten classes (a class beyond that reuses one). */
export const CLASS_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
];

export function classColor(label: number | null | undefined): string {
  if (label === null || label === undefined || !Number.isFinite(label)) {
    return '#888888';
  }
  const k = Math.abs(Math.round(label)) % CLASS_COLORS.length;
  return CLASS_COLORS[k];
}

/** Round a code for reading: "(0.12, -1.5)". */
export function formatCode(code: ArrayLike<number>, digits = 2): string {
  return `(${Array.from(code)
    .map(v => v.toFixed(digits))
    .join(', ')})`;
}
