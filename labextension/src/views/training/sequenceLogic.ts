/**
 * Pure logic of the training monitor's extras for sequence models (`rnn.train`): the gradient
 * through time per epoch, from live progress events or from the finished result, and bits per
 * character. Tested by jest.
 */
import { NDArray } from '../../api/arrays';
import { ProgressEvent } from './trainingLogic';

/** Per epoch (0 = before training): [layer][step] mean norms of d loss / d h_t. */
export interface ITimeGradients {
  epochs: number[];
  norms: number[][][];
}

export function emptyTimeGradients(): ITimeGradients {
  return { epochs: [], norms: [] };
}

function isMatrix(value: unknown): value is number[][] {
  return (
    Array.isArray(value) &&
    value.every(row => Array.isArray(row) && row.every(v => typeof v === 'number'))
  );
}

/** The gradients after one progress event: an epoch event with `time_gradient_norms` adds its epoch. */
export function addTimeGradients(tg: ITimeGradients, event: ProgressEvent): ITimeGradients {
  const norms = event?.time_gradient_norms;
  if (!event || event.phase !== 'epoch' || typeof event.epoch !== 'number' || !isMatrix(norms)) {
    return tg;
  }
  const epoch = event.epoch;
  const keep = tg.epochs.map((e, i) => (e === epoch ? -1 : i)).filter(i => i >= 0);
  const epochs = [...keep.map(i => tg.epochs[i]), epoch];
  const all = [...keep.map(i => tg.norms[i]), norms];
  const order = epochs.map((_, i) => i).sort((a, b) => epochs[a] - epochs[b]);
  return { epochs: order.map(i => epochs[i]), norms: order.map(i => all[i]) };
}

/** The result's `time_gradients.norms`, decoded float32 [E+1, L, T], as per-epoch matrices. */
export function timeGradientsFromArray(epochs: number[], norms: NDArray): ITimeGradients {
  const [count, layers, steps] = norms.shape;
  const out: number[][][] = [];
  for (let e = 0; e < count; e++) {
    const matrix: number[][] = [];
    for (let l = 0; l < layers; l++) {
      const row: number[] = [];
      for (let t = 0; t < steps; t++) {
        row.push(norms.get(e, l, t));
      }
      matrix.push(row);
    }
    out.push(matrix);
  }
  return { epochs: epochs.slice(0, count), norms: out };
}

/**
 * How much weaker the gradient is at the first step than at the last one (top layer), or null.
 * 100 means the loss reaches the first input a hundred times more weakly: vanishing gradients.
 */
export function vanishingRatio(row: number[]): number | null {
  const first = row.find(v => Number.isFinite(v) && v > 0);
  let last: number | undefined;
  for (let i = row.length - 1; i >= 0; i--) {
    if (Number.isFinite(row[i]) && row[i] > 0) {
      last = row[i];
      break;
    }
  }
  if (first === undefined || last === undefined) {
    return null;
  }
  return last / first;
}

/** Bits per character of both curves from the progress events so far (null where missing). */
export interface IBits {
  epoch: number[];
  train: (number | null)[];
  validation: (number | null)[];
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function addBits(bits: IBits, event: ProgressEvent): IBits {
  if (!event || event.phase !== 'epoch' || typeof event.epoch !== 'number') {
    return bits;
  }
  const train = num(event.train_bits_per_character);
  const validation = num(event.validation_bits_per_character);
  if (train === null && validation === null) {
    return bits;
  }
  const keep = bits.epoch.map((e, i) => (e === event.epoch ? -1 : i)).filter(i => i >= 0);
  return {
    epoch: [...keep.map(i => bits.epoch[i]), event.epoch],
    train: [...keep.map(i => bits.train[i]), train],
    validation: [...keep.map(i => bits.validation[i]), validation]
  };
}
