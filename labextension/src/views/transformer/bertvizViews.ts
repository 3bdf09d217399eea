/**
 * The model and neuron views of BertViz, and the one document function for all three views
 * (head, model, neuron), offline like the head view (bertviz.ts). Pure string building: tested by jest.
 */
import { isEncodedArray, NDArray, Nested } from '../../api/arrays';
import { trans } from '../../i18n';
import { escapeHtml } from '../shared/html';
import {
  block,
  fillHeadView,
  headViewParams,
  IAttentionSlice,
  IHeadViewInput,
  inlineScript,
  IViewTheme,
  loaderScripts,
  MARKER,
  newRootId,
  prettifyTokens,
  rootMarkup,
  scriptJson,
  wrapDocument
} from './bertviz';

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
    throw new Error(
      trans.__(
        'attention must have 4 axes [layers, heads, N, N], got [%1]',
        attention.shape.join(', ')
      )
    );
  }
  const [layers, heads, n, m] = attention.shape;
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
  return [layers, heads, n];
}

/** The sentence-pair ranges [0, b) and [b, n), or null for one sentence. */
function pairRanges(
  b: number | null | undefined,
  n: number
): [[number, number], [number, number]] | null {
  return typeof b === 'number' && b > 0 && b < n
    ? [
        [0, b],
        [b, n]
      ]
    : null;
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
export function modelViewParams(
  input: IHeadViewInput,
  displayMode: 'dark' | 'light' = 'light'
): IModelViewParams {
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

/** The neuron view's filters and their names (translated when read), in BertViz's order. */
export function neuronFilters(): [string, string][] {
  return [
    ['all', trans.__('All')],
    ['aa', trans.__('Sentence A -> Sentence A')],
    ['ab', trans.__('Sentence A -> Sentence B')],
    ['ba', trans.__('Sentence B -> Sentence A')],
    ['bb', trans.__('Sentence B -> Sentence B')]
  ];
}

/** The params BertViz's neuron view reads (`window.bertviz_params`), as bertviz.neuron_view.show() builds them. */
export function neuronViewParams(
  input: IViewInput,
  displayMode: 'dark' | 'light' = 'light'
): INeuronViewParams {
  const [, , n] = checkAttention(input);
  const { queries, keys } = input;
  if (!queries || !keys) {
    throw new Error(
      trans.__('the neuron view needs the queries and keys of every head (run with include_qk)')
    );
  }
  for (const [name, arr] of [
    ['queries', queries],
    ['keys', keys]
  ] as [string, NDArray][]) {
    if (
      arr.ndim !== 4 ||
      arr.shape[0] !== input.attention.shape[0] ||
      arr.shape[1] !== input.attention.shape[1] ||
      arr.shape[2] !== n
    ) {
      throw new Error(
        trans.__(
          '%1 must have shape [layers, heads, N, d] matching the attention, got [%2]',
          name,
          arr.shape.join(', ')
        )
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
    ? ` ${escapeHtml(trans.__('Attention:'))} <select id="filter">` +
        options
          .map(
            ([value, name]) => `<option value="${escapeHtml(value)}">${escapeHtml(name)}</option>`
          )
          .join('') +
        '</select>'
    : '';
}

/** model_view.js with its `PYTHON_PARAMS` marker replaced. */
export function fillModelView(modelViewJs: string, params: IModelViewParams): string {
  if (!modelViewJs.includes(MARKER)) {
    throw new Error(
      trans.__('model_view.js has no %1 marker: not a BertViz model view script', MARKER)
    );
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
      loaderScripts(scripts) +
        rootMarkup(params) +
        '\n' +
        inlineScript(fillHeadView(scripts.view, params)),
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
  const filters = neuronFilters().filter(([key]) => key in params.attention);
  const markup =
    `<div id="${escapeHtml(params.root_div_id)}">` +
    `<span class="dlviz-controls"><span class="dropdown-label">${escapeHtml(trans.__('Layer:'))} </span>` +
    '<select id="layer"></select>' +
    `<span class="dropdown-label">${escapeHtml(trans.__('Head:'))} </span><select id="att_head"></select>` +
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
export function availableKinds(payload: { [key: string]: unknown }): AttentionViewKind[] {
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
