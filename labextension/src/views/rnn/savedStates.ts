/**
 * What an `rnn.train` result, or a cell of an `rnn.compare` one, still shows once its kernel is
 * gone: the hidden states of its sample sequence at every kept epoch (`snapshots.hidden`) and the
 * predictions after each step (`snapshots.outputs`), turned into the shape of an `rnn.inspect`
 * result so the explorer's sections draw them. Gates, cell states, memory and the unit search
 * need the model, so they stay empty. Also the 2-D PCA of a trajectory (as the kernel's
 * `pca_2d`) and the nesting depth of a bracket sequence. No DOM: tested by jest.
 */
import { NDArray } from '../../api/arrays';
import { RnnTrainResult } from '../../api/results';
import { Decoded } from '../cnn/cnnResult';
import { CellKind } from './rnnFormulas';
import { RnnInspected, RnnLayer } from './rnnResult';

/** A decoded `rnn.train` result. */
export type RnnTrained = Decoded<RnnTrainResult>;

/**
 * What saved states are drawn from: an `rnn.train` result, or a cell of an `rnn.compare` result
 * (which saves the same for each cell).
 */
export type SavedStates = Pick<RnnTrained, 'dataset' | 'model' | 'sample' | 'snapshots'> & {
  run_id?: string | null;
};

/** Most likely outputs listed per step, as rnn.inspect's `top_k`. */
const TOP_K = 5;
/** Power iterations per principal direction: plenty for the few hundred steps shown. */
const ITERATIONS = 300;

/**
 * The 2-D PCA of `steps` points of `units` numbers (row-major): coordinates [steps, 2] and the
 * share of the variance along each direction. Signs as the kernel's: each axis points toward
 * its most extreme point.
 */
export function pca2d(
  data: ArrayLike<number>,
  steps: number,
  units: number
): { points: Float32Array; variance: [number, number] } {
  const centered = new Float64Array(steps * units);
  for (let u = 0; u < units; u++) {
    let mean = 0;
    for (let t = 0; t < steps; t++) {
      mean += data[t * units + u];
    }
    mean /= Math.max(1, steps);
    for (let t = 0; t < steps; t++) {
      centered[t * units + u] = data[t * units + u] - mean;
    }
  }
  // The Gram matrix (steps × steps): its eigenvectors scaled by √λ are the coordinates.
  const gram = new Float64Array(steps * steps);
  let total = 0;
  for (let a = 0; a < steps; a++) {
    for (let b = a; b < steps; b++) {
      let sum = 0;
      for (let u = 0; u < units; u++) {
        sum += centered[a * units + u] * centered[b * units + u];
      }
      gram[a * steps + b] = sum;
      gram[b * steps + a] = sum;
    }
    total += gram[a * steps + a];
  }
  const points = new Float32Array(steps * 2);
  const variance: [number, number] = [0, 0];
  for (let c = 0; c < 2 && total > 0; c++) {
    const { vector, value } = topEigen(gram, steps);
    if (value <= total * 1e-12) {
      break;
    }
    let extreme = 0;
    for (let t = 0; t < steps; t++) {
      if (Math.abs(vector[t]) > Math.abs(vector[extreme])) {
        extreme = t;
      }
    }
    const sign = vector[extreme] < 0 ? -1 : 1;
    const scale = Math.sqrt(value) * sign;
    for (let t = 0; t < steps; t++) {
      points[t * 2 + c] = vector[t] * scale;
    }
    variance[c] = value / total;
    // Deflate: take this direction out before looking for the next one.
    for (let a = 0; a < steps; a++) {
      for (let b = 0; b < steps; b++) {
        gram[a * steps + b] -= value * vector[a] * vector[b];
      }
    }
  }
  return { points, variance };
}

/** The largest eigenvalue of a symmetric matrix and its unit eigenvector (power iteration). */
function topEigen(m: Float64Array, n: number): { vector: Float64Array; value: number } {
  let v = new Float64Array(n).map((_, i) => 1 + i / Math.max(1, n));
  let value = 0;
  for (let k = 0; k < ITERATIONS; k++) {
    const next = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      let sum = 0;
      for (let b = 0; b < n; b++) {
        sum += m[a * n + b] * v[b];
      }
      next[a] = sum;
    }
    const norm = Math.sqrt(next.reduce((s, x) => s + x * x, 0));
    if (norm === 0) {
      return { vector: v, value: 0 };
    }
    v = next.map(x => x / norm);
    value = norm;
  }
  return { vector: v, value };
}

/** The nesting depth after each character of a bracket sequence. */
export function bracketDepth(characters: ArrayLike<string | null>): number[] {
  let depth = 0;
  return Array.from(characters, c => {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    return depth;
  });
}

/** The k most likely outputs per step of [steps, classes] probabilities, most likely first. */
export function topOutputs(
  probabilities: ArrayLike<number>,
  steps: number,
  classes: number,
  k: number
): { indices: Int32Array; probabilities: Float32Array } {
  const indices = new Int32Array(steps * k);
  const top = new Float32Array(steps * k);
  for (let t = 0; t < steps; t++) {
    const order = Array.from({ length: classes }, (_, c) => c).sort(
      (a, b) => probabilities[t * classes + b] - probabilities[t * classes + a] || a - b
    );
    for (let j = 0; j < k; j++) {
      indices[t * k + j] = order[j];
      top[t * k + j] = probabilities[t * classes + order[j]];
    }
  }
  return { indices, probabilities: top };
}

/** The `rnn.inspect`-shaped view of a training result's saved states at kept epoch `position`. */
export function savedInspect(
  trained: SavedStates,
  position: number,
  nonlinearity: string = 'tanh'
): RnnInspected {
  const hidden = trained.snapshots.hidden;
  const [kept, layers, directions, steps, units] = hidden.shape;
  const k = Math.max(0, Math.min(kept - 1, position));
  const sample = trained.sample;
  const dataset = trained.dataset;
  const characters = sample.text !== null ? Array.from(sample.text).slice(0, steps) : null;
  const cell: CellKind =
    trained.model.cell === 'rnn'
      ? nonlinearity === 'relu'
        ? 'rnn_relu'
        : 'rnn_tanh'
      : trained.model.cell;
  const out: RnnLayer[] = [];
  for (let l = 0; l < layers; l++) {
    for (let d = 0; d < directions; d++) {
      const from = ((k * layers + l) * directions + d) * steps * units;
      const states = new NDArray(
        Float32Array.from(hidden.data.subarray(from, from + steps * units)),
        [steps, units]
      );
      const { points, variance } = pca2d(states.data, steps, units);
      out.push({
        layer: l,
        direction: d === 0 ? 'forward' : 'backward',
        hidden: states,
        cell: null,
        gates: {},
        saturation: {},
        trajectory: { points: new NDArray(points, [steps, 2]), variance }
      });
    }
  }
  const signals: { [name: string]: number[] } = {};
  if (characters && typeof dataset.max_depth === 'number') {
    signals.depth = bracketDepth(characters);
  }
  return {
    source: { run: trained.run_id ?? null, model: null, epoch: trained.snapshots.epochs[k] },
    dataset,
    input: {
      source: 'data',
      index: sample.index,
      length: steps,
      steps,
      tokens: sample.tokens,
      characters,
      values: sample.features,
      target: sample.label ?? sample.targets ?? sample.values,
      signals
    },
    network: {
      cell,
      module: 'rnn',
      layers,
      hidden_size: trained.model.hidden_size,
      bidirectional: directions === 2,
      input_size: trained.model.input_size,
      projection_size: 0,
      reads: sample.tokens ? 'tokens' : 'numbers',
      vocabulary_size: dataset.vocabulary?.length ?? null,
      outputs: trained.model.outputs,
      per_step: trained.model.per_step,
      gates: []
    },
    check: { max_abs_difference: 0, tolerance: 0 },
    layers: out,
    predictions: savedPredictions(trained, k, steps),
    memory: {
      step: steps - 1,
      of: null,
      class: null,
      inputs: sample.tokens ? 'embedding' : 'numbers',
      gradient_norms: new NDArray(new Float32Array(steps), [steps])
    }
  } as RnnInspected;
}

/** The saved outputs at kept epoch `k` as rnn.inspect's predictions (none when not per step). */
function savedPredictions(trained: SavedStates, k: number, steps: number) {
  const outputs = trained.snapshots.outputs;
  const [, rows, classes] = outputs.shape;
  const kind = trained.model.per_step ? 'per_step' : 'after_each_step';
  const none = {
    kind: 'none',
    task: null,
    labels: null,
    top_k: null,
    probabilities: null,
    values: null
  } as RnnInspected['predictions'];
  if (rows !== steps) {
    // a bidirectional one-per-sequence model: one prediction only, after the whole sequence
    return none;
  }
  const from = k * rows * classes;
  const values = Float32Array.from(outputs.data.subarray(from, from + rows * classes));
  if (trained.snapshots.outputs_are === 'values') {
    return {
      ...none,
      kind,
      task: 'regression',
      values: new NDArray(
        values.filter((_, i) => i % classes === 0),
        [steps]
      )
    } as RnnInspected['predictions'];
  }
  const k5 = Math.min(TOP_K, classes);
  const top = topOutputs(values, steps, classes, k5);
  return {
    kind,
    task: 'classification',
    labels: trained.dataset.classes,
    top_k: {
      indices: new NDArray(top.indices, [steps, k5]),
      probabilities: new NDArray(top.probabilities, [steps, k5])
    },
    probabilities: kind === 'after_each_step' ? new NDArray(values, [steps, classes]) : null,
    values: null
  } as RnnInspected['predictions'];
}
