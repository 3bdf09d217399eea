/**
 * Following a run from the panel: its event stream, and polling when the stream breaks (a
 * proxy, a network hiccup). The panel says through `IRunHooks` what each event changes.
 */
import { trans } from '../i18n';
import { DlvizApi, IProgress, IRun } from '../api/client';
import { isTerminal, isWaiting, RunStatus } from '../api/runStatus';

export interface IStatusEvent {
  status: RunStatus;
  error?: string | null;
  error_field?: string | null;
}

export interface IRunHooks {
  /** False once the panel is gone or follows another run: events are dropped. */
  alive(): boolean;
  progress(progress: IProgress): void;
  status(event: IStatusEvent): void;
  polled(run: IRun): void;
  lost(message: string): void;
}

/** Follow a run until it ends; its final status, or null when following stopped. */
export async function followRun(
  api: DlvizApi,
  runId: string,
  signal: AbortSignal,
  hooks: IRunHooks
): Promise<RunStatus | null> {
  let final: RunStatus | null = null;
  try {
    await api.watchRun(
      runId,
      event => {
        if (!hooks.alive()) {
          return;
        }
        if (event.event === 'progress') {
          hooks.progress(event.data);
        } else {
          if (isTerminal(event.data.status)) {
            final = event.data.status;
          }
          hooks.status(event.data);
        }
      },
      signal
    );
  } catch {
    if (signal.aborted) {
      return null;
    }
  }
  if (final === null && !signal.aborted) {
    final = await pollRun(api, runId, signal, hooks);
  }
  return final;
}

/** Ask for the run every second until it ends. */
async function pollRun(
  api: DlvizApi,
  runId: string,
  signal: AbortSignal,
  hooks: IRunHooks
): Promise<RunStatus | null> {
  while (!signal.aborted && hooks.alive()) {
    try {
      const run = await api.getRun(runId);
      hooks.polled(run);
      if (isTerminal(run.status)) {
        return run.status;
      }
    } catch (error) {
      hooks.lost(trans.__('Lost track of the run: %1', (error as Error).message));
      return null;
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  return null;
}

export interface IRunLines {
  status: string;
  progress: IProgress | null;
  message: string;
  error: string;
}

/** The run's lines after a status event. */
export function linesAfterStatus(lines: IRunLines, event: IStatusEvent): IRunLines {
  const { status, error } = event;
  // The kernel took a run that waited for a notebook cell: the waiting line is over.
  const waited = isWaiting(lines.status, lines.progress) && status !== 'queued';
  return {
    status,
    progress: waited ? null : lines.progress,
    message:
      status === 'failed' ? (error ?? '') : status === 'succeeded' || waited ? '' : lines.message,
    error: status === 'failed' && error ? error : lines.error
  };
}

/** The run's lines from a polled run. */
export function linesOfRun(run: IRun, previousError: string): IRunLines {
  return {
    status: run.status,
    progress: run.progress,
    message: run.status === 'failed' ? (run.error ?? '') : (run.progress?.message ?? ''),
    error: run.status === 'failed' && run.error ? run.error : previousError
  };
}
