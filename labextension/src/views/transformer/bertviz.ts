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
import { NDArray, Nested } from '../../api/arrays';
import { IViewTheme } from '../shared/frame';
import { trans } from '../../i18n';
import { escapeHtml } from '../shared/html';

export { IViewTheme };

/** The scripts the document inlines, as texts (the server serves them, see api.ts `asset`). */
export interface IHeadViewScripts {
  d3: string;
  jquery: string;
  requirejs: string;
  headView: string;
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

export const MARKER = 'PYTHON_PARAMS';

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

/** Tokens as a learner reads them: BPE and SentencePiece markers become spaces, as BertViz does. */
export function prettifyTokens(tokens: string[]): string[] {
  return tokens.map(t => t.replace(/Ġ/g, ' ').replace(/▁/g, ' ').replace(/<\/w>/g, ''));
}

/** attention[:, :, rows, cols] as nested arrays, rounded. */
export function block(
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
    throw new Error(
      trans.__(
        'attention must have 4 axes [layers, heads, N, N], got [%1]',
        attention.shape.join(', ')
      )
    );
  }
  const [layers, , n, m] = attention.shape;
  if (n !== input.tokens.length || m !== input.tokens.length) {
    throw new Error(
      trans.__(
        'attention covers %1x%2 positions but there are %3 tokens',
        n,
        m,
        input.tokens.length
      )
    );
  }
  const digits = input.digits ?? 4;
  const tokens = prettifyTokens(input.tokens);
  const all: [number, number] = [0, n];
  const slices: IAttentionSlice[] = [
    {
      name: trans.__('All'),
      attn: block(attention, all, all, digits),
      left_text: tokens,
      right_text: tokens
    }
  ];
  const b = input.sentenceBStart;
  if (typeof b === 'number' && b > 0 && b < n) {
    const a: [number, number] = [0, b];
    const bb: [number, number] = [b, n];
    const textA = tokens.slice(0, b);
    const textB = tokens.slice(b);
    // Same slices and order as bertviz.head_view for a sentence pair.
    slices.push(
      {
        name: trans.__('Sentence A -> Sentence A'),
        attn: block(attention, a, a, digits),
        left_text: textA,
        right_text: textA
      },
      {
        name: trans.__('Sentence B -> Sentence B'),
        attn: block(attention, bb, bb, digits),
        left_text: textB,
        right_text: textB
      },
      {
        name: trans.__('Sentence A -> Sentence B'),
        attn: block(attention, a, bb, digits),
        left_text: textA,
        right_text: textB
      },
      {
        name: trans.__('Sentence B -> Sentence A'),
        attn: block(attention, bb, a, digits),
        left_text: textB,
        right_text: textA
      }
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
    throw new Error(
      trans.__('head_view.js has no %1 marker: not a BertViz head view script', MARKER)
    );
  }
  return headViewJs.split(MARKER).join(scriptJson(params));
}

/** The root markup BertViz expects: a layer select, a filter select for pairs, and #vis. */
export function rootMarkup(params: IHeadViewParams): string {
  const filter =
    params.attention.length > 1
      ? ` ${escapeHtml(trans.__('Attention:'))} <select id="filter">` +
        params.attention
          .map((slice, i) => `<option value="${i}">${escapeHtml(slice.name)}</option>`)
          .join('') +
        '</select>'
      : '';
  return (
    `<div id="${escapeHtml(params.root_div_id)}">` +
    `<span class="dlviz-controls">${escapeHtml(trans.__('Layer:'))} <select id="layer"></select>${filter}</span>` +
    '<div id="vis"></div></div>'
  );
}

export function inlineScript(text: string): string {
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
export function loaderScripts(scripts: { d3: string; jquery: string; requirejs: string }): string {
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

export function wrapDocument(
  body: string,
  theme?: IViewTheme,
  title?: string,
  reportHeight = true
): string {
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
    loaderScripts(scripts) +
      rootMarkup(params) +
      '\n' +
      inlineScript(fillHeadView(scripts.headView, params)),
    theme,
    undefined,
    false
  );
}

// ---------------------------------------------------------------------------------------------
// Model view and neuron view (BertViz's model_view.js and neuron_view.js, used as served).
