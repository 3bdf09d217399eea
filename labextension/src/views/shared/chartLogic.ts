/**
 * Chart scales and paths for the SVG line charts (training curves, gradient norms) and the
 * weight histograms: linear scales, round ticks, SVG paths, histogram bars. Pure: tested by jest.
 */

/** A linear map from a data interval to a pixel interval. */
export function linearScale(
  domain: [number, number],
  range: [number, number]
): (x: number) => number {
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
    if (
      u === null ||
      l === null ||
      u === undefined ||
      l === undefined ||
      !Number.isFinite(u) ||
      !Number.isFinite(l)
    ) {
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
    const top = run.map(
      (i, k) => `${k ? 'L' : 'M'}${round2(sx(xs[i]))},${round2(sy(upper[i] as number))}`
    );
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
export function histogram(
  values: ArrayLike<number>,
  bins: number,
  lo: number,
  hi: number
): number[] {
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
