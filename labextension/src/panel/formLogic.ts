/**
 * The side panel's decisions, kept apart from React and JupyterLab so that they can be tested
 * alone: which tasks to offer and in which groups, what the form starts with, which kernel a
 * run goes to, and where a server error is shown.
 */
import { trans } from '../i18n';
import { statusWord } from '../api/runStatus';
import { withEnumLabels } from './enumLabels';

/** The part of a catalog task that these functions look at. */
export interface ITaskLike {
  id: string;
  family: string;
  title: string;
  schema: { [key: string]: any };
}

export interface ITaskGroup<T extends ITaskLike = ITaskLike> {
  family: string;
  label: string;
  tasks: T[];
}

/** The task the panel shows first: the one learners start with, when the catalog has it. */
export const PREFERRED_TASK = 'transformer.attention';

/** The learner-facing name of a family; an unknown family shows its own name. */
export function familyLabel(family: string): string {
  switch (family) {
    case 'transformer':
      return trans.__('Transformers');
    case 'cnn':
      return trans.__('Convolutional networks');
    case 'rnn':
      return trans.__('Recurrent networks');
    case 'mlp':
      return trans.__('Multilayer perceptrons');
    case 'autoencoder':
      return trans.__('Autoencoders');
    default:
      return family.charAt(0).toUpperCase() + family.slice(1);
  }
}

/** Tasks grouped by family, families and tasks in catalog order. */
export function groupTasks<T extends ITaskLike>(tasks: T[]): ITaskGroup<T>[] {
  const groups = new Map<string, ITaskGroup<T>>();
  for (const task of tasks) {
    const family = task.family || 'other';
    let group = groups.get(family);
    if (!group) {
      group = { family, label: familyLabel(family), tasks: [] };
      groups.set(family, group);
    }
    group.tasks.push(task);
  }
  return Array.from(groups.values());
}

/** The task selected when the panel opens: the preferred one, else the first, else none. */
export function defaultTaskId(
  tasks: ITaskLike[],
  preferred: string = PREFERRED_TASK
): string | null {
  if (tasks.some(t => t.id === preferred)) {
    return preferred;
  }
  return tasks.length ? tasks[0].id : null;
}

/** Each task schema's form schema, made once: the panel draws it on every render. */
const FORM_SCHEMAS = new WeakMap<object, { [key: string]: any }>();

/**
 * The schema the form draws: the task schema without the keys that are about the task rather
 * than a field (`$id`, `$schema`, the title and description the panel shows itself), its enums
 * shown with their labels (`x-enum-labels`, see enumLabels.ts).
 */
export function formSchema(schema: { [key: string]: any }): { [key: string]: any } {
  const known = FORM_SCHEMAS.get(schema);
  if (known) {
    return known;
  }
  const out: { [key: string]: any } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id' || key === '$schema' || key === 'title' || key === 'description') {
      continue;
    }
    out[key] = value;
  }
  const drawn = withEnumLabels(out);
  FORM_SCHEMAS.set(schema, drawn);
  return drawn;
}

/** The values the form starts with: every property's `default`, nested objects included. */
export function formDefaults(schema: { [key: string]: any }): { [key: string]: any } {
  const out: { [key: string]: any } = {};
  const properties = (schema && schema.properties) || {};
  for (const [name, property] of Object.entries<any>(properties)) {
    if (property && 'default' in property) {
      out[name] = clone(property.default);
    } else if (property && property.type === 'object' && property.properties) {
      const nested = formDefaults(property);
      if (Object.keys(nested).length) {
        out[name] = nested;
      }
    }
  }
  return out;
}

/**
 * The params sent to the server: the form data without the fields left unset (rjsf uses
 * `undefined` for an emptied field), so the schema defaults apply to them.
 */
export function paramsOf(formData: { [key: string]: any } | undefined): { [key: string]: any } {
  const out: { [key: string]: any } = {};
  for (const [name, value] of Object.entries(formData || {})) {
    if (value !== undefined) {
      out[name] = value;
    }
  }
  return out;
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The two places a run can go. */
export type KernelChoice = 'notebook' | 'scratch';

export interface IKernelOption {
  value: KernelChoice;
  label: string;
}

/** What the notebook in focus offers: its name and its kernel, if it has one running. */
export interface INotebookInfo {
  name: string;
  kernelId: string | null;
  /** The presets in its metadata (`metadata.dlviz.presets`), if any. */
  presets?: unknown;
}

/** The entries of the kernel picker: the current notebook's kernel first, when there is one. */
export function kernelOptions(notebook: INotebookInfo | null): IKernelOption[] {
  const options: IKernelOption[] = [];
  if (notebook && notebook.kernelId) {
    options.push({ value: 'notebook', label: trans.__('Kernel of %1', notebook.name) });
  }
  options.push({ value: 'scratch', label: trans.__('Scratch kernel') });
  return options;
}

/**
 * The picker's value once the notebook in focus changed: keep the user's choice while it is
 * still possible, else fall back to the scratch kernel.
 */
export function validChoice(
  choice: KernelChoice | null,
  notebook: INotebookInfo | null
): KernelChoice {
  const values = kernelOptions(notebook).map(o => o.value);
  if (choice && values.includes(choice)) {
    return choice;
  }
  return values[0];
}

/** The `kernel_id` to send: the notebook's kernel, or undefined for the server's scratch kernel. */
export function kernelIdFor(
  choice: KernelChoice,
  notebook: INotebookInfo | null
): string | undefined {
  if (choice === 'notebook' && notebook && notebook.kernelId) {
    return notebook.kernelId;
  }
  return undefined;
}

/** An error as the server reports it for one field (see api.ts IFieldError). */
export interface IFieldErrorLike {
  field: string | null;
  path?: (string | number)[];
  message: string;
}

/** rjsf's `extraErrors`: `{field: {__errors: [...]}, nested: {field: {__errors}}}`. */
export interface IErrorSchema {
  __errors?: string[];
  [key: string]: any;
}

/**
 * Split server errors into those shown next to a form field (as rjsf `extraErrors`) and those
 * shown on the general error line (unknown fields, the task, the kernel, the whole body).
 */
export function mapErrors(
  errors: IFieldErrorLike[],
  schema: { [key: string]: any }
): { extraErrors: IErrorSchema; general: string[] } {
  const extraErrors: IErrorSchema = {};
  const general: string[] = [];
  const properties = (schema && schema.properties) || {};
  for (const error of errors) {
    const path = fieldPath(error);
    if (!path.length || !(String(path[0]) in properties)) {
      general.push(error.message);
      continue;
    }
    let node = extraErrors;
    for (const key of path) {
      const name = String(key);
      node[name] = node[name] || {};
      node = node[name];
    }
    node.__errors = [...(node.__errors || []), error.message];
  }
  return { extraErrors, general };
}

/** The path of an error inside the params: from `path`, else from the dotted `field`. */
function fieldPath(error: IFieldErrorLike): (string | number)[] {
  let path: (string | number)[] =
    error.path && error.path.length
      ? error.path.slice()
      : error.field
        ? error.field.split('.')
        : [];
  if (path[0] === 'params') {
    path = path.slice(1);
  }
  return path;
}

/** A client-side validation error in words, with the field it is about. */
export function describeError(error: {
  property?: string;
  message?: string;
  stack?: string;
}): string {
  const field = (error.property ?? '').replace(/^\./, '');
  return field ? `${field} ${error.message ?? ''}`.trim() : (error.stack ?? error.message ?? '');
}

/** The status line: the status word (in the learner's language), then what the kernel last said. */
export function statusLine(status: string, message?: string | null): string {
  return message ? trans.__('%1: %2', statusWord(status), message) : statusWord(status);
}

/**
 * rjsf's uiSchema for a task: a property may name its widget with `x-widget` in the schema
 * (e.g. "textarea"); free-text inputs called `text...` get a textarea, so a learner sees the
 * whole sentence; properties keep the schema's order.
 */
export function uiSchemaFor(schema: { [key: string]: any }): { [key: string]: any } {
  const ui: { [key: string]: any } = {};
  const properties = (schema && schema.properties) || {};
  for (const [name, property] of Object.entries<any>(properties)) {
    if (!property) {
      continue;
    }
    if (typeof property['x-widget'] === 'string') {
      ui[name] = { 'ui:widget': property['x-widget'] };
    } else if (isFreeText(property) && /^text/.test(name)) {
      ui[name] = { 'ui:widget': 'textarea', 'ui:options': { rows: 2 } };
    }
  }
  ui['ui:order'] = [...Object.keys(properties), '*'];
  return ui;
}

function isFreeText(property: { [key: string]: any }): boolean {
  const types = Array.isArray(property.type) ? property.type : [property.type];
  return types.includes('string') && !property.enum && !property.format;
}
