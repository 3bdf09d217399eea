/**
 * The presets the panel offers and the one in use: the three sources put together, choosing a
 * preset (its task and its form), and the form schema and uiSchema it draws, made once.
 */
import { trans } from '../i18n';
import { ITaskLike, uiSchemaFor } from './formLogic';
import {
  combinePresets,
  IPreset,
  parsePresets,
  presetFormData,
  presetFormSchema,
  presetUiSchema
} from './presets';

/** A preset asked for by a link; `serial` tells two requests of the same name apart. */
export interface IPresetRequest {
  name: string;
  serial: number;
}

/** Every preset, one per name (the server's first), and what is wrong with the others. */
export function presetsOf(
  server: IPreset[],
  serverProblems: string[],
  settingsRaw: unknown,
  notebookRaw: unknown
): { presets: IPreset[]; problems: string[] } {
  const settings = parsePresets(settingsRaw, 'settings');
  const notebook = parsePresets(notebookRaw, 'notebook');
  return {
    presets: combinePresets(server, settings.presets, notebook.presets),
    problems: [...serverProblems, ...settings.problems, ...notebook.problems]
  };
}

/** The preset in use: the chosen one, while its task is the selected one. */
export function activePreset(
  presets: IPreset[],
  name: string | null,
  taskId: string | null
): IPreset | null {
  const preset = name ? presets.find(p => p.name === name) : undefined;
  return preset && preset.task === taskId ? preset : null;
}

/** What choosing a preset changes: its task, and the form filled with its params. */
export function choosePreset(
  preset: IPreset,
  tasks: ITaskLike[],
  formData: { [task: string]: { [key: string]: any } }
): { taskId: string; presetName: string; formData: typeof formData } | { error: string } {
  const task = tasks.find(t => t.id === preset.task);
  if (!task) {
    return {
      error: trans.__(
        'The preset %1 is for %2, a task this server does not have.',
        preset.name,
        preset.task
      )
    };
  }
  return {
    taskId: task.id,
    presetName: preset.name,
    formData: { ...formData, [task.id]: presetFormData(preset, task.schema) }
  };
}

/** The form's schema and uiSchema for a task and a preset, made again only when they change. */
export class DrawnForm {
  private _key = '';
  private _drawn: { schema: any; ui: any } = { schema: {}, ui: {} };

  get(task: ITaskLike, preset: IPreset | null): { schema: any; ui: any } {
    const key = JSON.stringify([task.id, preset?.name, preset?.locked, preset?.hidden]);
    if (key !== this._key) {
      this._key = key;
      this._drawn = {
        schema: presetFormSchema(task.schema, preset),
        ui: presetUiSchema(task.schema, uiSchemaFor(task.schema), preset)
      };
    }
    return this._drawn;
  }
}
