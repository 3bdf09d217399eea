/**
 * Course presets in the panel (labextension/src/panel/presets.ts), on the real mlp.train and
 * cnn.train schemas: params merged over the defaults, locked fields read-only at any depth
 * (arrays of objects included) and hidden ones not drawn, in a form rjsf really renders; the
 * values sent whatever the form says; "Copy preset" round trips; links and sources.
 */
import * as fs from 'fs';
import * as path from 'path';
import React from 'react';
import { act } from 'react';
import Form from '@rjsf/core';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';

import { formDefaults, formSchema, uiSchemaFor } from '../../labextension/src/panel/formLogic';
import {
  changedParams,
  combinePresets,
  IPreset,
  isEnforced,
  mergeParams,
  parsePresets,
  presetFormData,
  presetFormSchema,
  presetFromForm,
  presetFromQuery,
  presetUiSchema,
  valueAt,
  withFixedValues
} from '../../labextension/src/panel/presets';
import {
  activePreset,
  choosePreset,
  DrawnForm,
  presetsOf
} from '../../labextension/src/panel/presetState';

const KERNEL = path.resolve(__dirname, '..', '..', 'kernels', 'dlviz_kernel');
const read = (name: string): any => JSON.parse(fs.readFileSync(path.join(KERNEL, name), 'utf-8'));
const validator = customizeValidator({ AjvClass: Ajv2020 as any });
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createRoot } = require('react-dom/client');
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const MLP = read('mlp/train.schema.json');
const CNN = read('cnn/train.schema.json');

/** The preset of tests/server/test_presets.py, as the server lists it. */
const SMALL_MLP = {
  name: 'mlp-small',
  title: 'A small playground',
  instruction: 'Press Run and watch the boundary.',
  task: 'mlp.train',
  params: {
    model: { hidden: [{ neurons: 3, activation: 'tanh' }] },
    training: { batch_size: 20 }
  },
  locked: ['model.hidden', 'training.batch_size'],
  hidden: ['data.samples'],
  enforce: true
};

function one(raw: any, source: IPreset['source'] = 'settings'): IPreset {
  const { presets, problems } = parsePresets([raw], source);
  expect(problems).toEqual([]);
  return presets[0];
}

/** Render the form a preset draws; return its DOM and the last form data it reported. */
function render(schema: any, preset: IPreset) {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const changes: any[] = [];
  const root = createRoot(host);
  act(() => {
    root.render(
      React.createElement(Form, {
        schema: presetFormSchema(schema, preset) as any,
        uiSchema: presetUiSchema(schema, uiSchemaFor(schema), preset) as any,
        validator: validator as any,
        formData: presetFormData(preset, schema),
        onChange: (e: any) => changes.push(e.formData)
      })
    );
  });
  return { host, changes, unmount: () => act(() => root.unmount()) };
}

describe('presets: params over the defaults', () => {
  it('merges nested partial params over every default, arrays replaced whole', () => {
    const preset = one(SMALL_MLP);
    const data = presetFormData(preset, MLP);
    const defaults = formDefaults(MLP);
    expect(data.model.hidden).toEqual([{ neurons: 3, activation: 'tanh' }]);
    expect(data.model.setup).toBe(defaults.model.setup);
    expect(data.training.batch_size).toBe(20);
    expect(data.training.learning_rate).toBe(0.03);
    expect(data.training.epochs).toBe(150);
    expect(data.data).toEqual(defaults.data);
    expect(data.features).toEqual(['x1', 'x2']);
    // the schema's defaults are not touched
    expect(MLP.properties.training.default.batch_size).toBe(10);
    expect(validator.validateFormData(data, formSchema(MLP) as any).errors).toEqual([]);
  });

  it('merges at any depth and ignores undefined', () => {
    const merged = mergeParams(
      { a: { b: { c: 1, d: 2 }, e: [1, 2] }, f: 'x' },
      { a: { b: { c: 5 }, e: [9] }, f: undefined }
    );
    expect(merged).toEqual({ a: { b: { c: 5, d: 2 }, e: [9] }, f: 'x' });
  });
});

describe('presets: locked and hidden fields', () => {
  it('locks a nested number and an array of objects, items and buttons included', () => {
    const preset = one(SMALL_MLP);
    const ui = presetUiSchema(MLP, uiSchemaFor(MLP), preset);
    expect(ui.training.batch_size['ui:disabled']).toBe(true);
    expect(ui.model.hidden['ui:readonly']).toBe(true);
    expect(ui.model.hidden.items['ui:disabled']).toBe(true);
    expect(ui.model.hidden['ui:options']).toMatchObject({ addable: false, removable: false });
    expect(ui['ui:order']).toEqual(uiSchemaFor(MLP)['ui:order']);

    const { host, unmount } = render(MLP, preset);
    const batch = host.querySelector('#root_training_batch_size') as HTMLInputElement;
    expect(batch.value).toBe('20');
    expect(batch.disabled).toBe(true);
    const neurons = host.querySelector('#root_model_hidden_0_neurons') as HTMLInputElement;
    expect(neurons.value).toBe('3');
    expect(neurons.disabled).toBe(true);
    expect(host.querySelector('#root_model_hidden_1_neurons')).toBeNull();
    const rate = host.querySelector('#root_training_learning_rate') as HTMLInputElement;
    expect(rate.disabled).toBe(false);
    // hidden: not drawn at all, its siblings are
    expect(host.querySelector('#root_data_samples')).toBeNull();
    expect(host.querySelector('#root_data_noise')).not.toBeNull();
    unmount();
  });

  it('locks fields of array items of cnn.train and hides a whole group', () => {
    const preset = one({
      name: 'cnn-fixed',
      task: 'cnn.train',
      params: { training: { epochs: 1 }, data: { samples: 200 } },
      locked: ['blocks', 'training.epochs'],
      hidden: ['dense']
    });
    const schema = presetFormSchema(CNN, preset);
    expect(schema.properties.dense).toBeUndefined();
    expect(formSchema(CNN).properties.dense).toBeDefined(); // the cached form schema is untouched
    const { host, changes, unmount } = render(CNN, preset);
    const filters = host.querySelector('#root_blocks_0_filters') as HTMLInputElement;
    expect(filters.disabled).toBe(true);
    const epochs = host.querySelector('#root_training_epochs') as HTMLInputElement;
    expect(epochs.value).toBe('1');
    expect(epochs.disabled).toBe(true);
    expect(host.querySelector('[id^="root_dense"]')).toBeNull();
    // change a free field: the hidden group's value stays in the form data
    const samples = host.querySelector('#root_data_samples') as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setter.call(samples, '300');
      samples.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const last = changes[changes.length - 1];
    expect(last.data.samples).toBe(300);
    expect(last.dense).toEqual(CNN.properties.dense.default);
    unmount();
  });

  it('sends the locked and hidden values whatever the form says', () => {
    const preset = one(SMALL_MLP);
    const tampered = mergeParams(presetFormData(preset, MLP), {
      model: { hidden: [{ neurons: 8, activation: 'relu' }] },
      training: { batch_size: 500, epochs: 7 }
    });
    delete tampered.data.samples;
    const sent = withFixedValues(tampered, preset, MLP);
    expect(sent.model.hidden).toEqual([{ neurons: 3, activation: 'tanh' }]);
    expect(sent.training.batch_size).toBe(20);
    expect(sent.data.samples).toBe(500); // hidden: the default the preset keeps
    expect(sent.training.epochs).toBe(7); // a free field keeps the learner's value
    expect(tampered.training.batch_size).toBe(500); // the form data itself is not changed
    expect(withFixedValues(tampered, null, MLP)).toBe(tampered);
  });
});

describe('presets: Copy preset', () => {
  it('round trips: form data -> preset JSON -> the same form data', () => {
    for (const schema of [MLP, CNN]) {
      const edited = mergeParams(formDefaults(schema), {
        training: { learning_rate: 0.5, seed: 7 },
        data: { samples: 400 }
      });
      if (schema === CNN) {
        edited.blocks = [{ ...edited.blocks[0], filters: 4 }];
      }
      const preset = presetFromForm(schema.$id, edited, schema);
      expect(preset.task).toBe(schema.$id);
      expect(preset.locked).toEqual([]);
      // only what differs from the defaults
      expect(preset.params.training).toEqual({ learning_rate: 0.5, seed: 7 });
      expect(preset.params.data).toEqual({ samples: 400 });
      expect(preset.params.model).toBeUndefined();
      // through JSON text and back, as a pasted settings or notebook entry
      const pasted = one(JSON.parse(JSON.stringify(preset)), 'notebook');
      expect(presetFormData(pasted, schema)).toEqual(edited);
    }
  });

  it('keeps an active preset of the same task, and its lock', () => {
    const base = one(SMALL_MLP, 'server');
    const form = mergeParams(presetFormData(base, MLP), { training: { epochs: 20 } });
    const copied = presetFromForm('mlp.train', form, MLP, base);
    expect(copied).toMatchObject({
      name: 'mlp-small',
      title: 'A small playground',
      locked: SMALL_MLP.locked,
      hidden: SMALL_MLP.hidden,
      enforce: true
    });
    expect(copied.params).toEqual({
      model: { hidden: [{ neurons: 3, activation: 'tanh' }] },
      training: { batch_size: 20, epochs: 20 }
    });
    expect(presetFormData(one(copied), MLP)).toEqual(form);
    expect(presetFromForm('cnn.train', formDefaults(CNN), CNN, base)).toEqual({
      name: 'cnn.train-preset',
      task: 'cnn.train',
      params: {},
      locked: []
    });
    expect(changedParams({ a: undefined, b: 1 }, { b: 1 })).toEqual({});
  });
});

describe('presets: sources and links', () => {
  it('keeps well-formed presets, names the others, and the first source wins', () => {
    const { presets, problems } = parsePresets(
      [SMALL_MLP, { name: 'no task' }, { name: 'x', task: 'cnn.train', locked: 'all' }, 3],
      'notebook'
    );
    expect(presets.map(p => p.name)).toEqual(['mlp-small']);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('no task');
    expect(parsePresets({ presets: [] }, 'settings').problems).toHaveLength(1);
    expect(parsePresets(undefined, 'settings')).toEqual({ presets: [], problems: [] });

    const server = one(SMALL_MLP, 'server');
    const notebook = one({ ...SMALL_MLP, title: 'Shadow', enforce: false }, 'notebook');
    const other = one({ name: 'other', task: 'cnn.train' }, 'notebook');
    const all = combinePresets([server], [], [notebook, other]);
    expect(all.map(p => [p.name, p.source])).toEqual([
      ['mlp-small', 'server'],
      ['other', 'notebook']
    ]);
    expect(isEnforced(all[0])).toBe(true);
    // a preset that says enforce but does not come from the server is not enforced
    expect(isEnforced(one(SMALL_MLP, 'settings'))).toBe(false);
    expect(isEnforced(one({ ...SMALL_MLP, problem: 'broken' }, 'server'))).toBe(false);
  });

  it('reads the preset of a link', () => {
    expect(presetFromQuery('?dlviz-preset=mlp-small')).toBe('mlp-small');
    expect(presetFromQuery('reset&dlviz-preset=cnn.one&token=x')).toBe('cnn.one');
    expect(presetFromQuery('?dlviz-preset=%3Cscript%3E')).toBeNull();
    expect(presetFromQuery('?token=x')).toBeNull();
    expect(presetFromQuery('')).toBeNull();
    expect(valueAt({ a: { b: 0 } }, 'a.b')).toBe(0);
    expect(valueAt({ a: 1 }, 'a.b')).toBeUndefined();
  });
});

describe('presets: the settings schema', () => {
  it('holds the preset schema the server checks, as the items of `presets`', () => {
    const root = path.resolve(__dirname, '..', '..');
    const settings = JSON.parse(
      fs.readFileSync(path.join(root, 'schema', 'presets.json'), 'utf-8')
    );
    const server = JSON.parse(
      fs.readFileSync(path.join(root, 'dlviz_lab', 'preset.schema.json'), 'utf-8')
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
    expect(pkg.jupyterlab.schemaDir).toBe('schema');
    expect(settings.properties.presets.default).toEqual([]);
    expect(settings.properties.presets.maxItems).toBeGreaterThan(0);
    expect(settings.properties.presets.items.properties).toEqual(server.properties);
    expect(settings.properties.presets.items.required).toEqual(server.required);
    // what the settings accept, the panel reads
    const ajv = new Ajv2020({ strict: false });
    const valid = ajv.compile(settings);
    expect(valid({ presets: [SMALL_MLP] })).toBe(true);
    expect(valid({ presets: [{ ...SMALL_MLP, name: 'no spaces allowed' }] })).toBe(false);
    expect(parsePresets([SMALL_MLP], 'settings').presets[0].locked).toEqual(SMALL_MLP.locked);
  });
});

describe('presets: the panel state', () => {
  const tasks = [
    { id: 'mlp.train', family: 'mlp', title: 'MLP', schema: MLP },
    { id: 'cnn.train', family: 'cnn', title: 'CNN', schema: CNN }
  ];

  it('offers the three sources, picks a preset only on its task, fills its form', () => {
    const server = parsePresets([SMALL_MLP], 'server').presets;
    const { presets, problems } = presetsOf(
      server,
      ['a server problem'],
      [{ name: 'x' }],
      [{ name: 'nb', task: 'cnn.train', params: { training: { epochs: 1 } } }]
    );
    expect(presets.map(p => `${p.name}:${p.source}`)).toEqual(['mlp-small:server', 'nb:notebook']);
    expect(problems).toHaveLength(2); // the server's, and the settings entry without a task
    expect(activePreset(presets, 'mlp-small', 'mlp.train')?.name).toBe('mlp-small');
    expect(activePreset(presets, 'mlp-small', 'cnn.train')).toBeNull();
    expect(activePreset(presets, null, 'mlp.train')).toBeNull();

    const chosen: any = choosePreset(presets[1], tasks, { 'mlp.train': { kept: true } });
    expect(chosen.taskId).toBe('cnn.train');
    expect(chosen.formData['mlp.train']).toEqual({ kept: true });
    expect(chosen.formData['cnn.train'].training.epochs).toBe(1);
    expect(chosen.formData['cnn.train'].training.optimizer).toBe('adam');
    const missing: any = choosePreset({ ...presets[1], task: 'gan.train' }, tasks, {});
    expect(missing.error).toContain('gan.train');
  });

  it('draws the form once per task and preset', () => {
    const drawn = new DrawnForm();
    const preset = one(SMALL_MLP);
    const first = drawn.get(tasks[0], preset);
    expect(drawn.get(tasks[0], preset)).toBe(first);
    expect(first.schema.properties.data.properties.samples).toBeUndefined();
    const plain = drawn.get(tasks[0], null);
    expect(plain).not.toBe(first);
    expect(plain.schema).toBe(formSchema(MLP));
  });
});
