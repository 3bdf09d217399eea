import { NDArray } from '../../labextension/src/api/arrays';
import { grid } from './helpers';
import {
  escapeScript,
  fillHeadView,
  headViewDocument,
  headViewParams,
  prettifyTokens
} from '../../labextension/src/views/transformer/bertviz';

/** A head_view.js stand-in with BertViz's marker (twice, as the real file has it) and a CDN config. */
const HEAD_VIEW = [
  "require.config({ paths: { d3: 'https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min' } });",
  "requirejs(['jquery', 'd3'], function ($, d3) {",
  '  const params = PYTHON_PARAMS; // HACK: PYTHON_PARAMS is a template marker',
  '});'
].join('\n');

const SCRIPTS = {
  d3: '/* d3 */ window.d3 = {version: "5.16.0"}; var s = "</script>";',
  jquery: '/* jquery */ window.jQuery = function () {}; var r = /<\\/SCRIPT/;',
  requirejs: '/* requirejs */ var requirejs, require, define;',
  headView: HEAD_VIEW
};

const attention = (layers: number, heads: number, n: number): NDArray => grid(layers, heads, n);

const TOKENS = ['[CLS]', 'the', 'cat', 'sat', '[SEP]'];

describe('headViewParams', () => {
  it('nests the attention as [layers][heads][N][N] with every layer included', () => {
    const params = headViewParams({
      tokens: TOKENS,
      attention: attention(2, 3, 5),
      rootId: 'bertviz-x'
    });
    expect(params.attention).toHaveLength(1);
    const all = params.attention[0];
    expect(all.name).toBe('All');
    const attn = all.attn as number[][][][];
    expect(attn).toHaveLength(2);
    expect(attn[0]).toHaveLength(3);
    expect(attn[0][0]).toHaveLength(5);
    expect(attn[0][0][0]).toHaveLength(5);
    expect(attn[1][2][3][4]).toBe(1234);
    expect(all.left_text).toEqual(TOKENS);
    expect(all.right_text).toEqual(TOKENS);
    expect(params.default_filter).toBe('0');
    expect(params.root_div_id).toBe('bertviz-x');
    expect(params.include_layers).toEqual([0, 1]);
    expect(params.layer).toBeNull();
    expect(params.heads).toBeNull();
  });

  it('adds the four sentence-pair slices as BertViz does when sentence B starts', () => {
    const params = headViewParams({
      tokens: TOKENS,
      attention: attention(1, 1, 5),
      sentenceBStart: 3
    });
    expect(params.attention.map(s => s.name)).toEqual([
      'All',
      'Sentence A -> Sentence A',
      'Sentence B -> Sentence B',
      'Sentence A -> Sentence B',
      'Sentence B -> Sentence A'
    ]);
    const aToB = params.attention[3];
    expect(aToB.left_text).toEqual(['[CLS]', 'the', 'cat']);
    expect(aToB.right_text).toEqual(['sat', '[SEP]']);
    // row i of A, column j of B: value i*10 + (3 + j)
    expect((aToB.attn as number[][][][])[0][0][2][1]).toBe(24);
    const bToA = params.attention[4].attn as number[][][][];
    expect(bToA[0][0]).toHaveLength(2);
    expect(bToA[0][0][0]).toHaveLength(3);
    expect(bToA[0][0][1][0]).toBe(40);
  });

  it('refuses attention whose size does not match the tokens', () => {
    expect(() => headViewParams({ tokens: ['a'], attention: attention(1, 1, 2) })).toThrow(
      /2x2 positions/
    );
  });

  it('prettifies BPE and SentencePiece markers like BertViz', () => {
    expect(prettifyTokens(['Ġcat', '▁sat', 'mat</w>'])).toEqual([' cat', ' sat', 'mat']);
  });
});

describe('headViewDocument', () => {
  const doc = headViewDocument(
    {
      tokens: ['[CLS]', 'the', 'cat', '</script><b>', '[SEP]'],
      attention: attention(2, 2, 5),
      rootId: 'bertviz-t'
    },
    SCRIPTS
  );

  it('loads no script from the network', () => {
    expect(doc).not.toMatch(/<script[^>]*\bsrc=/i);
    // The only URL left is the CDN path in BertViz's require.config, which is never used
    // because d3 and jquery are defined before it runs.
    const defineAt = doc.indexOf("define('d3'");
    const configAt = doc.indexOf('require.config');
    expect(defineAt).toBeGreaterThan(-1);
    expect(defineAt).toBeLessThan(configAt);
  });

  it('inlines d3 and jQuery before require.js, then defines both modules', () => {
    const at = (text: string) => doc.indexOf(text);
    expect(at('/* d3 */')).toBeGreaterThan(-1);
    expect(at('/* d3 */')).toBeLessThan(at('/* requirejs */'));
    expect(at('/* jquery */')).toBeLessThan(at('/* requirejs */'));
    expect(at('/* requirejs */')).toBeLessThan(at("define('d3'"));
    expect(doc).toContain("define('jquery', [], function () { return window.jQuery; });");
  });

  it('replaces every PYTHON_PARAMS marker with the params', () => {
    expect(doc).not.toContain('PYTHON_PARAMS');
    expect(doc).toContain('"root_div_id":"bertviz-t"');
    expect(doc).toContain('"include_layers":[0,1]');
  });

  it('has the root markup BertViz expects and the tokens', () => {
    expect(doc).toContain('<div id="bertviz-t">');
    expect(doc).toContain('<select id="layer"></select>');
    expect(doc).toContain('<div id="vis"></div>');
    expect(doc).toContain('"left_text":["[CLS]","the","cat"');
  });

  it('escapes </script inside inlined text so no script ends early', () => {
    // Exactly one closing tag per <script> element we wrote.
    const opens = doc.match(/<script>/g)!.length;
    const closes = doc.match(/<\/script>/gi)!.length;
    expect(opens).toBe(5);
    expect(closes).toBe(opens);
    expect(doc).toContain('var s = "<\\/script>"');
    expect(doc).toContain('/<\\/SCRIPT/');
    expect(escapeScript('a</script>b<!--c')).toBe('a<\\/script>b<\\u0021--c');
  });

  it('parses into the scripts and root div a browser would see', () => {
    const parsed = new DOMParser().parseFromString(doc, 'text/html');
    const scripts = parsed.querySelectorAll('script');
    expect(scripts).toHaveLength(5);
    expect(scripts[0].textContent).toContain('window.d3');
    expect(parsed.querySelector('#bertviz-t #vis')).not.toBeNull();
    expect(parsed.querySelector('#bertviz-t #layer')).not.toBeNull();
    expect(scripts[4].textContent).toContain(
      '"right_text":["[CLS]","the","cat","\\u003c/script\\u003e\\u003cb\\u003e"'
    );
  });

  it('refuses a head view script without the marker', () => {
    expect(() =>
      fillHeadView(
        'console.log(1)',
        headViewParams({ tokens: ['a'], attention: attention(1, 1, 1) })
      )
    ).toThrow(/PYTHON_PARAMS/);
  });
});
