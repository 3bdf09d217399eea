/**
 * Colour scales shared by every family's views: a diverging map (negative blue, zero grey,
 * positive red) for signed values such as weights and scores, a sequential map (dark to bright)
 * for non-negative ones, and the value ranges they are scaled by. Pure: tested by jest.
 */

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
