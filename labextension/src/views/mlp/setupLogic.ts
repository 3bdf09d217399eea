/**
 * The playground's state as requests: the set-up (the `mlp.train` params) and its JSON for
 * "Copy set-up" and "Open set-up", the params of play, step, reset and a weight edit, the loss
 * history gathered over many runs, and the gate that draws at most one frame per animation
 * frame. Pure: tested by jest.
 */
import { trans } from '../../i18n';

export type Params = { [key: string]: any };

/** The task the set-up is for, and the parts of its params a set-up holds. */
export const TASK = 'mlp.train';
const SETUP_PARTS = ['data', 'features', 'model', 'training'];

/** Epochs of one "play" run; when it ends while still playing, the next one continues. */
export const PLAY_EPOCHS = 2000;

/** A deep copy of JSON values. */
export function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The set-up of a playground: its params without the run-specific ones (continue_from, edits). */
export function setupOf(params: Params): Params {
  const out: Params = {};
  for (const key of SETUP_PARTS) {
    if (params[key] !== undefined) {
      out[key] = copyOf(params[key]);
    }
  }
  return out;
}

/**
 * The JSON "Copy set-up" gives, indented: a course preset (docs/presets.md) of the whole set-up,
 * `{"name", "title", "task": "mlp.train", "params": {...}, "locked": []}`, ready for a lesson
 * notebook's metadata or the admin's overrides.json; "Open set-up" reads it back.
 */
export function setupJson(params: Params): string {
  const setup = setupOf(params);
  const source = String(setup.data?.source ?? 'circle');
  return JSON.stringify(
    {
      name: `playground-${source}`.replace(/[^A-Za-z0-9_.-]/g, '-'),
      title: trans.__('Playground: %1', source),
      task: TASK,
      params: setup,
      locked: []
    },
    null,
    2
  );
}

/**
 * The params of a set-up pasted back ("Open set-up"): the JSON of `setupJson`, or its params
 * alone. Throws an Error saying what is wrong; the kernel checks the values themselves.
 */
export function parseSetup(text: string): Params {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(trans.__('This is not JSON: %1', (error as Error).message));
  }
  if (!isObject(value)) {
    throw new Error(trans.__('A set-up is a JSON object.'));
  }
  let params: unknown = value;
  if ('task' in value || 'params' in value) {
    if (value.task !== undefined && value.task !== TASK) {
      throw new Error(trans.__('This set-up is for %1, not the playground.', String(value.task)));
    }
    params = value.params;
  }
  if (!isObject(params)) {
    throw new Error(trans.__('The set-up has no params object.'));
  }
  const unknown = Object.keys(params).filter(
    key => !SETUP_PARTS.includes(key) && key !== 'continue_from' && key !== 'edits'
  );
  if (unknown.length) {
    throw new Error(trans.__('Unknown parts of a set-up: %1', unknown.join(', ')));
  }
  for (const key of ['data', 'model', 'training']) {
    if (params[key] !== undefined && !isObject(params[key])) {
      throw new Error(trans.__('"%1" must be an object.', key));
    }
  }
  if (params.features !== undefined && !Array.isArray(params.features)) {
    throw new Error(trans.__('"features" must be a list.'));
  }
  return setupOf(params);
}

function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `params` with `training.epochs` set, going on from run `from` (none: the seed's first weights). */
export function runParams(
  params: Params,
  epochs: number,
  from: string | null,
  edits: IWeightEdit[] = []
): Params {
  const out = setupOf(params);
  out.training = { ...(out.training ?? {}), epochs };
  if (from) {
    out.continue_from = from;
  }
  if (edits.length) {
    out.edits = edits.map(edit => ({ ...edit }));
  }
  return out;
}

/** A weight (from >= 0) or a bias (from = -1) set by hand: `mlp.train`'s `edits` item. */
export interface IWeightEdit {
  layer: number;
  to: number;
  from: number;
  value: number;
}

/** The knobs that change while playing, without a reset. */
export interface IRates {
  learningRate?: number;
  regularization?: string;
  regularizationRate?: number;
  noise?: number;
}

/** `params` with new rates; `dataChanged` says whether the points change (noise). */
export function withRates(params: Params, rates: IRates): { params: Params; dataChanged: boolean } {
  const out = setupOf(params);
  out.training = { ...(out.training ?? {}) };
  out.model = { ...(out.model ?? {}) };
  out.data = { ...(out.data ?? {}) };
  if (rates.learningRate !== undefined) {
    out.training.learning_rate = rates.learningRate;
  }
  if (rates.regularization !== undefined) {
    out.model.regularization = rates.regularization;
  }
  if (rates.regularizationRate !== undefined) {
    out.model.regularization_rate = rates.regularizationRate;
  }
  let dataChanged = false;
  if (rates.noise !== undefined && rates.noise !== (params.data?.noise ?? 0)) {
    out.data.noise = rates.noise;
    dataChanged = true;
  }
  return { params: out, dataChanged };
}

/** `params` with another weights seed: reset to new first weights. */
export function withSeed(params: Params, seed: number): Params {
  const out = setupOf(params);
  out.training = { ...(out.training ?? {}), seed };
  return out;
}

/** A new weights seed different from `old`, from `random()` in [0, 1). */
export function newSeed(old: number, random: () => number = Math.random): number {
  const seed = Math.floor(random() * 1_000_000);
  return seed === old ? seed + 1 : seed;
}

/** One finished epoch's numbers, as a progress event (`phase: "epoch"`) carries them. */
export interface IEpochNumbers {
  epoch: number;
  train_loss?: number | null;
  validation_loss?: number | null;
  train_accuracy?: number | null;
  validation_accuracy?: number | null;
}

/** The loss and accuracy of every epoch since the last reset, over all the runs. */
/** A run's per-epoch numbers, as its result gives them. */
export interface IRunHistory {
  epoch: number[];
  train_loss: (number | null)[];
  validation_loss: (number | null)[];
  train_accuracy?: (number | null)[];
  validation_accuracy?: (number | null)[];
}

export class History {
  epochs: number[] = [];
  trainLoss: (number | null)[] = [];
  testLoss: (number | null)[] = [];
  trainAccuracy: (number | null)[] = [];
  testAccuracy: (number | null)[] = [];
  /** Epochs finished by the runs before the current one. */
  base = 0;

  /** The epoch the network is at: those of earlier runs and the current run's last. */
  get epoch(): number {
    return this.epochs.length ? this.epochs[this.epochs.length - 1] : this.base;
  }

  /** Forget everything (a reset). */
  clear(): void {
    this.epochs = [];
    this.trainLoss = [];
    this.testLoss = [];
    this.trainAccuracy = [];
    this.testAccuracy = [];
    this.base = 0;
  }

  /** A new run starts: its epoch 1 comes after the last one recorded. */
  startRun(): void {
    this.base = this.epoch;
  }

  /** Add a finished epoch of the current run. */
  add(numbers: IEpochNumbers): void {
    const epoch = this.base + numbers.epoch;
    if (this.epochs.length && epoch <= this.epochs[this.epochs.length - 1]) {
      return; // an event seen twice
    }
    this.epochs.push(epoch);
    this.trainLoss.push(numbers.train_loss ?? null);
    this.testLoss.push(numbers.validation_loss ?? null);
    this.trainAccuracy.push(numbers.train_accuracy ?? null);
    this.testAccuracy.push(numbers.validation_accuracy ?? null);
  }

  /** Add every epoch of a finished run's history (its result's `history`) as a new run. */
  addRun(history: IRunHistory): void {
    this.startRun();
    this.fill(history);
  }

  /**
   * Add the epochs of the current run's history that no event brought (a short run can end
   * before its events are listened to: the result has them all).
   */
  fill(history: IRunHistory): void {
    history.epoch.forEach((epoch, i) =>
      this.add({
        epoch,
        train_loss: history.train_loss[i],
        validation_loss: history.validation_loss[i],
        train_accuracy: history.train_accuracy?.[i] ?? null,
        validation_accuracy: history.validation_accuracy?.[i] ?? null
      })
    );
  }

  /** The index of the recorded epoch nearest `epoch` (-1 when none). */
  nearest(epoch: number): number {
    let best = -1;
    let distance = Infinity;
    this.epochs.forEach((e, i) => {
      if (Math.abs(e - epoch) < distance) {
        distance = Math.abs(e - epoch);
        best = i;
      }
    });
    return best;
  }
}

/**
 * Draws the values it is offered, at most one per animation frame, oldest first: frames that
 * arrive together (one network read brings two epochs) are drawn on successive animation
 * frames instead of being lost (on a busy machine the events come in bunches of several).
 * When more than `backlog` wait (a browser slower than the kernel), the oldest are dropped,
 * so the picture never lags more than `backlog` animation frames (8: 0.13 s at 60 Hz).
 * `schedule` is requestAnimationFrame in the browser.
 */
export class FrameGate<T> {
  drawn = 0;
  dropped = 0;
  private _waiting: T[] = [];
  private _pending = false;

  constructor(
    private _draw: (value: T) => void,
    private _schedule: (callback: () => void) => void = callback =>
      void requestAnimationFrame(() => callback()),
    private _backlog = 8
  ) {}

  /** Frames offered and not drawn yet. */
  get waiting(): number {
    return this._waiting.length;
  }

  offer(value: T): void {
    this._waiting.push(value);
    if (this._waiting.length > this._backlog) {
      this._waiting.shift();
      this.dropped++;
    }
    this._next();
  }

  private _next(): void {
    if (!this._pending && this._waiting.length) {
      this._pending = true;
      this._schedule(() => this._flush());
    }
  }

  private _flush(): void {
    this._pending = false;
    const value = this._waiting.shift();
    if (value !== undefined) {
      this.drawn++;
      this._draw(value);
    }
    this._next();
  }
}
