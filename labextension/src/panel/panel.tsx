/**
 * The DL Viz side panel: pick a task (or a course preset), fill its form (drawn from the task's
 * JSON Schema), pick a kernel, run, follow the progress, and open the result beside the notebook.
 */
import { FormComponent } from '@jupyterlab/ui-components';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';
import React from 'react';

import { languageCode, trans } from '../i18n';
import { ApiError, DlvizApi, IProgress, ITask } from '../api/client';
import { RunStatus } from '../api/runStatus';
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
  KernelChoice,
  mapErrors,
  paramsOf,
  validChoice
} from './formLogic';
import { KernelSelect, RunStatusLines, TaskSelect } from './panelStatus';
import { PresetHeader, PresetPicker, showPresetJson } from './presetHeader';
import { followRun, linesAfterStatus, linesOfRun } from './followRun';
import { IPreset, parsePresets, presetFromForm, withFixedValues } from './presets';
import { activePreset, choosePreset, DrawnForm, IPresetRequest, presetsOf } from './presetState';

/** The task schemas are draft 2020-12: validate them with Ajv's 2020 class. */
const validator = customizeValidator({ AjvClass: Ajv2020 as any });

export interface IPanelProps {
  api: DlvizApi;
  notebook: INotebookInfo | null;
  /** Open the view of a run: when it started (training monitor) or once it succeeded; `part`:
   * the part of the view a preset asks for. */
  openView: (runId: string, task: string, moment: RunMoment, part?: string) => void;
  /** The `presets` of the `dlviz-lab:presets` settings. */
  settingsPresets?: unknown;
  presetRequest?: IPresetRequest | null;
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
  /** The presets the server trusts, and what is wrong with any of them. */
  serverPresets: IPreset[];
  serverProblems: string[];
  /** The chosen preset; a preset a link asked for that is not known yet; the last request. */
  presetName: string | null;
  waitingFor: string | null;
  requestSerial: number;
}

/** The panel's React component. */
export class DlvizPanelComponent extends React.Component<IPanelProps, IPanelState> {
  private _abort: AbortController | null = null;
  private _unmounted = false;
  private _drawn = new DrawnForm();

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
      error: '',
      serverPresets: [],
      serverProblems: [],
      presetName: null,
      waitingFor: null,
      requestSerial: 0
    };
  }

  componentDidMount(): void {
    void this._loadCatalog();
    void this._loadPresets();
  }

  componentDidUpdate(): void {
    const request = this.props.presetRequest;
    if (request && request.serial !== this.state.requestSerial) {
      this.setState({ waitingFor: request.name, requestSerial: request.serial });
      return;
    }
    const { waitingFor, tasks } = this.state;
    if (waitingFor && tasks) {
      const preset = this._presets().presets.find(p => p.name === waitingFor);
      if (preset) {
        this._choosePreset(preset);
      }
    }
  }

  private async _loadPresets(): Promise<void> {
    try {
      const listing = await this.props.api.presets();
      const { presets, problems } = parsePresets(listing.presets, 'server');
      this.setState({ serverPresets: presets, serverProblems: [...listing.problems, ...problems] });
    } catch (error) {
      this.setState({
        serverProblems: [trans.__('Cannot load the presets: %1', (error as Error).message)]
      });
    }
  }

  /** Every preset, one per name (the server's first), and what is wrong with the others. */
  private _presets(): { presets: IPreset[]; problems: string[] } {
    const { serverPresets, serverProblems } = this.state;
    const { settingsPresets, notebook } = this.props;
    return presetsOf(serverPresets, serverProblems, settingsPresets, notebook?.presets);
  }

  private get _preset(): IPreset | null {
    const { presetName, taskId } = this.state;
    return activePreset(this._presets().presets, presetName, taskId);
  }

  /** Select a preset's task and fill the form with its params over the defaults. */
  private _choosePreset(preset: IPreset): void {
    const chosen = choosePreset(preset, this.state.tasks ?? [], this.state.formData);
    this.setState({ waitingFor: null, extraErrors: {}, error: '', ...chosen } as any);
  }

  private _onPreset = (name: string | null): void => {
    const preset = name ? this._presets().presets.find(p => p.name === name) : null;
    if (preset) {
      this._choosePreset(preset);
    } else {
      this.setState({ presetName: null, waitingFor: null });
    }
  };

  private _onCopyPreset = (): void => {
    const task = this._task;
    if (task) {
      const data = this.state.formData[task.id] ?? {};
      void showPresetJson(presetFromForm(task.id, data, task.schema, this._preset));
    }
  };

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
    this.setState({ taskId: event.target.value, presetName: null, extraErrors: {}, error: '' });
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
    // A preset's locked and hidden fields are sent at its values, whatever the form says.
    const preset = this._preset;
    const params = withFixedValues(paramsOf(this.state.formData[task.id]), preset, task.schema);
    const part = preset?.view || undefined;
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
      const created = await this.props.api.createRun(task.id, params, kernelId, preset?.name);
      runId = created.id;
      this.setState({ runId, status: created.status });
      // A training run shows its curves while it trains.
      if (viewFor(task.id, 'started')) {
        this.props.openView(runId, task.id, 'started', part);
      }
    } catch (error) {
      this._showError(error, schema);
      this.setState({ status: 'idle' });
      return;
    }
    await this._follow(runId, task.id, part);
  };

  private async _follow(runId: string, taskId: string, part?: string): Promise<void> {
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    const final = await followRun(this.props.api, runId, abort.signal, {
      alive: () => !this._unmounted && this.state.runId === runId,
      progress: progress => this.setState({ progress, message: progress.message ?? '' }),
      status: event => {
        // The kernel can name the field that made the run fail (text too long, unknown model).
        const field = event.status === 'failed' && event.error ? event.error_field : null;
        const task = this._task;
        const inline =
          field && task
            ? mapErrors([{ field, message: event.error as string }], task.schema).extraErrors
            : null;
        this.setState(state => ({
          ...linesAfterStatus(state, event),
          status: event.status,
          extraErrors: inline ?? state.extraErrors
        }));
      },
      polled: run => this.setState(state => linesOfRun(run, state.error) as any),
      lost: error => this.setState({ error })
    });
    if (final === 'succeeded' && viewFor(taskId, 'succeeded') && !this._unmounted) {
      this.props.openView(runId, taskId, 'succeeded', part);
    }
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
    const { presets, problems } = this._presets();
    const preset = this._preset;
    const drawn = task ? this._drawn.get(task, preset) : null;
    return (
      <div className="dlviz-panel-body">
        <header className="dlviz-panel-header">
          <dlvizIcon.react tag="span" className="dlviz-panel-logo" />
          <h2>DL Viz</h2>
        </header>
        {/* Task, kernel, Run and the run's state stay at the top, in sight while the form scrolls. */}
        <div className="dlviz-panel-actions">
          <PresetPicker
            presets={presets}
            presetName={preset ? preset.name : null}
            onChange={this._onPreset}
          />
          <TaskSelect tasks={tasks} taskId={this.state.taskId} onChange={this._onTask} />
          <KernelSelect notebook={notebook} choice={choice} onChange={this._onKernel} />
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
        <div className="dlviz-buttons">
          <button
            className="jp-Button jp-mod-styled"
            data-testid="dlviz-copy-preset"
            title={trans.__('The task and its form as preset JSON, for a lesson')}
            onClick={this._onCopyPreset}
            disabled={!task}
          >
            {trans.__('Copy preset')}
          </button>
        </div>
        <PresetHeader preset={preset} waitingFor={this.state.waitingFor} problems={problems} />
        {task && <p className="dlviz-task-description">{task.description}</p>}
        {task && drawn && (
          <div className="dlviz-form">
            <FormComponent
              key={`${task.id}:${preset?.name ?? ''}`}
              schema={drawn.schema}
              uiSchema={drawn.ui}
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
