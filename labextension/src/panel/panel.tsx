/**
 * The DL Viz side panel: pick a task, fill its form (drawn from the task's JSON Schema), pick a
 * kernel, run, follow the progress, and open the result beside the notebook.
 */
import { FormComponent, ReactWidget } from '@jupyterlab/ui-components';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';
import React from 'react';

import { languageCode, trans } from '../i18n';
import { ApiError, DlvizApi, IProgress, ITask } from '../api/client';
import { isTerminal, isWaiting, RunStatus } from '../api/runStatus';
import { RunMoment, viewFor } from '../views/registry';
import { dlvizIcon } from '../views/shared/icon';
import {
  defaultTaskId,
  describeError,
  formDefaults,
  formSchema,
  IErrorSchema,
  INotebookInfo,
  kernelIdFor,
  kernelOptions,
  KernelChoice,
  mapErrors,
  paramsOf,
  validChoice,
  uiSchemaFor
} from './formLogic';
import { RunStatusLines, TaskSelect } from './panelStatus';

/** The task schemas are draft 2020-12: validate them with Ajv's 2020 class. */
const validator = customizeValidator({ AjvClass: Ajv2020 as any });

export interface IPanelProps {
  api: DlvizApi;
  notebook: INotebookInfo | null;
  /** Open the view of a run: when it started (training monitor) or once it succeeded. */
  openView: (runId: string, task: string, moment: RunMoment) => void;
}

type Status = RunStatus | 'idle' | 'starting';

interface IPanelState {
  tasks: ITask[] | null;
  taskId: string | null;
  /** Form data per task, so switching tasks keeps what was typed. */
  formData: { [task: string]: { [key: string]: any } };
  extraErrors: IErrorSchema;
  kernelChoice: KernelChoice | null;
  runId: string | null;
  status: Status;
  message: string;
  progress: IProgress | null;
  error: string;
}

/** The panel's React component. */
export class DlvizPanelComponent extends React.Component<IPanelProps, IPanelState> {
  private _abort: AbortController | null = null;
  private _unmounted = false;

  constructor(props: IPanelProps) {
    super(props);
    this.state = {
      tasks: null,
      taskId: null,
      formData: {},
      extraErrors: {},
      kernelChoice: null,
      runId: null,
      status: 'idle',
      message: '',
      progress: null,
      error: ''
    };
  }

  componentDidMount(): void {
    void this._loadCatalog();
  }

  componentWillUnmount(): void {
    this._unmounted = true;
    this._abort?.abort();
  }

  private async _loadCatalog(): Promise<void> {
    try {
      // Titles and descriptions of the tasks and their fields in JupyterLab's language.
      const catalog = await this.props.api.catalog(languageCode());
      const taskId = defaultTaskId(catalog.tasks);
      const formData: IPanelState['formData'] = {};
      for (const task of catalog.tasks) {
        formData[task.id] = formDefaults(task.schema);
      }
      this.setState({ tasks: catalog.tasks, taskId, formData, error: '' });
    } catch (error) {
      this.setState({
        tasks: [],
        error: trans.__('Cannot load the tasks: %1', (error as Error).message)
      });
    }
  }

  private get _task(): ITask | null {
    const { tasks, taskId } = this.state;
    return (tasks && tasks.find(t => t.id === taskId)) || null;
  }

  private get _busy(): boolean {
    const { status } = this.state;
    return status === 'starting' || status === 'queued' || status === 'running';
  }

  private _onTask = (event: React.ChangeEvent<HTMLSelectElement>): void => {
    this.setState({ taskId: event.target.value, extraErrors: {}, error: '' });
  };

  private _onKernel = (event: React.ChangeEvent<HTMLSelectElement>): void => {
    this.setState({ kernelChoice: event.target.value as KernelChoice });
  };

  private _onForm = (event: { formData?: any }): void => {
    const task = this._task;
    if (!task) {
      return;
    }
    this.setState(state => ({
      formData: { ...state.formData, [task.id]: event.formData ?? {} },
      // The learner is fixing the form: the last answer's marks no longer apply.
      extraErrors: {}
    }));
  };

  private _onRun = async (): Promise<void> => {
    const task = this._task;
    if (!task || this._busy) {
      return;
    }
    const schema = formSchema(task.schema);
    const params = paramsOf(this.state.formData[task.id]);
    // Check the form here first so a learner sees the mistake at once; the server checks again.
    const checked = validator.validateFormData(params, schema as any);
    if (checked.errors.length) {
      this.setState({
        extraErrors: checked.errorSchema as IErrorSchema,
        error: trans.__(
          'Some fields need fixing: %1',
          checked.errors.map(e => describeError(e)).join('; ')
        ),
        status: 'idle',
        message: ''
      });
      return;
    }
    const kernelChoice = validChoice(this.state.kernelChoice, this.props.notebook);
    const kernelId = kernelIdFor(kernelChoice, this.props.notebook);
    this.setState({
      status: 'starting',
      message: '',
      progress: null,
      error: '',
      extraErrors: {},
      runId: null
    });
    let runId: string;
    try {
      const created = await this.props.api.createRun(task.id, params, kernelId);
      runId = created.id;
      this.setState({ runId, status: created.status });
      // A training run shows its curves while it trains.
      if (viewFor(task.id, 'started')) {
        this.props.openView(runId, task.id, 'started');
      }
    } catch (error) {
      this._showError(error, schema);
      this.setState({ status: 'idle' });
      return;
    }
    await this._follow(runId, task.id);
  };

  private async _follow(runId: string, taskId: string): Promise<void> {
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    let final: Status | null = null;
    try {
      await this.props.api.watchRun(
        runId,
        event => {
          if (this._unmounted || this.state.runId !== runId) {
            return;
          }
          if (event.event === 'progress') {
            this.setState({ progress: event.data, message: event.data.message ?? '' });
          } else {
            const { status, error } = event.data;
            if (isTerminal(status)) {
              final = status;
            }
            // The kernel can name the field that made the run fail (text too long, unknown model).
            const field = status === 'failed' && error ? event.data.error_field : null;
            const task = this._task;
            const inline =
              field && task
                ? mapErrors([{ field, message: error as string }], task.schema).extraErrors
                : null;
            this.setState(state => {
              // The kernel took a run that waited for a notebook cell: the waiting line is over.
              const waited = isWaiting(state.status, state.progress) && status !== 'queued';
              return {
                status,
                progress: waited ? null : state.progress,
                message:
                  status === 'failed'
                    ? (error ?? '')
                    : status === 'succeeded' || waited
                      ? ''
                      : state.message,
                error: status === 'failed' && error ? error : state.error,
                extraErrors: inline ?? state.extraErrors
              };
            });
          }
        },
        abort.signal
      );
    } catch {
      if (abort.signal.aborted) {
        return;
      }
      // The event stream broke (a proxy, a network hiccup): poll instead.
      final = await this._poll(runId, abort.signal);
    }
    if (final === null && !abort.signal.aborted) {
      final = await this._poll(runId, abort.signal);
    }
    if (final === 'succeeded' && viewFor(taskId, 'succeeded') && !this._unmounted) {
      this.props.openView(runId, taskId, 'succeeded');
    }
  }

  private async _poll(runId: string, signal: AbortSignal): Promise<Status | null> {
    while (!signal.aborted && !this._unmounted) {
      try {
        const run = await this.props.api.getRun(runId);
        this.setState({
          status: run.status,
          progress: run.progress,
          message: run.status === 'failed' ? (run.error ?? '') : (run.progress?.message ?? ''),
          error: run.status === 'failed' && run.error ? run.error : this.state.error
        });
        if (isTerminal(run.status)) {
          return run.status;
        }
      } catch (error) {
        this.setState({ error: trans.__('Lost track of the run: %1', (error as Error).message) });
        return null;
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
    return null;
  }

  private _onCancel = async (): Promise<void> => {
    const { runId } = this.state;
    if (!runId || !this._busy) {
      return;
    }
    try {
      await this.props.api.cancelRun(runId);
    } catch (error) {
      this.setState({ error: trans.__('Cannot cancel: %1', (error as Error).message) });
    }
  };

  private _showError(error: unknown, schema: { [key: string]: any }): void {
    if (error instanceof ApiError) {
      const { extraErrors, general } = mapErrors(error.errors, schema);
      // Field errors show next to their field; the line below the buttons says what failed.
      const parts = general.length ? general : [error.message];
      this.setState({ extraErrors, error: parts.join('; ') });
    } else {
      this.setState({ error: (error as Error).message ?? String(error) });
    }
  }

  render(): JSX.Element {
    const { tasks, status, message, progress, error, extraErrors } = this.state;
    const task = this._task;
    const notebook = this.props.notebook;
    const choice = validChoice(this.state.kernelChoice, notebook);
    const busy = this._busy;
    return (
      <div className="dlviz-panel-body">
        <header className="dlviz-panel-header">
          <dlvizIcon.react tag="span" className="dlviz-panel-logo" />
          <h2>DL Viz</h2>
        </header>
        {/* Task, kernel, Run and the run's state stay at the top, in sight while the form scrolls. */}
        <div className="dlviz-panel-actions">
          <TaskSelect tasks={tasks} taskId={this.state.taskId} onChange={this._onTask} />
          <label className="dlviz-field">
            <span>{trans.__('Kernel')}</span>
            <select
              className="jp-mod-styled"
              data-testid="dlviz-kernel"
              value={choice}
              onChange={this._onKernel}
            >
              {kernelOptions(notebook).map(option => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <div className="dlviz-buttons">
            <button
              className="jp-Button jp-mod-styled jp-mod-accept"
              data-testid="dlviz-run"
              onClick={this._onRun}
              disabled={!task || busy}
            >
              {trans.__('Run')}
            </button>
            <button
              className="jp-Button jp-mod-styled jp-mod-reject"
              data-testid="dlviz-cancel"
              onClick={this._onCancel}
              disabled={!busy || !this.state.runId}
            >
              {trans.__('Cancel')}
            </button>
          </div>
          <RunStatusLines status={status} message={message} progress={progress} error={error} />
        </div>
        {task && <p className="dlviz-task-description">{task.description}</p>}
        {task && (
          <div className="dlviz-form">
            <FormComponent
              key={task.id}
              schema={formSchema(task.schema) as any}
              uiSchema={uiSchemaFor(task.schema) as any}
              formData={this.state.formData[task.id] ?? {}}
              onChange={this._onForm}
              validator={validator as any}
              extraErrors={extraErrors as any}
              showErrorList={false}
              noHtml5Validate={true}
              idPrefix={`dlviz-${task.id.replace(/\W/g, '-')}`}
              compact={true}
              showModifiedFromDefault={false}
            />
          </div>
        )}
      </div>
    );
  }
}

/** The side panel widget; `notebook` is updated from the notebook tracker. */
export class DlvizPanel extends ReactWidget {
  private _api: DlvizApi;
  private _notebook: INotebookInfo | null = null;
  private _openView: IPanelProps['openView'];

  constructor(api: DlvizApi, openView: IPanelProps['openView']) {
    super();
    this._api = api;
    this._openView = openView;
    this.id = 'dlviz-lab-panel';
    this.addClass('dlviz-panel');
    this.title.icon = dlvizIcon;
    this.title.caption = 'DL Viz';
  }

  get notebook(): INotebookInfo | null {
    return this._notebook;
  }

  set notebook(value: INotebookInfo | null) {
    const old = this._notebook;
    if (old?.name === value?.name && old?.kernelId === value?.kernelId) {
      return;
    }
    this._notebook = value;
    this.update();
  }

  render(): JSX.Element {
    return (
      <DlvizPanelComponent api={this._api} notebook={this._notebook} openView={this._openView} />
    );
  }
}
