/**
 * Loading the run an explorer shows: wait while it is still going, then hand back a succeeded run
 * with its result, or say in one line why there is nothing to show (gone, failed, cancelled).
 */
import { ApiError, DlvizApi, IRun } from '../../api/client';
import { RUN_GONE_MESSAGE } from '../../api/keptRuns';
import { waitForRun } from '../../api/runAndWatch';
import { isTerminal } from '../../api/runStatus';
import { trans } from '../../i18n';

/** The run once it succeeded, or null after `say` was told why not. */
export async function loadFinishedRun(
  api: DlvizApi,
  runId: string,
  signal: AbortSignal,
  say: (message: string) => void
): Promise<IRun | null> {
  let run: IRun;
  try {
    run = await api.getRunWithArrays(runId);
    if (!isTerminal(run.status)) {
      say(trans.__('This run is still going; the explorer fills in when it is done.'));
      await waitForRun(api, run.id, signal);
      run = await api.getRunWithArrays(runId);
    }
  } catch (error) {
    say(
      error instanceof ApiError && error.status === 404
        ? RUN_GONE_MESSAGE
        : trans.__('Cannot load this run: %1', (error as Error).message)
    );
    return null;
  }
  if (run.status !== 'succeeded' || !run.result) {
    say(
      run.status === 'failed'
        ? trans.__('This run failed: %1', run.error ?? trans.__('no reason given'))
        : trans.__('This run has no result (it is %1).', run.status)
    );
    return null;
  }
  return run;
}
