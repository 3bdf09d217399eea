/**
 * The playground's pictures, computed in the browser from the weights the kernel sends: the
 * features of each grid point, every neuron's output over the plane (a forward pass over the
 * grid), what the output heatmap shows, Playground's colours and the width of a link. Pure:
 * tested by jest against the kernel's own picture (tests/js/mlpPlayground.test.ts).
 */
import type { RGB } from '../shared/colors';

/** One layer as the kernel sends it: weight [out][in], bias [out], its activation. */
export interface ILayerWeights {
  weight: number[][];
  bias: number[];
  activation: string;
}

/** The plane a picture covers and what the first layer reads there. */
export interface IPlane {
  /** Grid points along x (the first plotted column) and y (the second); row i of a picture is ys[i]. */
  xs: number[];
  ys: number[];
  /** The first layer's inputs: feature names ("x1", "x1^2", …) or the data's columns. */
  features: string[];
  /** True: the features are computed from the two plotted coordinates (x1, x2). */
  computes: boolean;
  /** Wider notebook data: every column's value in the picture (plotted ones are replaced). */
  fixed: number[];
  /** Which two columns are plotted (wider notebook data). */
  shown: number[];
}

/** What the network's output means: the set-up and the number of classes (null: a value). */
export interface IOutputKind {
  setup: string;
  classes: number | null;
}

/** A feature of the point (a, b), as the kernel computes it (mlp/features.py). */
export function featureOf(name: string, a: number, b: number): number {
  switch (name) {
    case 'x1':
      return a;
    case 'x2':
      return b;
    case 'x1^2':
      return a * a;
    case 'x2^2':
      return b * b;
    case 'x1*x2':
      return a * b;
    case 'sin(x1)':
      return Math.sin(a);
    case 'sin(x2)':
      return Math.sin(b);
    default:
      return NaN;
  }
}

/** The first layer's inputs at the point (a, b) of the plane. */
export function inputsAt(plane: IPlane, a: number, b: number): number[] {
  if (plane.computes) {
    return plane.features.map(name => featureOf(name, a, b));
  }
  const row = plane.fixed.length ? plane.fixed.slice() : plane.features.map(() => 0);
  row[plane.shown[0] ?? 0] = a;
  row[plane.shown[1] ?? 1] = b;
  return row;
}

/** An activation function by name (mlp/model.py's ACTIVATIONS). */
export function activate(name: string, v: number): number {
  switch (name) {
    case 'tanh':
      return Math.tanh(v);
    case 'relu':
      return v > 0 ? v : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    default:
      return v;
  }
}

/**
 * Every neuron's output over the grid: `pictures[0]` are the inputs (one picture per feature),
 * `pictures[k]` the neurons of layer k (the last is the output layer). Each picture holds
 * ys.length x xs.length values, row-major, row i at ys[i].
 */
export function neuronPictures(layers: ILayerWeights[], plane: IPlane): Float32Array[][] {
  const size = plane.xs.length * plane.ys.length;
  const widths = [plane.features.length, ...layers.map(layer => layer.bias.length)];
  const pictures = widths.map(width => {
    const out: Float32Array[] = [];
    for (let j = 0; j < width; j++) {
      out.push(new Float32Array(size));
    }
    return out;
  });
  let p = 0;
  for (const b of plane.ys) {
    for (const a of plane.xs) {
      let h = inputsAt(plane, a, b);
      h.forEach((v, j) => (pictures[0][j][p] = v));
      layers.forEach((layer, k) => {
        const next = new Array<number>(layer.bias.length);
        for (let o = 0; o < layer.bias.length; o++) {
          const row = layer.weight[o];
          let sum = layer.bias[o];
          for (let i = 0; i < row.length; i++) {
            sum += row[i] * h[i];
          }
          next[o] = activate(layer.activation, sum);
          pictures[k + 1][o][p] = next[o];
        }
        h = next;
      });
      p++;
    }
  }
  return pictures;
}

/**
 * What the output heatmap shows at each grid point (as the kernel's `output.values`): the
 * playground set-up's tanh output or a value as they are; P(class 1) for the PyTorch set-up's
 * two classes (a softmax of the two scores); the class (argmax) for more.
 */
export function outputPicture(last: Float32Array[], kind: IOutputKind): Float32Array {
  if (kind.classes === null || kind.setup === 'playground' || last.length === 1) {
    return Float32Array.from(last[0]);
  }
  const size = last[0].length;
  const out = new Float32Array(size);
  for (let p = 0; p < size; p++) {
    if (kind.classes === 2) {
      out[p] = 1 / (1 + Math.exp(last[0][p] - last[1][p]));
      continue;
    }
    let best = 0;
    for (let c = 1; c < last.length; c++) {
      if (last[c][p] > last[best][p]) {
        best = c;
      }
    }
    out[p] = best;
  }
  return out;
}

/**
 * An output value on Playground's scale [-1, 1] (class 0 toward -1, class 1 toward +1): the
 * PyTorch set-up's P(class 1) becomes 2p - 1; tanh outputs and values stay (clamped).
 */
export function outputTone(value: number, kind: IOutputKind): number {
  const t = kind.setup !== 'playground' && kind.classes === 2 ? 2 * value - 1 : value;
  return Math.max(-1, Math.min(1, t));
}

/** The symmetric scale of a neuron's picture: tanh and sigmoid have their own, others their largest value. */
export function neuronLimit(activation: string, values: ArrayLike<number>): number {
  if (activation === 'tanh') {
    return 1;
  }
  let limit = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (Number.isFinite(v) && v > limit) {
      limit = v;
    }
  }
  return limit || 1;
}

/** A neuron's value on the scale [-1, 1]: sigmoid's (0, 1) is stretched, others divided by `limit`. */
export function neuronTone(activation: string, value: number, limit: number): number {
  const t = activation === 'sigmoid' ? 2 * value - 1 : value / limit;
  return Math.max(-1, Math.min(1, t));
}

const ORANGE: RGB = [245, 147, 34];
const LIGHT: RGB = [232, 234, 235];
const BLUE: RGB = [8, 119, 189];

/** Playground's colours: -1 orange, 0 light grey, +1 blue (class 0 orange, class 1 blue). */
export function toneColor(t: number): RGB {
  if (!Number.isFinite(t)) {
    return [128, 128, 128];
  }
  const x = Math.max(-1, Math.min(1, t));
  const [from, to, f] = x < 0 ? [LIGHT, ORANGE, -x] : [LIGHT, BLUE, x];
  return [
    Math.round(from[0] + (to[0] - from[0]) * f),
    Math.round(from[1] + (to[1] - from[1]) * f),
    Math.round(from[2] + (to[2] - from[2]) * f)
  ];
}

/** Discretised: each side of the boundary one flat colour (0 counts as class 0, like the kernel's argmax). */
export function discreteTone(t: number): number {
  return t > 0 ? 1 : -1;
}

/** Colours of classes beyond two (class 0 orange and class 1 blue as Playground's, then others). */
export const CLASS_COLORS: RGB[] = [
  ORANGE,
  BLUE,
  [56, 142, 60],
  [211, 47, 47],
  [142, 99, 206],
  [0, 165, 181],
  [194, 24, 91],
  [130, 119, 23]
];

/** The colour of class `c`. */
export function classColor(c: number): RGB {
  return CLASS_COLORS[((c % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
}

/** A light tint of a colour (the heatmap under the points of several classes). */
export function tint(color: RGB, share = 0.45): RGB {
  return [0, 1, 2].map(i => Math.round(LIGHT[i] + (color[i] - LIGHT[i]) * share)) as RGB;
}

/** A link's width in pixels: Playground's linear scale of |weight| (0 -> thin, 1 and more -> thick). */
export function linkWidth(weight: number, thin = 0.5, thick = 6): number {
  const size = Math.min(1, Math.abs(Number.isFinite(weight) ? weight : 0));
  return thin + (thick - thin) * size;
}

/** A link's colour: its sign and size on Playground's scale. */
export function linkColor(weight: number): RGB {
  return toneColor(Math.max(-1, Math.min(1, weight)));
}

/** "rgb(r, g, b)" of a colour. */
export function css(color: RGB): string {
  return `rgb(${color[0]}, ${color[1]}, ${color[2]})`;
}

/** `count` evenly spaced values from `lo` to `hi` (numpy's linspace). */
export function linspace(lo: number, hi: number, count: number): number[] {
  if (count <= 1) {
    return [lo];
  }
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}
