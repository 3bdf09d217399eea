/**
 * Course presets in the panel, kept apart from React so that jest can test them: reading presets
 * from their three sources, the form a preset gives (its params merged over the task's defaults),
 * the form schema and uiSchema that hide or lock its fields, the values sent whatever the form
 * says, and "Copy preset": the current form as preset JSON that gives the same form back.
 *
 * A preset (dlviz_lab/preset.schema.json): {name, task, params (nested, partial), title,
 * instruction, locked: [dotted fields], hidden: [dotted fields], enforce, view}.
 */
import { trans } from '../i18n';
import { formDefaults, formSchema } from './formLogic';

type Json = { [key: string]: any };

/** Where a preset comes from: the server (trusted: its configuration and the admin's
 * overrides.json), JupyterLab's settings, or the open notebook's metadata. */
export type PresetSource = 'server' | 'settings' | 'notebook';

export interface IPreset {
  name: string;
  task: string;
  params: Json;
  title: string;
  instruction: string;
  locked: string[];
  hidden: string[];
  enforce: boolean;
  view: string;
  source: PresetSource;
  /** What the server found wrong with it (a server preset only). */
  problem: string;
}

/** The query parameter of a preset link: lab/tree/lesson.ipynb?dlviz-preset=<name>. */
export const PRESET_QUERY = 'dlviz-preset';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function strings(value: unknown): string[] | null {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) && value.every(v => typeof v === 'string') ? value.slice() : null;
}

/** Presets from a JSON list (settings, notebook metadata, the server's answer): the well-formed
 * ones, and a line for each of the others. */
export function parsePresets(
  raw: unknown,
  source: PresetSource
): { presets: IPreset[]; problems: string[] } {
  const presets: IPreset[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) {
    return { presets, problems };
  }
  if (!Array.isArray(raw)) {
    return { presets, problems: [trans.__('The presets of %1 are not a list.', source)] };
  }
  raw.forEach((item, index) => {
    const name = isObject(item) ? item.name : undefined;
    const locked = isObject(item) ? strings(item.locked) : null;
    const hidden = isObject(item) ? strings(item.hidden) : null;
    const params = isObject(item) ? (item.params ?? {}) : null;
    if (
      !isObject(item) ||
      typeof name !== 'string' ||
      !NAME.test(name) ||
      typeof item.task !== 'string' ||
      !isObject(params) ||
      !locked ||
      !hidden
    ) {
      const label = typeof name === 'string' ? name : String(index + 1);
      problems.push(
        trans.__('Preset %1 (%2) is not valid: it needs a name, a task and params.', label, source)
      );
      return;
    }
    presets.push({
      name,
      task: item.task,
      params: clone(params),
      title: typeof item.title === 'string' ? item.title : '',
      instruction: typeof item.instruction === 'string' ? item.instruction : '',
      locked,
      hidden,
      enforce: item.enforce === true,
      view: typeof item.view === 'string' ? item.view : '',
      source,
      problem: typeof item.problem === 'string' ? item.problem : ''
    });
  });
  return { presets, problems };
}

/** One list of presets, one per name: the first list that has a name wins (pass the server's
 * first: a trusted preset is never shadowed by a notebook's). */
export function combinePresets(...lists: IPreset[][]): IPreset[] {
  const out = new Map<string, IPreset>();
  for (const list of lists) {
    for (const preset of list) {
      if (!out.has(preset.name)) {
        out.set(preset.name, preset);
      }
    }
  }
  return Array.from(out.values());
}

/** The preset name a link asks for (`?dlviz-preset=<name>`), or null. */
export function presetFromQuery(search: string | null | undefined): string | null {
  if (!search) {
    return null;
  }
  const value = new URLSearchParams(search.startsWith('?') ? search : `?${search}`).get(
    PRESET_QUERY
  );
  return value && NAME.test(value) ? value : null;
}

/** The picker's label of a preset: its title (or name) and where it comes from. */
export function presetLabel(preset: IPreset): string {
  const title = preset.title || preset.name;
  switch (preset.source) {
    case 'server':
      return trans.__('%1 (course)', title);
    case 'notebook':
      return trans.__('%1 (notebook)', title);
    default:
      return trans.__('%1 (settings)', title);
  }
}

/** Whether the server refuses runs outside this preset: only its own presets are trusted. */
export function isEnforced(preset: IPreset): boolean {
  return preset.source === 'server' && preset.enforce && !preset.problem;
}

/** `over` merged into `base`: objects key by key at any depth; arrays and values replaced. */
export function mergeParams(base: Json, over: Json): Json {
  const out: Json = clone(base) ?? {};
  for (const [key, value] of Object.entries(over ?? {})) {
    if (value === undefined) {
      continue;
    }
    out[key] = isObject(value) && isObject(out[key]) ? mergeParams(out[key], value) : clone(value);
  }
  return out;
}

/** The form a preset gives: its params over the task's defaults. */
export function presetFormData(preset: IPreset, taskSchema: Json): Json {
  return mergeParams(formDefaults(taskSchema), preset.params);
}

/** The values of `values` that differ from `defaults` (objects compared key by key; an array
 * or a value that differs is kept whole). Fields left empty (undefined) are left out. */
export function changedParams(values: Json, defaults: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (value === undefined) {
      continue;
    }
    const base = defaults ? defaults[key] : undefined;
    if (isObject(value) && isObject(base)) {
      const inner = changedParams(value, base);
      if (Object.keys(inner).length) {
        out[key] = inner;
      }
    } else if (JSON.stringify(value) !== JSON.stringify(base)) {
      out[key] = clone(value);
    }
  }
  return out;
}

/** "Copy preset": the current task and form as a preset; an active preset of the same task
 * keeps its name, title, instruction and fields. */
export function presetFromForm(
  taskId: string,
  formData: Json,
  taskSchema: Json,
  base?: IPreset | null
): Json {
  const same = base && base.task === taskId ? base : null;
  const out: Json = {
    name: same ? same.name : `${taskId}-preset`.replace(/[^A-Za-z0-9_.-]/g, '-'),
    task: taskId
  };
  if (same?.title) {
    out.title = same.title;
  }
  if (same?.instruction) {
    out.instruction = same.instruction;
  }
  out.params = changedParams(formData, formDefaults(taskSchema));
  out.locked = same ? same.locked.slice() : [];
  if (same?.hidden.length) {
    out.hidden = same.hidden.slice();
  }
  if (same?.enforce) {
    out.enforce = true;
  }
  if (same?.view) {
    out.view = same.view;
  }
  return out;
}

/** The value at a dotted path ('training.epochs'), or undefined. */
export function valueAt(data: Json, dotted: string): any {
  let node: any = data;
  for (const key of dotted.split('.')) {
    if (!isObject(node) || !(key in node)) {
      return undefined;
    }
    node = node[key];
  }
  return node;
}

function setAt(data: Json, dotted: string, value: any): void {
  const keys = dotted.split('.');
  let node = data;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) {
      node[key] = {};
    }
    node = node[key];
  }
  node[keys[keys.length - 1]] = clone(value);
}

/** The locked and hidden fields, each once. */
export function fixedFields(preset: IPreset): string[] {
  return Array.from(new Set([...preset.locked, ...preset.hidden]));
}

/** The params to send: the form's, with every locked and hidden field at the preset's value,
 * whatever the form says (a field of another task's preset is left alone). */
export function withFixedValues(params: Json, preset: IPreset | null, taskSchema: Json): Json {
  if (!preset) {
    return params;
  }
  const out = clone(params);
  const wanted = presetFormData(preset, taskSchema);
  for (const dotted of fixedFields(preset)) {
    const value = valueAt(wanted, dotted);
    if (value !== undefined) {
      setAt(out, dotted, value);
    }
  }
  return out;
}

/** The schema of the field at a dotted path, or null. */
function fieldSchema(schema: Json, dotted: string): Json | null {
  let node: any = schema;
  for (const key of dotted.split('.')) {
    node = isObject(node) && isObject(node.properties) ? node.properties[key] : undefined;
    if (!isObject(node)) {
      return null;
    }
  }
  return node;
}

/** The form schema without the preset's hidden fields (their values stay in the form data). */
export function presetFormSchema(taskSchema: Json, preset: IPreset | null): Json {
  const drawn = formSchema(taskSchema);
  if (!preset || !preset.hidden.length) {
    return drawn;
  }
  const out = clone(drawn);
  for (const dotted of preset.hidden) {
    const keys = dotted.split('.');
    const parent = keys.length > 1 ? fieldSchema(out, keys.slice(0, -1).join('.')) : out;
    const name = keys[keys.length - 1];
    if (parent && isObject(parent.properties) && name in parent.properties) {
      delete parent.properties[name];
      if (Array.isArray(parent.required)) {
        parent.required = parent.required.filter((r: string) => r !== name);
      }
    }
  }
  return out;
}

const LOCKED = { 'ui:disabled': true, 'ui:readonly': true };

/** The uiSchema with the preset's locked fields read-only at any depth: an array's items too,
 * and no buttons to add, remove or move them. */
export function presetUiSchema(taskSchema: Json, baseUi: Json, preset: IPreset | null): Json {
  if (!preset || !preset.locked.length) {
    return baseUi;
  }
  const ui = clone(baseUi);
  for (const dotted of preset.locked) {
    const field = fieldSchema(taskSchema, dotted);
    if (!field) {
      continue;
    }
    let node = ui;
    for (const key of dotted.split('.')) {
      node[key] = isObject(node[key]) ? node[key] : {};
      node = node[key];
    }
    Object.assign(node, LOCKED);
    if (field.type === 'array') {
      node.items = { ...(isObject(node.items) ? node.items : {}), ...LOCKED };
      node['ui:options'] = {
        ...(isObject(node['ui:options']) ? node['ui:options'] : {}),
        addable: false,
        removable: false,
        orderable: false
      };
    }
  }
  return ui;
}
