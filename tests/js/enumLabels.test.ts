/**
 * The form shows an enum's `x-enum-labels` and sends its values: the mapping from a task schema
 * to the schema rjsf draws (a `oneOf` of titled constants), checked on the real cnn.train and
 * rnn.train schemas, with rjsf's own option list, its validator and a rendered form.
 */
import * as fs from 'fs';
import * as path from 'path';
import React from 'react';
import { act } from 'react';
import Form from '@rjsf/core';
import { isMultiSelect, isSelect, optionsList } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';

import { enumLabels, withEnumLabels } from '../../labextension/src/panel/enumLabels';
import { formDefaults, formSchema } from '../../labextension/src/panel/formLogic';

const KERNEL = path.resolve(__dirname, '..', '..', 'kernels', 'dlviz_kernel');
const read = (name: string): any => JSON.parse(fs.readFileSync(path.join(KERNEL, name), 'utf-8'));
const validator = customizeValidator({ AjvClass: Ajv2020 as any });

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createRoot } = require('react-dom/client');
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('enum labels in the form', () => {
  const task = read('cnn/train.schema.json');
  const form = formSchema(task);
  const optimizer = form.properties.training.properties.optimizer;

  it('turns a labelled enum into titled constants with the same values, in order', () => {
    expect(optimizer.enum).toBeUndefined();
    expect(optimizer['x-enum-labels']).toBeUndefined();
    expect(optimizer.oneOf).toEqual([
      { const: 'adam', title: 'Adam' },
      { const: 'sgd', title: 'SGD with momentum' },
      { const: 'rmsprop', title: 'RMSprop' }
    ]);
    expect(optimizer.default).toBe('adam');
    expect(optimizer.type).toBe('string');
  });

  it('reaches enums inside array items and nested objects', () => {
    const pooling = form.properties.blocks.items.properties.pooling;
    expect(pooling.oneOf.map((o: any) => o.const)).toEqual(['max', 'avg', 'none']);
    expect(pooling.oneOf[1].title).toBe('Average pooling');
    const rnn = formSchema(read('rnn/train.schema.json'));
    expect(rnn.properties.model.properties.cell.oneOf).toEqual([
      { const: 'lstm', title: 'LSTM' },
      { const: 'gru', title: 'GRU' },
      { const: 'rnn', title: 'Plain RNN' }
    ]);
    expect(JSON.stringify(rnn)).not.toContain('x-enum-labels');
  });

  it('leaves the task schema as it was, and enums without matching labels as enums', () => {
    expect(task.properties.training.properties.optimizer.enum).toEqual(['adam', 'sgd', 'rmsprop']);
    const plain = { type: 'string', enum: ['a', 'b'] };
    expect(withEnumLabels(plain)).toEqual(plain);
    const short = { type: 'string', enum: ['a', 'b'], 'x-enum-labels': ['A'] };
    expect(enumLabels(short)).toBeNull();
    expect(withEnumLabels(short)).toEqual({ type: 'string', enum: ['a', 'b'] });
  });

  it('keeps a field called like a keyword and the defaults as data', () => {
    const schema = {
      properties: {
        default: { type: 'string', enum: ['x', 'y'], 'x-enum-labels': ['Ex', 'Why'] }
      },
      default: { enum: ['kept'] }
    };
    const out = withEnumLabels(schema);
    expect(out.properties.default.oneOf[1]).toEqual({ const: 'y', title: 'Why' });
    expect(out.default).toEqual({ enum: ['kept'] });
  });

  it('gives rjsf selects whose options show labels and hold values (single and multiple)', () => {
    expect(isSelect(validator, optimizer)).toBe(true);
    expect(optionsList(optimizer)!.map(o => [o.label, o.value])).toEqual([
      ['Adam', 'adam'],
      ['SGD with momentum', 'sgd'],
      ['RMSprop', 'rmsprop']
    ]);
    const cells = withEnumLabels({
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: ['rnn', 'lstm'], 'x-enum-labels': ['Plain RNN', 'LSTM'] }
    });
    expect(isMultiSelect(validator, cells)).toBe(true);
    expect(optionsList(cells.items as any)!.map(o => o.label)).toEqual(['Plain RNN', 'LSTM']);
  });

  it('validates enum values and refuses labels', () => {
    const defaults = formDefaults(task);
    expect(validator.validateFormData(defaults, form as any).errors).toEqual([]);
    const sgd = { ...defaults, training: { ...defaults.training, optimizer: 'sgd' } };
    expect(validator.validateFormData(sgd, form as any).errors).toEqual([]);
    const label = {
      ...defaults,
      training: { ...defaults.training, optimizer: 'SGD with momentum' }
    };
    expect(validator.validateFormData(label, form as any).errors.length).toBeGreaterThan(0);
  });

  it('renders a select that shows labels and changes the form data to values', () => {
    const schema = formSchema(read('transformer/train.schema.json'));
    const host = document.createElement('div');
    document.body.appendChild(host);
    const changes: any[] = [];
    const root = createRoot(host);
    act(() => {
      root.render(
        React.createElement(Form, {
          schema: schema as any,
          validator: validator as any,
          formData: formDefaults(schema),
          onChange: (e: any) => changes.push(e.formData)
        })
      );
    });
    const select = host.querySelector('select#root_mask') as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.textContent)).toEqual([
      'Causal (GPT-style)',
      'Bidirectional (BERT-style)'
    ]);
    act(() => {
      select.value = select.options[1].value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(changes[changes.length - 1].mask).toBe('bidirectional');
    act(() => root.unmount());
  });

  it('renders a multi-select of labels whose form data holds the values', () => {
    const schema = formSchema({
      type: 'object',
      properties: {
        cells: {
          type: 'array',
          uniqueItems: true,
          items: {
            type: 'string',
            enum: ['rnn', 'lstm', 'gru'],
            'x-enum-labels': ['Plain RNN', 'LSTM', 'GRU']
          },
          default: ['rnn', 'gru']
        }
      }
    });
    const host = document.createElement('div');
    const root = createRoot(host);
    act(() => {
      root.render(
        React.createElement(Form, {
          schema: schema as any,
          validator: validator as any,
          formData: formDefaults(schema)
        })
      );
    });
    const select = host.querySelector('select#root_cells') as HTMLSelectElement;
    expect(select.multiple).toBe(true);
    const options = Array.from(select.options);
    expect(options.map(o => o.textContent)).toEqual(['Plain RNN', 'LSTM', 'GRU']);
    expect(options.filter(o => o.selected).map(o => o.textContent)).toEqual(['Plain RNN', 'GRU']);
    act(() => root.unmount());
  });
});
