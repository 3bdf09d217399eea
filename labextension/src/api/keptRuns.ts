/**
 * What a finished training run still holds for its views: the epochs its snapshots kept (a byte
 * budget may keep only every k-th one), the note the kernel wrote when it thinned them, and what
 * to say when the kernel that trained the model is gone (a server restart, a shut-down kernel).
 * Only the translator from JupyterLab (English until the plugins set it), so jest tests it alone.
 */
import { trans } from '../i18n';
import { ApiError } from './errors';

/** The `kept` block of a training result (protocol.md, "Byte budgets"). */
export interface IKept {
  snapshot_epochs?: number[];
  every?: number | null;
  bytes?: number;
  budget_bytes?: number;
  message?: string | null;
}

/**
 * The real epoch of every snapshot entry, in order: the result's `snapshots.epochs` when it has
 * one number per entry, else 0..count-1 (results from before budgets kept every epoch).
 */
export function snapshotEpochs(
  snapshots: { epochs?: unknown } | null | undefined,
  count: number
): number[] {
  const epochs = snapshots?.epochs;
  if (
    Array.isArray(epochs) &&
    epochs.length === count &&
    epochs.every(e => typeof e === 'number' && Number.isInteger(e) && e >= 0)
  ) {
    return epochs.slice() as number[];
  }
  return Array.from({ length: Math.max(0, count) }, (_, i) => i);
}

/**
 * The epochs a *cancelled* training run kept (it has no result to list them): from its last
 * finished epoch and the plan its progress events carried (`snapshot_every`): 0, k, 2k, ... up
 * to `last`, and `last` itself; `null` means the budget kept the latest epoch only; a missing
 * plan (runs from before budgets) means every epoch.
 */
export function cancelledEpochs(last: number, every: number | null | undefined): number[] {
  const end = Math.max(0, Math.floor(last));
  if (every === null) {
    return [end];
  }
  const step = typeof every === 'number' && Number.isInteger(every) && every > 0 ? every : 1;
  const epochs: number[] = [];
  for (let epoch = 0; epoch < end; epoch += step) {
    epochs.push(epoch);
  }
  epochs.push(end);
  return epochs;
}

/** The kernel's note that a byte budget thinned what the run kept, or null when it kept all. */
export function keptNotice(result: { kept?: IKept | null } | null | undefined): string | null {
  const message = result?.kept?.message;
  return typeof message === 'string' && message.trim() ? message.trim() : null;
}

/**
 * The slider position showing `epoch`: its own entry when kept, else the nearest kept epoch
 * (the earlier one on a tie); a negative epoch means the last.
 */
export function positionOf(epochs: number[], epoch: number): number {
  if (!epochs.length) {
    return 0;
  }
  if (!Number.isFinite(epoch) || epoch < 0) {
    return epochs.length - 1;
  }
  let best = 0;
  for (let i = 1; i < epochs.length; i++) {
    if (Math.abs(epochs[i] - epoch) < Math.abs(epochs[best] - epoch)) {
      best = i;
    }
  }
  return best;
}

/** The epoch at a slider position, clamped to the kept ones. */
export function epochAt(epochs: number[], position: number): number {
  if (!epochs.length) {
    return 0;
  }
  const i = Number.isFinite(position)
    ? Math.max(0, Math.min(epochs.length - 1, Math.round(position)))
    : epochs.length - 1;
  return epochs[i];
}

/** The first 8 characters of a kernel id: enough to tell kernels apart in a sentence. */
export function shortId(id: string | null | undefined): string {
  return (id ?? '').slice(0, 8) || trans.__('unknown');
}

/** What needs the model of a `task` run (`family.name`): the family's words, else a general line. */
function whatNeedsTheModel(task: string | null | undefined): string {
  switch ((task ?? '').split('.')[0]) {
    case 'transformer':
      return trans.__('the neuron view or another sentence');
    case 'cnn':
      return trans.__('drawing a new image or inspecting another epoch');
    default:
      return trans.__('asking the model anything new');
  }
}

/** The line a view of a training run shows when the kernel that holds its model is gone. */
export function kernelGoneMessage(
  kernelId: string | null | undefined,
  task?: string | null
): string {
  return trans.__(
    'The trained model lived in kernel %1, which is no longer running: the saved epochs below still show, but %2 needs the run again.',
    shortId(kernelId),
    whatNeedsTheModel(task)
  );
}

/** What a view says when the server no longer has the run itself (in the learner's language). */
export function runGoneMessage(): string {
  return trans.__(
    'This run is no longer on the server: it keeps a limited number of runs (failed and cancelled ones are forgotten first, then the oldest). Run the task again from the DL Viz panel.'
  );
}

/** The same line in English; views call `runGoneMessage()`, which is translated. */
export const RUN_GONE_MESSAGE = runGoneMessage();

/** A run that ended without a result, with the field the kernel blamed (`run`, `epoch`, ...). */
export class RunFailedError extends Error {
  readonly field: string | null;
  readonly status: string;

  constructor(message: string, field: string | null = null, status = 'failed') {
    super(message);
    this.name = 'RunFailedError';
    this.field = field;
    this.status = status;
  }
}

/**
 * Whether a failed round trip to the model's kernel means the model is gone: the kernel no
 * longer knows the run (field `run`), or the server no longer has the kernel (404 on `kernel_id`).
 */
export function modelGone(error: unknown): boolean {
  if (error instanceof RunFailedError) {
    return error.field === 'run';
  }
  if (error instanceof ApiError) {
    return error.status === 404 && error.errors.some(e => e.field === 'kernel_id');
  }
  return false;
}
