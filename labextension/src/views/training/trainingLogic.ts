/**
 * Pure logic of the training monitor: the loss and accuracy curves fed by progress events, the
 * line under the progress bar, and the epoch axis that grows with a long run. Tested by jest.
 */
import { trans } from '../../i18n';
import { TrainingHistory } from '../../api/results';
import { formatPercent, formatSeconds } from '../shared/format';

/** A progress event of a training run (protocol.md): `phase`, `epoch`, losses, `elapsed`, ... */
export type ProgressEvent = { [key: string]: unknown };

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
  return {
    epoch: [],
    train_loss: [],
    train_accuracy: [],
    validation_loss: [],
    validation_accuracy: [],
    elapsed: []
  };
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The curves after one progress event: an `"epoch"` event adds (or replaces) that epoch's
 * point; a mid-epoch `"train"` event changes nothing (it is shown as the live running loss).
 * Returns new curves; the old ones are left as they were.
 */
export function addProgress(curves: ICurves, event: ProgressEvent): ICurves {
  const epoch = event?.epoch;
  if (!event || event.phase !== 'epoch' || typeof epoch !== 'number') {
    return curves;
  }
  const out = emptyCurves();
  const keep = curves.epoch.map((e, i) => (e === epoch ? -1 : i)).filter(i => i >= 0);
  for (const key of CURVE_KEYS) {
    (out[key] as (number | null)[]) = keep.map(i => curves[key][i]);
  }
  // Insert in epoch order (a replayed event must not reorder the points).
  let at = out.epoch.findIndex(e => e > epoch);
  if (at < 0) {
    at = out.epoch.length;
  }
  out.epoch.splice(at, 0, epoch);
  for (const key of CURVE_KEYS.slice(1)) {
    (out[key] as (number | null)[]).splice(at, 0, num(event[key]));
  }
  return out;
}

/** The curves of a finished run, from its result's `history`. */
export function curvesFromHistory(history: Partial<TrainingHistory> | null | undefined): ICurves {
  const out = emptyCurves();
  if (!history || !Array.isArray(history.epoch)) {
    return out;
  }
  out.epoch = history.epoch.map(e => Number(e));
  for (const key of CURVE_KEYS.slice(1)) {
    const column: unknown = history[key];
    const values: unknown[] = Array.isArray(column) ? column : [];
    (out[key] as (number | null)[]) = out.epoch.map((_, i) => num(values[i]));
  }
  return out;
}

/** The line under the progress bar while a run trains. */
export function trainingLine(event: ProgressEvent | null | undefined): string {
  if (!event || typeof event.epoch !== 'number') {
    return typeof event?.message === 'string' ? event.message : '';
  }
  const parts = [trans.__('Epoch %1 of %2', event.epoch, event.epochs ?? '?')];
  if (typeof event.train_loss === 'number') {
    parts.push(trans.__('training loss %1', event.train_loss.toFixed(3)));
  }
  if (typeof event.validation_loss === 'number') {
    parts.push(trans.__('validation loss %1', event.validation_loss.toFixed(3)));
  }
  if (typeof event.validation_accuracy === 'number') {
    parts.push(trans.__('validation accuracy %1', formatPercent(event.validation_accuracy)));
  }
  if (typeof event.elapsed === 'number') {
    parts.push(formatSeconds(event.elapsed));
  }
  return parts.join(' · ');
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

/** The last finite number of a series, or null. */
export function lastNumber(values: (number | null | undefined)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return null;
}
