/**
 * The HTML document of BertViz's head view, built to work offline.
 *
 * BertViz's own `head_view.js` is used as it is. It asks require.js for `d3` and `jquery` from
 * CDNs; instead the document inlines d3 and jQuery as plain scripts first (they set window.d3 and
 * window.jQuery because no AMD `define` exists yet), then require.js, then defines the two
 * modules from those globals, so require.js has them before BertViz's `require.config` paths
 * could ever be used. Nothing is loaded from the network.
 *
 * Pure string building, no JupyterLab imports: tested by jest.
 */
import { NDArray, Nested } from '../arrays';

/** The scripts the document inlines, as texts (the server serves them, see api.ts `asset`). */
export interface IHeadViewScripts {
  d3: string;
  jquery: string;
  requirejs: string;
  headView: string;
}

/** Colors of the document, taken from the JupyterLab theme so a dark theme stays dark. */
export interface IViewTheme {
  background: string;
  foreground: string;
  fontFamily?: string;
}

export interface IHeadViewInput {
  /** Tokens, as the tokenizer wrote them. */
  tokens: string[];
  /** Attention weights, shape [layers, heads, N, N]. */
  attention: NDArray;
  /** Index of the first token of sentence B for a sentence pair, else null. */
  sentenceBStart?: number | null;
  /** The id of BertViz's root div (letters, digits, - and _). */
  rootId?: string;
  /** Initially selected layer; default the first. */
  layer?: number | null;
  /** Initially shown heads; default all. */
  heads?: number[] | null;
  /** Decimals kept for each weight (the params travel as JSON text); default 4. */
  digits?: number;
}

/** One selectable slice of the attention, as BertViz's `params.attention[i]`. */
export interface IAttentionSlice {
  name: string;
  attn: Nested;
  left_text: string[];
  right_text: string[];
}

/** What replaces `PYTHON_PARAMS` in head_view.js. */
export interface IHeadViewParams {
  attention: IAttentionSlice[];
  default_filter: string;
  root_div_id: string;
  layer: number | null;
  heads: number[] | null;
  include_layers: number[];
}

const MARKER = 'PYTHON_PARAMS';

/**
 * Make text safe inside an inline `<script>` element: the HTML parser ends a script at the first
 * `</script`, whatever the JavaScript around it means. `<\/` is the same text in JS strings,
 * regexes and comments. `<!--` is broken up for the same reason (it changes how the parser
 * looks for the end tag).
 */
export function escapeScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\u0021--');
}

/** JSON that can sit inside a `<script>` element (and in JS source) as is. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** HTML text escaping, for titles and labels. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tokens as a learner reads them: BPE and SentencePiece markers become spaces, as BertViz does. */
export function prettifyTokens(tokens: string[]): string[] {
  return tokens.map(t => t.replace(/Ġ/g, ' ').replace(/▁/g, ' ').replace(/<\/w>/g, ''));
}

/** attention[:, :, rows, cols] as nested arrays, rounded. */
function block(
  attention: NDArray,
  rows: [number, number],
  cols: [number, number],
  digits: number
): Nested {
  const [layers, heads] = attention.shape;
  const factor = Math.pow(10, digits);
  const [s0, s1, s2] = attention.strides;
  const data = attention.data;
  const out: Nested[] = [];
  for (let l = 0; l < layers; l++) {
    const layer: Nested[] = [];
    for (let h = 0; h < heads; h++) {
      const matrix: Nested[] = [];
      for (let i = rows[0]; i < rows[1]; i++) {
        const row: number[] = [];
        const base = l * s0 + h * s1 + i * s2;
        for (let j = cols[0]; j < cols[1]; j++) {
          row.push(Math.round(data[base + j] * factor) / factor);
        }
        matrix.push(row);
      }
      layer.push(matrix);
    }
    out.push(layer);
  }
  return out;
}

/** A fresh id for BertViz's root div, safe in the CSS selectors BertViz builds from it. */
export function newRootId(): string {
  return 'bertviz-' + Math.random().toString(16).slice(2, 14);
}

/** The params BertViz's head view reads, built like bertviz.head_view() builds them. */
export function headViewParams(input: IHeadViewInput): IHeadViewParams {
  const { attention } = input;
  if (attention.ndim !== 4) {
    throw new Error(`attention must have 4 axes [layers, heads, N, N], got [${attention.shape.join(', ')}]`);
  }
  const [layers, , n, m] = attention.shape;
  if (n !== input.tokens.length || m !== input.tokens.length) {
    throw new Error(`attention covers ${n}x${m} positions but there are ${input.tokens.length} tokens`);
  }
  const digits = input.digits ?? 4;
  const tokens = prettifyTokens(input.tokens);
  const all: [number, number] = [0, n];
  const slices: IAttentionSlice[] = [
    { name: 'All', attn: block(attention, all, all, digits), left_text: tokens, right_text: tokens }
  ];
  const b = input.sentenceBStart;
  if (typeof b === 'number' && b > 0 && b < n) {
    const a: [number, number] = [0, b];
    const bb: [number, number] = [b, n];
    const textA = tokens.slice(0, b);
    const textB = tokens.slice(b);
    // Same slices and order as bertviz.head_view for a sentence pair.
    slices.push(
      { name: 'Sentence A -> Sentence A', attn: block(attention, a, a, digits), left_text: textA, right_text: textA },
      { name: 'Sentence B -> Sentence B', attn: block(attention, bb, bb, digits), left_text: textB, right_text: textB },
      { name: 'Sentence A -> Sentence B', attn: block(attention, a, bb, digits), left_text: textA, right_text: textB },
      { name: 'Sentence B -> Sentence A', attn: block(attention, bb, a, digits), left_text: textB, right_text: textA }
    );
  }
  return {
    attention: slices,
    default_filter: '0',
    root_div_id: input.rootId ?? newRootId(),
    layer: input.layer ?? null,
    heads: input.heads ?? null,
    include_layers: Array.from({ length: layers }, (_, i) => i)
  };
}

/** head_view.js with every `PYTHON_PARAMS` marker replaced by the params. */
export function fillHeadView(headViewJs: string, params: IHeadViewParams): string {
  if (!headViewJs.includes(MARKER)) {
    throw new Error(`head_view.js has no ${MARKER} marker: not a BertViz head view script`);
  }
  return headViewJs.split(MARKER).join(scriptJson(params));
}

/** The root markup BertViz expects: a layer select, a filter select for pairs, and #vis. */
function rootMarkup(params: IHeadViewParams): string {
  const filter =
    params.attention.length > 1
      ? ' Attention: <select id="filter">' +
        params.attention
          .map((slice, i) => `<option value="${i}">${escapeHtml(slice.name)}</option>`)
          .join('') +
        '</select>'
      : '';
  return (
    `<div id="${escapeHtml(params.root_div_id)}">` +
    `<span class="dlviz-controls">Layer: <select id="layer"></select>${filter}</span>` +
    '<div id="vis"></div></div>'
  );
}

function inlineScript(text: string): string {
  return `<script>\n${escapeScript(text)}\n</script>\n`;
}

/** The whole document, for an iframe's `srcdoc`. */
export function headViewDocument(
  input: IHeadViewInput,
  scripts: IHeadViewScripts,
  theme?: IViewTheme
): string {
  const params = headViewParams(input);
  const background = theme?.background ?? '#ffffff';
  const foreground = theme?.foreground ?? '#000000';
  const font = theme?.fontFamily ?? "'Helvetica Neue', Helvetica, Arial, sans-serif";
  const style = `
    html, body { margin: 0; padding: 0; background: ${background}; color: ${foreground}; }
    body { font-family: ${font}; font-size: 13px; padding: 8px; }
    .dlviz-controls { user-select: none; }
    select { font: inherit; margin-right: 12px; background: ${background}; color: ${foreground}; }
    #vis svg text { fill: ${foreground}; }
  `;
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
    `<style>${style.replace(/<\//g, '<\\/')}</style>\n` +
    '</head>\n<body>\n' +
    // Plain scripts first: with no AMD loader yet, d3 and jQuery become globals.
    inlineScript(scripts.d3) +
    inlineScript(scripts.jquery) +
    inlineScript(scripts.requirejs) +
    inlineScript(
      "define('d3', [], function () { return window.d3; });\n" +
        "define('jquery', [], function () { return window.jQuery; });"
    ) +
    rootMarkup(params) +
    '\n' +
    inlineScript(fillHeadView(scripts.headView, params)) +
    '</body>\n</html>\n'
  );
}
