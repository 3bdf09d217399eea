/**
 * Parts of the panel drawn apart from its state: the task picker (tasks grouped by family), the
 * kernel picker and the run's state under the Run button: a progress bar, the status line (a queued run waiting
 * for a notebook cell says so in words) and the error line.
 */
import React from 'react';

import { trans } from '../i18n';
import { IProgress, ITask } from '../api/client';
import { isWaiting, progressFraction } from '../api/runStatus';
import { groupTasks, INotebookInfo, kernelOptions, KernelChoice, statusLine } from './formLogic';

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
        value={status === 'succeeded' ? 1 : (fraction ?? undefined)}
        // Waiting for a notebook cell is not progress: the sentence below says what happens.
        hidden={status === 'idle' || waiting}
      />
      <div
        className={
          `dlviz-status dlviz-status-${status}` + (waiting ? ' dlviz-notice dlviz-waiting' : '')
        }
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

export interface ITaskSelectProps {
  /** The catalog's tasks; null while it loads. */
  tasks: ITask[] | null;
  taskId: string | null;
  onChange: (event: React.ChangeEvent<HTMLSelectElement>) => void;
}

/** The task picker: one group of options per family, in catalog order. */
export function TaskSelect(props: ITaskSelectProps): JSX.Element {
  const { tasks, taskId, onChange } = props;
  return (
    <label className="dlviz-field">
      <span>{trans.__('Task')}</span>
      <select
        className="jp-mod-styled"
        data-testid="dlviz-task"
        value={taskId ?? ''}
        onChange={onChange}
        disabled={!tasks || !tasks.length}
      >
        {!tasks && <option value="">{trans.__('Loading…')}</option>}
        {tasks &&
          groupTasks(tasks).map(group => (
            <optgroup key={group.family} label={group.label}>
              {group.tasks.map(t => (
                <option key={t.id} value={t.id}>
                  {t.title}
                </option>
              ))}
            </optgroup>
          ))}
      </select>
    </label>
  );
}

export interface IKernelSelectProps {
  notebook: INotebookInfo | null;
  choice: KernelChoice;
  onChange: (event: React.ChangeEvent<HTMLSelectElement>) => void;
}

/** The kernel picker: the notebook's kernel (when it has one) or the scratch kernel. */
export function KernelSelect(props: IKernelSelectProps): JSX.Element {
  return (
    <label className="dlviz-field">
      <span>{trans.__('Kernel')}</span>
      <select
        className="jp-mod-styled"
        data-testid="dlviz-kernel"
        value={props.choice}
        onChange={props.onChange}
      >
        {kernelOptions(props.notebook).map(option => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
