/**
 * The model and neuron views' params, the offline document of every view, array stubs and
 * slice queries, and the notebook output's helpers.
 */
import { isArrayStub, sliceQuery } from '../../labextension/src/api/arrays';
import {
  availableKinds,
  displayModeFor,
  initialHeight,
  modelViewParams,
  neuronViewParams,
  viewDocument,
  viewScriptAsset
} from '../../labextension/src/views/transformer/bertvizViews';
import { dataUrlToBlob, fileNameOf } from '../../labextension/src/views/shared/frame';
import { float32, grid } from './helpers';

const TOKENS = ['[CLS]', 'a', '[SEP]', 'b', '[SEP]'];
const SCRIPTS = {
  d3: 'window.d3 = {};',
  jquery: 'window.jQuery = function () {};',
  requirejs: 'var define;',
  view: "require.config({}); requirejs(['jquery', 'd3'], function ($, d3) { const params = PYTHON_PARAMS; });"
};
const NEURON_JS =
  "requirejs(['jquery', 'd3'], function ($, d3) { const params = window.bertviz_params; });";

describe('modelViewParams', () => {
  const params = modelViewParams(
    { tokens: TOKENS, attention: grid(2, 3, 5, 5), sentenceBStart: 3, rootId: 'root' },
    'dark'
  );
  it('lists every layer and head, as bertviz.model_view does', () => {
    expect(params.include_layers).toEqual([0, 1]);
    expect(params.include_heads).toEqual([0, 1, 2]);
    expect(params.total_heads).toBe(3);
    expect(params.display_mode).toBe('dark');
    expect(params.default_filter).toBe('0');
  });
  it('has the sentence-pair slices with their real values', () => {
    expect(params.attention.map(s => s.name)).toEqual([
      'All',
      'Sentence A -> Sentence A',
      'Sentence B -> Sentence B',
      'Sentence A -> Sentence B',
      'Sentence B -> Sentence A'
    ]);
    // A -> B of layer 1, head 2: rows 0..2, columns 3..4; first value 1000 + 200 + 0 + 3.
    expect((params.attention[3].attn as any)[1][2][0]).toEqual([1203, 1204]);
    expect(params.attention[3].right_text).toEqual(['b', '[SEP]']);
  });
});

describe('neuronViewParams', () => {
  const queries = grid(2, 3, 5, 4);
  const keys = grid(2, 3, 5, 4);
  const params = neuronViewParams(
    {
      tokens: TOKENS,
      attention: grid(2, 3, 5, 5),
      sentenceBStart: 3,
      queries,
      keys,
      causal: true,
      layer: 1,
      heads: [2]
    },
    'light'
  );
  it('has the filters all/aa/ab/ba/bb with queries of the rows and keys of the columns', () => {
    expect(Object.keys(params.attention).sort()).toEqual(['aa', 'ab', 'all', 'ba', 'bb']);
    const ba = params.attention.ba;
    expect(ba.left_text).toEqual(['b', '[SEP]']);
    expect(ba.right_text).toEqual(['[CLS]', 'a', '[SEP]']);
    // queries of B (rows 3, 4) in layer 0 head 1: 0 + 100 + 30 + j.
    expect((ba.queries as any)[0][1][0]).toEqual([130, 131, 132, 133]);
    // keys of A (rows 0..2): the third key of layer 1 head 0 = 1000 + 0 + 20 + j.
    expect((ba.keys as any)[1][0][2]).toEqual([1020, 1021, 1022, 1023]);
    expect((ba.attn as any)[0][0][1]).toEqual([40, 41, 42]);
  });
  it('says causal models are not bidirectional and keeps the first selection', () => {
    expect(params.bidirectional).toBe(false);
    expect(params.layer).toBe(1);
    expect(params.head).toBe(2);
    expect(params.default_filter).toBe('all');
  });
  it('refuses attention without queries and keys', () => {
    expect(() => neuronViewParams({ tokens: TOKENS, attention: grid(1, 1, 5, 5) })).toThrow(
      /include_qk/
    );
  });
  it('refuses queries that do not match the attention', () => {
    expect(() =>
      neuronViewParams({
        tokens: TOKENS,
        attention: grid(2, 3, 5, 5),
        queries: grid(2, 2, 5, 4),
        keys
      })
    ).toThrow(/queries must have shape/);
  });
});

describe('viewDocument', () => {
  const input = { tokens: TOKENS, attention: grid(1, 2, 5, 5), sentenceBStart: 3, rootId: 'r1' };
  it('fills the model view marker and has its filter select', () => {
    const doc = viewDocument('model', input, SCRIPTS, {
      background: '#111111',
      foreground: '#eeeeee'
    });
    expect(doc).not.toContain('PYTHON_PARAMS');
    expect(doc).toContain('"display_mode":"dark"');
    expect(doc).toContain('<option value="3">Sentence A -&gt; Sentence B</option>');
    expect(doc).not.toMatch(/<script[^>]+src=/);
  });
  it('sets window.bertviz_params before the neuron view script, with head and filter selects', () => {
    const doc = viewDocument(
      'neuron',
      { ...input, queries: grid(1, 2, 5, 2), keys: grid(1, 2, 5, 2) },
      { ...SCRIPTS, view: NEURON_JS }
    );
    const set = doc.indexOf('window.bertviz_params = {');
    expect(set).toBeGreaterThan(0);
    expect(doc.indexOf('const params = window.bertviz_params')).toBeGreaterThan(set);
    expect(doc).toContain('<select id="att_head">');
    expect(doc).toContain('<option value="ab">Sentence A -&gt; Sentence B</option>');
    expect(doc).toContain('"bidirectional":true');
  });
  it('reports its height to the page around it', () => {
    expect(viewDocument('head', input, SCRIPTS)).toContain('dlvizHeight');
  });
  it('names the asset of each view', () => {
    expect(viewScriptAsset('neuron')).toBe('bertviz/neuron_view.js');
  });
});

describe('displayModeFor', () => {
  it('reads hex and rgb colors', () => {
    expect(displayModeFor('#111')).toBe('dark');
    expect(displayModeFor('#ffffff')).toBe('light');
    expect(displayModeFor('rgb(33, 33, 33)')).toBe('dark');
    expect(displayModeFor('white')).toBe('light');
    expect(displayModeFor(undefined)).toBe('light');
  });
});

describe('array stubs and slices', () => {
  it('tells a stub from an inline array', () => {
    const stub = {
      dtype: 'float16',
      shape: [6, 12, 512, 512],
      bytes: 37748736,
      href: 'runs/x/arrays/attention'
    };
    expect(isArrayStub(stub)).toBe(true);
    expect(isArrayStub(float32([1], [1]))).toBe(false);
    expect(isArrayStub({ ...stub, data: '' })).toBe(false);
  });
  it('builds the slice query', () => {
    expect(sliceQuery(3, 'uint8')).toBe('?index=3&dtype=uint8');
    expect(sliceQuery(null, 'float16')).toBe('?dtype=float16');
    expect(sliceQuery()).toBe('');
    expect(() => sliceQuery(-1)).toThrow(/whole number/);
  });
});

describe('notebook output helpers', () => {
  it('offers the neuron view only with queries and keys', () => {
    const a = float32([1], [1]);
    expect(availableKinds({ attention: a })).toEqual(['head', 'model']);
    expect(availableKinds({ attention: a, queries: a, keys: a })).toEqual([
      'head',
      'model',
      'neuron'
    ]);
  });
  it('guesses a height from tokens or layers', () => {
    expect(initialHeight('head', 9, 6)).toBe(9 * 22 + 120);
    expect(initialHeight('model', 9, 6)).toBe(6 * 90 + 80);
    expect(initialHeight('head', 1000, 6)).toBe(1600);
  });
  it('makes safe file names', () => {
    expect(fileNameOf('Attention: The cat sat', 'html')).toBe('Attention-The-cat-sat.html');
  });
});

describe('export', () => {
  it('answers PNG requests from inside the offline document', () => {
    const doc = viewDocument('model', { tokens: TOKENS, attention: grid(1, 1, 5, 5) }, SCRIPTS);
    expect(doc).toContain('dlvizExport');
    expect(doc).toContain('toDataURL("image/png")');
  });
  it('turns the data: URL the iframe sends into a PNG blob', () => {
    // The 8-byte PNG signature, base64.
    const blob = dataUrlToBlob('data:image/png;base64,iVBORw0KGgo=');
    expect(blob.type).toBe('image/png');
    expect(blob.size).toBe(8);
  });
});
