/**
 * Pure logic of the training monitor's extras for autoencoders (`autoencoder.train`): the
 * reconstruction error and, for a VAE, the KL term per epoch, from live progress events or from
 * the finished result. Tested by jest.
 */
import { ProgressEvent } from './trainingLogic';

/** Per finished epoch: reconstruction MSE per pixel and KL per image (null: not a VAE). */
export interface IErrorCurves {
  epoch: number[];
  trainMse: (number | null)[];
  validationMse: (number | null)[];
  trainKl: (number | null)[];
  validationKl: (number | null)[];
}

export function emptyErrorCurves(): IErrorCurves {
  return { epoch: [], trainMse: [], validationMse: [], trainKl: [], validationKl: [] };
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The curves after one progress event: an epoch event with `validation_mse` adds (or replaces) its epoch. */
export function addErrors(curves: IErrorCurves, event: ProgressEvent): IErrorCurves {
  if (!event || event.phase !== 'epoch' || typeof event.epoch !== 'number') {
    return curves;
  }
  const validationMse = num(event.validation_mse);
  if (validationMse === null) {
    return curves;
  }
  const epoch = event.epoch;
  const keep = curves.epoch.map((e, i) => (e === epoch ? -1 : i)).filter(i => i >= 0);
  const rows = [
    ...keep.map(i => [
      curves.epoch[i],
      curves.trainMse[i],
      curves.validationMse[i],
      curves.trainKl[i],
      curves.validationKl[i]
    ]),
    [epoch, num(event.train_mse), validationMse, num(event.train_kl), num(event.validation_kl)]
  ].sort((a, b) => (a[0] as number) - (b[0] as number));
  return {
    epoch: rows.map(r => r[0] as number),
    trainMse: rows.map(r => r[1]),
    validationMse: rows.map(r => r[2]),
    trainKl: rows.map(r => r[3]),
    validationKl: rows.map(r => r[4])
  };
}

/** The result's `errors` block as curves (epochs 1..E). */
export function errorsFromResult(errors: {
  train_mse: (number | null)[];
  train_kl: (number | null)[] | null;
  validation_mse: (number | null)[];
  validation_kl: (number | null)[] | null;
}): IErrorCurves {
  const count = errors.validation_mse.length;
  const pad = (values: (number | null)[] | null) =>
    Array.from({ length: count }, (_, i) => num(values?.[i]));
  return {
    epoch: Array.from({ length: count }, (_, i) => i + 1),
    trainMse: pad(errors.train_mse),
    validationMse: pad(errors.validation_mse),
    trainKl: pad(errors.train_kl),
    validationKl: pad(errors.validation_kl)
  };
}

/** Whether any KL value is known: the run is a VAE. */
export function hasKl(curves: IErrorCurves): boolean {
  return [...curves.trainKl, ...curves.validationKl].some(v => v !== null);
}
