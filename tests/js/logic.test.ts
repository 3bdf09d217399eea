import {
  defaultTaskId,
  formDefaults,
  formSchema,
  groupTasks,
  kernelIdFor,
  kernelOptions,
  mapErrors,
  paramsOf,
  statusLine,
  uiSchemaFor,
  validChoice
} from '../../labextension/src/panel/formLogic';
import {
  isTerminal,
  progressFraction,
  TERMINAL_STATUSES
} from '../../labextension/src/api/runStatus';
import { firstWords } from '../../labextension/src/views/shared/format';

const ATTENTION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'transformer.attention',
  title: 'Attention in a transformer',
  description: 'See where each word looks.',
  'x-family': 'transformer',
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1, default: 'The cat sat on the mat.' },
    text_b: { type: ['string', 'null'], default: null },
    model: { type: 'string', default: 'all-MiniLM-L6-v2' },
    max_tokens: { type: 'integer', minimum: 1, maximum: 512, default: 128 },
    training: {
      type: 'object',
      properties: { epochs: { type: 'integer', default: 3 }, lr: { type: 'number' } }
    }
  }
};

const TASKS = [
  { id: 'cnn.train', family: 'cnn', title: 'Train a CNN', schema: {} },
  {
    id: 'transformer.attention',
    family: 'transformer',
    title: 'Attention',
    schema: ATTENTION_SCHEMA
  },
  { id: 'cnn.filters', family: 'cnn', title: 'Filters', schema: {} },
  { id: 'rnn.hidden_states', family: 'rnn', title: 'Hidden states', schema: {} }
];

describe('tasks', () => {
  it('groups tasks by family in catalog order with learner-facing labels', () => {
    const groups = groupTasks(TASKS);
    expect(groups.map(g => g.family)).toEqual(['cnn', 'transformer', 'rnn']);
    expect(groups[0].label).toBe('Convolutional networks');
    expect(groups[0].tasks.map(t => t.id)).toEqual(['cnn.train', 'cnn.filters']);
    expect(groupTasks([{ id: 'x.y', family: 'gan', title: 'X', schema: {} }])[0].label).toBe('Gan');
  });

  it('opens on transformer.attention when the catalog has it, else on the first task', () => {
    expect(defaultTaskId(TASKS)).toBe('transformer.attention');
    expect(defaultTaskId(TASKS.filter(t => t.family !== 'transformer'))).toBe('cnn.train');
    expect(defaultTaskId([])).toBeNull();
  });
});

describe('form', () => {
  it('starts from every property default, nested objects included', () => {
    expect(formDefaults(ATTENTION_SCHEMA)).toEqual({
      text: 'The cat sat on the mat.',
      text_b: null,
      model: 'all-MiniLM-L6-v2',
      max_tokens: 128,
      training: { epochs: 3 }
    });
  });

  it('gives each form its own copy of the defaults', () => {
    const schema = { properties: { layers: { type: 'array', default: [8, 8] } } };
    const a = formDefaults(schema);
    a.layers.push(4);
    expect(formDefaults(schema).layers).toEqual([8, 8]);
  });

  it('draws the form without the task-level keys', () => {
    const schema = formSchema(ATTENTION_SCHEMA);
    expect(schema).not.toHaveProperty('$id');
    expect(schema).not.toHaveProperty('$schema');
    expect(schema).not.toHaveProperty('title');
    expect(schema.properties.max_tokens.maximum).toBe(512);
    expect(schema.additionalProperties).toBe(false);
  });

  it('uses a textarea for free text and keeps the schema order', () => {
    const ui = uiSchemaFor(ATTENTION_SCHEMA);
    expect(ui.text['ui:widget']).toBe('textarea');
    expect(ui.text_b['ui:widget']).toBe('textarea');
    expect(ui.model).toBeUndefined();
    expect(ui['ui:order']).toEqual(['text', 'text_b', 'model', 'max_tokens', 'training', '*']);
  });

  it('sends the fields that are set and leaves emptied ones to the schema defaults', () => {
    expect(paramsOf({ text: 'hi', text_b: undefined, max_tokens: 9 })).toEqual({
      text: 'hi',
      max_tokens: 9
    });
    expect(paramsOf(undefined)).toEqual({});
  });
});

describe('kernel picker', () => {
  const notebook = { name: 'welcome.ipynb', kernelId: 'k-123' };

  it('offers the notebook kernel first when the notebook has one', () => {
    expect(kernelOptions(notebook)).toEqual([
      { value: 'notebook', label: 'Kernel of welcome.ipynb' },
      { value: 'scratch', label: 'Scratch kernel' }
    ]);
    expect(kernelOptions({ name: 'x.ipynb', kernelId: null })).toEqual([
      { value: 'scratch', label: 'Scratch kernel' }
    ]);
    expect(kernelOptions(null)).toEqual([{ value: 'scratch', label: 'Scratch kernel' }]);
  });

  it('sends the notebook kernel id, or none for the scratch kernel', () => {
    expect(kernelIdFor('notebook', notebook)).toBe('k-123');
    expect(kernelIdFor('scratch', notebook)).toBeUndefined();
    expect(kernelIdFor('notebook', null)).toBeUndefined();
  });

  it('keeps the choice while possible and falls back to the scratch kernel', () => {
    expect(validChoice(null, notebook)).toBe('notebook');
    expect(validChoice('scratch', notebook)).toBe('scratch');
    expect(validChoice('notebook', null)).toBe('scratch');
  });
});

describe('server errors', () => {
  it('puts field errors next to their field and the rest on the general line', () => {
    const { extraErrors, general } = mapErrors(
      [
        {
          field: 'max_tokens',
          path: ['max_tokens'],
          message: 'params.max_tokens: 9999 is greater than the maximum of 512'
        },
        {
          field: 'training.epochs',
          path: ['training', 'epochs'],
          message: 'params.training.epochs: must be >= 1'
        },
        { field: 'kernel_id', path: ['kernel_id'], message: "no kernel with id 'zz'" },
        { field: null, path: [], message: 'the request body must be a JSON object' },
        { field: 'params.text', path: [], message: 'params.text: too short' }
      ],
      ATTENTION_SCHEMA
    );
    expect(extraErrors).toEqual({
      max_tokens: { __errors: ['params.max_tokens: 9999 is greater than the maximum of 512'] },
      training: { epochs: { __errors: ['params.training.epochs: must be >= 1'] } },
      text: { __errors: ['params.text: too short'] }
    });
    expect(general).toEqual(["no kernel with id 'zz'", 'the request body must be a JSON object']);
  });

  it('collects two errors of one field', () => {
    const { extraErrors } = mapErrors(
      [
        { field: 'text', path: ['text'], message: 'a' },
        { field: 'text', path: ['text'], message: 'b' }
      ],
      ATTENTION_SCHEMA
    );
    expect(extraErrors.text.__errors).toEqual(['a', 'b']);
  });
});

describe('status and progress', () => {
  it('writes the status word then the message', () => {
    expect(statusLine('running', 'layer 3 of 6')).toBe('running: layer 3 of 6');
    expect(statusLine('succeeded')).toBe('succeeded');
  });

  it('turns step/total into a fraction, or null when unknown', () => {
    expect(progressFraction({ step: 3, total: 4 })).toBe(0.75);
    expect(progressFraction({ step: 9, total: 4 })).toBe(1);
    expect(progressFraction({ message: 'loading' })).toBeNull();
    expect(progressFraction(null)).toBeNull();
  });

  it('knows which statuses are final, and no unknown word is', () => {
    expect(TERMINAL_STATUSES).toEqual(['succeeded', 'failed', 'cancelled']);
    expect(isTerminal('cancelled')).toBe(true);
    expect(isTerminal('running')).toBe(false);
    expect(isTerminal('queued')).toBe(false);
    expect(isTerminal('paused')).toBe(false);
    expect(isTerminal(null)).toBe(false);
  });

  it('titles a view with the first words of its text', () => {
    expect(firstWords('The cat sat on the mat because it was tired.')).toBe('The cat sat on the …');
    expect(firstWords('short text')).toBe('short text');
  });
});
