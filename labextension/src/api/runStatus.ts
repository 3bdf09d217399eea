/**
 * A run's status as the panel and the views read it: which statuses are final, whether a queued
 * run waits for a notebook cell, and how far it got, and the status in the learner's words.
 * Pure: tested by jest.
 */
import { trans } from '../i18n';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The statuses a run never leaves: the one list every view and the panel use. */
export const TERMINAL_STATUSES: ReadonlyArray<RunStatus> = ['succeeded', 'failed', 'cancelled'];

/** Whether a status is final (any string: a status event may carry one this client does not know). */
export function isTerminal(status: string | null | undefined): boolean {
  return TERMINAL_STATUSES.includes(status as RunStatus);
}

/**
 * Whether a queued run is waiting for its kernel to finish a notebook cell: the server keeps it
 * queued and says so with a progress event of phase "waiting".
 */
export function isWaiting(
  status: string,
  progress: { phase?: unknown; [key: string]: unknown } | null | undefined
): boolean {
  return status === 'queued' && !!progress && progress.phase === 'waiting';
}

/** Progress as a fraction in [0, 1], or null when the total is unknown. */
export function progressFraction(
  progress: { step?: number; total?: number; [key: string]: unknown } | null | undefined
): number | null {
  if (
    !progress ||
    typeof progress.step !== 'number' ||
    typeof progress.total !== 'number' ||
    progress.total <= 0
  ) {
    return null;
  }
  return Math.max(0, Math.min(1, progress.step / progress.total));
}

/** A status as the learner reads it (English: the status itself); an unknown one as it is. */
export function statusWord(status: string): string {
  switch (status) {
    case 'idle':
      return trans.__('idle');
    case 'starting':
      return trans.__('starting');
    case 'queued':
      return trans.__('queued');
    case 'running':
      return trans.__('running');
    case 'succeeded':
      return trans.__('succeeded');
    case 'failed':
      return trans.__('failed');
    case 'cancelled':
      return trans.__('cancelled');
    default:
      return status;
  }
}
