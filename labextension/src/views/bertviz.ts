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
import { isEncodedArray, NDArray, Nested } from '../arrays';

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

/** The `<style>` of every view document, in the theme's colors. */
function documentStyle(theme?: IViewTheme): string {
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
  return `<style>${style.replace(/<\//g, '<\\/')}</style>\n`;
}

/**
 * Tells the page around the iframe how tall the document is (a notebook output sizes its frame
 * by it). Only a number crosses: the sandboxed document cannot reach the page otherwise.
 */
export const HEIGHT_REPORTER =
  '(function () {\n' +
  '  function send() { parent.postMessage({ dlvizHeight: Math.ceil(document.documentElement.scrollHeight) }, "*"); }\n' +
  '  if (typeof ResizeObserver !== "undefined") { new ResizeObserver(send).observe(document.body); }\n' +
  '  window.addEventListener("load", send);\n' +
  '  setTimeout(send, 300);\n' +
  '})();';

/**
 * Answers a PNG export request from the page around the iframe: the view's SVG is drawn onto a
 * canvas (white or theme background) and sent back as a data: URL. Only that string crosses,
 * and only to the embedding page: a request from any other window (another frame, a popup) is
 * ignored.
 */
export const PNG_EXPORTER =
  '(function () {\n' +
  '  window.addEventListener("message", function (event) {\n' +
  '    if (event.source !== parent) { return; }\n' +
  '    if (!event.data || event.data.dlvizExport !== "png") { return; }\n' +
  '    var reply = function (message) { parent.postMessage(message, "*"); };\n' +
  '    var svg = document.querySelector("#vis svg");\n' +
  '    if (!svg) { reply({ dlvizPngError: "no picture to export" }); return; }\n' +
  '    var box = svg.getBoundingClientRect();\n' +
  '    var clone = svg.cloneNode(true);\n' +
  '    clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");\n' +
  '    clone.setAttribute("width", Math.ceil(box.width)); clone.setAttribute("height", Math.ceil(box.height));\n' +
  '    var style = document.createElementNS("http://www.w3.org/2000/svg", "style");\n' +
  '    style.textContent = "text { font-family: sans-serif; font-size: 13px; fill: " + getComputedStyle(document.body).color + "; }";\n' +
  '    clone.insertBefore(style, clone.firstChild);\n' +
  '    var text = new XMLSerializer().serializeToString(clone);\n' +
  '    var image = new Image();\n' +
  '    image.onload = function () {\n' +
  '      var scale = 2, canvas = document.createElement("canvas");\n' +
  '      canvas.width = Math.ceil(box.width * scale); canvas.height = Math.ceil(box.height * scale);\n' +
  '      var context = canvas.getContext("2d");\n' +
  '      context.fillStyle = getComputedStyle(document.body).backgroundColor || "#fff";\n' +
  '      context.fillRect(0, 0, canvas.width, canvas.height);\n' +
  '      context.scale(scale, scale); context.drawImage(image, 0, 0);\n' +
  '      try { reply({ dlvizPng: canvas.toDataURL("image/png") }); } catch (e) { reply({ dlvizPngError: String(e) }); }\n' +
  '    };\n' +
  '    image.onerror = function () { reply({ dlvizPngError: "the picture could not be drawn" }); };\n' +
  '    image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(text)));\n' +
  '  });\n' +
  '})();';

/** d3, jQuery and require.js inlined, then the AMD modules BertViz asks for, defined offline. */
function loaderScripts(scripts: { d3: string; jquery: string; requirejs: string }): string {
  return (
    // Plain scripts first: with no AMD loader yet, d3 and jQuery become globals.
    inlineScript(scripts.d3) +
    inlineScript(scripts.jquery) +
    inlineScript(scripts.requirejs) +
    inlineScript(
      "define('d3', [], function () { return window.d3; });\n" +
        "define('jquery', [], function () { return window.jQuery; });"
    )
  );
}

function wrapDocument(body: string, theme?: IViewTheme, title?: string, reportHeight = true): string {
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
    (title ? `<title>${escapeHtml(title)}</title>\n` : '') +
    documentStyle(theme) +
    '</head>\n<body>\n' +
    body +
    (reportHeight ? inlineScript(HEIGHT_REPORTER) + inlineScript(PNG_EXPORTER) : '') +
    '</body>\n</html>\n'
  );
}

/** The whole document, for an iframe's `srcdoc`. */
export function headViewDocument(
  input: IHeadViewInput,
  scripts: IHeadViewScripts,
  theme?: IViewTheme
): string {
  const params = headViewParams(input);
  return wrapDocument(
    loaderScripts(scripts) + rootMarkup(params) + '\n' + inlineScript(fillHeadView(scripts.headView, params)),
    theme,
    undefined,
    false
  );
}

// ---------------------------------------------------------------------------------------------
// Model view and neuron view (BertViz's model_view.js and neuron_view.js, used as served).

/** The three BertViz views. */
export type AttentionViewKind = 'head' | 'model' | 'neuron';
export const ATTENTION_VIEW_KINDS: AttentionViewKind[] = ['head', 'model', 'neuron'];

/** The asset (see api.ts `asset`) holding a view's BertViz script. */
export function viewScriptAsset(kind: AttentionViewKind): string {
  return `bertviz/${kind}_view.js`;
}

/** d3, jQuery, require.js and the one BertViz script of the view. */
export interface IViewScripts {
  d3: string;
  jquery: string;
  requirejs: string;
  view: string;
}

/** What the model and neuron views need beyond the head view's input. */
export interface IViewInput extends IHeadViewInput {
  /** Queries [layers, heads, N, d] (neuron view). */
  queries?: NDArray | null;
  /** Keys [layers, heads, N, d] (neuron view). */
  keys?: NDArray | null;
  /** A causal (decoder) model: the neuron view then hides the future tokens. */
  causal?: boolean;
  /** Initially selected head of the neuron view; default the first. */
  head?: number | null;
}

/** "dark" for a dark background color (hex or rgb()), else "light": BertViz's display_mode. */
export function displayModeFor(background?: string | null): 'dark' | 'light' {
  if (!background) {
    return 'light';
  }
  const text = background.trim().toLowerCase();
  let rgb: number[] | null = null;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(text);
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, c => c + c) : hex[1];
    rgb = [0, 2, 4].map(i => parseInt(h.slice(i, i + 2), 16));
  } else {
    const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(text);
    if (m) {
      rgb = [Number(m[1]), Number(m[2]), Number(m[3])];
    } else if (text === 'black') {
      rgb = [0, 0, 0];
    }
  }
  if (!rgb) {
    return 'light';
  }
  const luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  return luminance < 0.5 ? 'dark' : 'light';
}

function checkAttention(input: IHeadViewInput): [number, number, number] {
  const { attention } = input;
  if (attention.ndim !== 4) {
    throw new Error(`attention must have 4 axes [layers, heads, N, N], got [${attention.shape.join(', ')}]`);
  }
  const [layers, heads, n, m] = attention.shape;
  if (n !== input.tokens.length || m !== input.tokens.length) {
    throw new Error(`attention covers ${n}x${m} positions but there are ${input.tokens.length} tokens`);
  }
  return [layers, heads, n];
}

/** The sentence-pair ranges [0, b) and [b, n), or null for one sentence. */
function pairRanges(b: number | null | undefined, n: number): [[number, number], [number, number]] | null {
  return typeof b === 'number' && b > 0 && b < n ? [[0, b], [b, n]] : null;
}

export interface IModelViewParams {
  attention: IAttentionSlice[];
  default_filter: string;
  display_mode: 'dark' | 'light';
  root_div_id: string;
  include_layers: number[];
  include_heads: number[];
  total_heads: number;
}

/** The params BertViz's model view reads (every layer and head), as bertviz.model_view() builds them. */
export function modelViewParams(input: IHeadViewInput, displayMode: 'dark' | 'light' = 'light'): IModelViewParams {
  const [layers, heads] = checkAttention(input);
  // The slices (All, A->A, B->B, A->B, B->A) are those of the head view.
  const slices = headViewParams(input).attention;
  return {
    attention: slices,
    default_filter: '0',
    display_mode: displayMode,
    root_div_id: input.rootId ?? newRootId(),
    include_layers: Array.from({ length: layers }, (_, i) => i),
    include_heads: Array.from({ length: heads }, (_, i) => i),
    total_heads: heads
  };
}

/** One filter of the neuron view: attention plus the queries and keys of its rows and columns. */
export interface INeuronSlice {
  attn: Nested;
  left_text: string[];
  right_text: string[];
  queries: Nested;
  keys: Nested;
}

export interface INeuronViewParams {
  attention: { [filter: string]: INeuronSlice };
  default_filter: string;
  root_div_id: string;
  bidirectional: boolean;
  display_mode: 'dark' | 'light';
  layer: number | null;
  head: number | null;
}

/** The neuron view's filters and their names, in BertViz's order. */
export const NEURON_FILTERS: [string, string][] = [
  ['all', 'All'],
  ['aa', 'Sentence A -> Sentence A'],
  ['ab', 'Sentence A -> Sentence B'],
  ['ba', 'Sentence B -> Sentence A'],
  ['bb', 'Sentence B -> Sentence B']
];

/** The params BertViz's neuron view reads (`window.bertviz_params`), as bertviz.neuron_view.show() builds them. */
export function neuronViewParams(input: IViewInput, displayMode: 'dark' | 'light' = 'light'): INeuronViewParams {
  const [, , n] = checkAttention(input);
  const { queries, keys } = input;
  if (!queries || !keys) {
    throw new Error('the neuron view needs the queries and keys of every head (run with include_qk)');
  }
  for (const [name, arr] of [['queries', queries], ['keys', keys]] as [string, NDArray][]) {
    if (arr.ndim !== 4 || arr.shape[0] !== input.attention.shape[0] || arr.shape[1] !== input.attention.shape[1] || arr.shape[2] !== n) {
      throw new Error(
        `${name} must have shape [layers, heads, N, d] matching the attention, got [${arr.shape.join(', ')}]`
      );
    }
  }
  const digits = input.digits ?? 4;
  const d = queries.shape[3];
  const tokens = prettifyTokens(input.tokens);
  const all: [number, number] = [0, n];
  const vec: [number, number] = [0, d];
  const slice = (rows: [number, number], cols: [number, number]): INeuronSlice => ({
    attn: block(input.attention, rows, cols, digits),
    left_text: tokens.slice(rows[0], rows[1]),
    right_text: tokens.slice(cols[0], cols[1]),
    queries: block(queries, rows, vec, digits),
    keys: block(keys, cols, vec, digits)
  });
  const attention: { [filter: string]: INeuronSlice } = { all: slice(all, all) };
  const pair = pairRanges(input.sentenceBStart, n);
  if (pair) {
    const [a, b] = pair;
    attention.aa = slice(a, a);
    attention.ab = slice(a, b);
    attention.ba = slice(b, a);
    attention.bb = slice(b, b);
  }
  return {
    attention,
    default_filter: 'all',
    root_div_id: input.rootId ?? newRootId(),
    bidirectional: !input.causal,
    display_mode: displayMode,
    layer: input.layer ?? null,
    head: input.head ?? (input.heads && input.heads.length ? input.heads[0] : null)
  };
}

function filterSelect(options: [string, string][]): string {
  return options.length > 1
    ? ' Attention: <select id="filter">' +
        options.map(([value, name]) => `<option value="${escapeHtml(value)}">${escapeHtml(name)}</option>`).join('') +
        '</select>'
    : '';
}

/** model_view.js with its `PYTHON_PARAMS` marker replaced. */
export function fillModelView(modelViewJs: string, params: IModelViewParams): string {
  if (!modelViewJs.includes(MARKER)) {
    throw new Error(`model_view.js has no ${MARKER} marker: not a BertViz model view script`);
  }
  return modelViewJs.split(MARKER).join(scriptJson(params));
}

/**
 * The whole offline document of one BertViz view (head, model or neuron), for an iframe's
 * `srcdoc` or a downloaded .html file: nothing in it loads from the network.
 */
export function viewDocument(
  kind: AttentionViewKind,
  input: IViewInput,
  scripts: IViewScripts,
  theme?: IViewTheme,
  title?: string
): string {
  const mode = displayModeFor(theme?.background);
  if (kind === 'head') {
    const params = headViewParams(input);
    return wrapDocument(
      loaderScripts(scripts) + rootMarkup(params) + '\n' + inlineScript(fillHeadView(scripts.view, params)),
      theme,
      title
    );
  }
  if (kind === 'model') {
    const params = modelViewParams(input, mode);
    const markup =
      `<div id="${escapeHtml(params.root_div_id)}">` +
      `<span class="dlviz-controls">${filterSelect(params.attention.map((s, i) => [String(i), s.name]))}</span>` +
      '<div id="vis"></div></div>';
    return wrapDocument(
      loaderScripts(scripts) + markup + '\n' + inlineScript(fillModelView(scripts.view, params)),
      theme,
      title
    );
  }
  const params = neuronViewParams(input, mode);
  const filters = NEURON_FILTERS.filter(([key]) => key in params.attention);
  const markup =
    `<div id="${escapeHtml(params.root_div_id)}">` +
    '<span class="dlviz-controls"><span class="dropdown-label">Layer: </span><select id="layer"></select>' +
    '<span class="dropdown-label">Head: </span><select id="att_head"></select>' +
    filterSelect(filters) +
    '</span><div id="vis"></div></div>';
  return wrapDocument(
    loaderScripts(scripts) +
      markup +
      '\n' +
      inlineScript(`window.bertviz_params = ${scriptJson(params)};`) +
      inlineScript(scripts.view),
    theme,
    title
  );
}

/** The views an attention payload can show: neuron only when it carries queries and keys. */
export function availableKinds(payload: { [key: string]: any }): AttentionViewKind[] {
  const kinds: AttentionViewKind[] = ['head', 'model'];
  if (isEncodedArray(payload.queries) && isEncodedArray(payload.keys)) {
    kinds.push('neuron');
  }
  return kinds;
}

/** A first guess at a notebook output's height (the document then reports its own). */
export function initialHeight(kind: AttentionViewKind, tokens: number, layers: number): number {
  const rows = kind === 'model' ? layers * 90 + 80 : tokens * 22 + 120;
  return Math.min(Math.max(rows, 200), 1600);
}
