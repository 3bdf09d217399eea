/**
 * "Create a run, follow its events, fetch the result": the one helper every view uses when it
 * asks the kernel for more (the neuron view's queries and keys, another head's steps, the CNN
 * explorer's inspect runs), and the wait for a run that is still going.
 */
import { DlvizApi, IRun } from './client';
import { trans } from '../i18n';
import { RunFailedError } from './keptRuns';
import { isTerminal, RunStatus, statusWord } from './runStatus';

/**
 * Wait until run `id` is over: follow its event stream, and poll its status when the stream
 * breaks. Resolves with the final status, or null once `signal` aborts.
 */
export async function waitForRun(
  api: DlvizApi,
  id: string,
  signal?: AbortSignal
): Promise<RunStatus | null> {
  try {
    const last = await api.watchRun(id, () => undefined, signal);
    if (last && last.event === 'status' && isTerminal(last.data.status)) {
      return last.data.status;
    }
  } catch {
    // the stream broke (a proxy, a network hiccup): poll instead
  }
  while (!signal?.aborted) {
    const run = await api.getRun(id);
    if (isTerminal(run.status)) {
      return run.status;
    }
    await new Promise(resolve => setTimeout(resolve, 300));
  }
  return null;
}

export interface IRunAndWatchOptions {
  /** The kernel to run in (a trained model lives in its run's kernel); else the scratch kernel. */
  kernelId?: string | null;
  /** Stops following the run (the view was closed). */
  signal?: AbortSignal;
  /** Fetch every large array of the result whole (views that draw a result at once). */
  arrays?: boolean;
  /** Asked once the run is over: true when the learner moved on and the result is not wanted. */
  stale?: () => boolean;
}

/**
 * Create a `task` run with `params`, wait until it is over, and fetch it. Resolves with the
 * succeeded run (its result set), or null when aborted or `stale()`; throws a RunFailedError
 * with the kernel's reason (and the field it blamed) when the run did not succeed.
 */
export async function runAndWatch(
  api: DlvizApi,
  task: string,
  params: { [key: string]: unknown },
  options: IRunAndWatchOptions = {}
): Promise<(IRun & { result: NonNullable<IRun['result']> }) | null> {
  const created = await api.createRun(task, params, options.kernelId);
  const status = await waitForRun(api, created.id, options.signal);
  if (status === null || options.stale?.()) {
    return null;
  }
  const run = options.arrays
    ? await api.getRunWithArrays(created.id)
    : await api.getRun(created.id);
  if (run.status !== 'succeeded' || !run.result) {
    throw new RunFailedError(
      run.error ?? trans.__('the %1 run was %2', task, statusWord(run.status)),
      run.error_field ?? null,
      run.status
    );
  }
  return run as IRun & { result: NonNullable<IRun['result']> };
}
