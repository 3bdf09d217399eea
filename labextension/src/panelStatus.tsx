/**
 * The run's state under the panel's Run button: a progress bar, the status line (a queued run
 * waiting for a notebook cell says so in words) and the error line.
 */
import React from 'react';

import { IProgress } from './api';
import { isWaiting, progressFraction, statusLine } from './logic';

export interface IRunStatusProps {
  status: string;
  message: string;
  progress: IProgress | null;
  error: string;
}

/** Progress, status and error of the panel's current run. */
export function RunStatusLines(props: IRunStatusProps): JSX.Element {
  const { status, message, progress, error } = props;
  const fraction = progressFraction(progress);
  const waiting = isWaiting(status, progress);
  return (
    <>
      <progress
        className="dlviz-progress"
        data-testid="dlviz-progress"
        max={1}
        value={status === 'succeeded' ? 1 : fraction ?? undefined}
        // Waiting for a notebook cell is not progress: the sentence below says what happens.
        hidden={status === 'idle' || waiting}
      />
      <div
        className={`dlviz-status dlviz-status-${status}` + (waiting ? ' dlviz-notice dlviz-waiting' : '')}
        data-testid="dlviz-status"
        aria-live="polite"
      >
        {statusLine(status, message)}
      </div>
      <div className="dlviz-error" data-testid="dlviz-error" role="alert" hidden={!error}>
        {error}
      </div>
    </>
  );
}
