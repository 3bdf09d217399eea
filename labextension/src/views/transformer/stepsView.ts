/**
 * Attention step by step (a `transformer.steps` result): every matrix the head computes, with the
 * model's own numbers, as labelled heatmaps (numbers in the cells when the matrix is small, the
 * value under the pointer otherwise) and the formula beside each one.
 */
import { decodeArray, isEncodedArray, NDArray } from '../../api/arrays';
import { prettifyTokens } from './bertviz';
import { el, heatmap } from '../shared/draw';
import { cellShape, finiteRange, formatValue, robustLimit, showNumbers, transpose } from './transformerLogic';
import { divergingColor, sequentialColor } from '../shared/colors';

export interface IStepsPick {
  layer: number;
  head: number;
  token: number;
}

interface IMatrixOptions {
  rowLabels?: string[];
  colLabels?: string[];
  mode?: 'diverging' | 'sequential';
  highlightRow?: number | null;
  range?: [number, number];
}

function arr(value: unknown): NDArray | null {
  return isEncodedArray(value) ? decodeArray(value) : null;
}

function cssColor(rgb: [number, number, number]): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

/** One matrix: a table with numbers for small ones, a canvas with a hover read-out for large ones. */
export function matrixView(values: ArrayLike<number>, rows: number, cols: number, options: IMatrixOptions = {}): HTMLElement {
  const mode = options.mode ?? 'diverging';
  const [lo, hi] = options.range ?? finiteRange(values);
  const limit = robustLimit(values);
  const color = (v: number): string =>
    !Number.isFinite(v)
      ? 'var(--jp-layout-color3, #999)'
      : cssColor(mode === 'diverging' ? divergingColor(v, limit) : sequentialColor(v, lo, hi));
  const box = el('div', 'dlviz-matrix');
  box.dataset.rows = String(rows);
  box.dataset.cols = String(cols);
  if (showNumbers(rows, cols)) {
    const table = el('table', 'dlviz-matrix-table');
    if (options.colLabels) {
      const head = el('tr');
      head.appendChild(el('th'));
      for (const label of options.colLabels) {
        head.appendChild(el('th', 'dlviz-col-label', label));
      }
      table.appendChild(head);
    }
    for (let i = 0; i < rows; i++) {
      const tr = el('tr', i === options.highlightRow ? 'dlviz-row-highlight' : undefined);
      tr.appendChild(el('th', 'dlviz-row-label', options.rowLabels?.[i] ?? String(i)));
      for (let j = 0; j < cols; j++) {
        const v = values[i * cols + j];
        const td = el('td', 'dlviz-cell', formatValue(v));
        td.style.background = color(v);
        td.title = `${options.rowLabels?.[i] ?? i} · ${options.colLabels?.[j] ?? j}: ${v}`;
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
  }
  const [cellW, cell] = cellShape(rows, cols);
  const finite = Float32Array.from({ length: rows * cols }, (_, k) => (Number.isFinite(values[k]) ? values[k] : lo));
  const canvas = heatmap(finite, rows, cols, {
    cell: cellW,
    mode,
    limit: mode === 'diverging' ? limit : undefined,
    range: mode === 'sequential' ? [lo, hi] : undefined
  });
  canvas.style.height = `${rows * cell}px`;
  canvas.style.imageRendering = 'pixelated';
  const readout = el('div', 'dlviz-matrix-readout', 'Point at a cell to read its value.');
  canvas.onmousemove = event => {
    const rect = canvas.getBoundingClientRect();
    const j = Math.floor(((event.clientX - rect.left) / rect.width) * cols);
    const i = Math.floor(((event.clientY - rect.top) / rect.height) * rows);
    if (i >= 0 && i < rows && j >= 0 && j < cols) {
      readout.textContent = `${options.rowLabels?.[i] ?? `row ${i}`}, ${options.colLabels?.[j] ?? `column ${j}`}: ${formatValue(values[i * cols + j])}`;
    }
  };
  const grid = el('div', 'dlviz-matrix-grid');
  if (options.rowLabels && cell >= 10) {
    const labels = el('div', 'dlviz-matrix-rows');
    options.rowLabels.forEach((label, i) => {
      const item = el('div', i === options.highlightRow ? 'dlviz-row-label dlviz-row-highlight' : 'dlviz-row-label', label);
      item.style.height = `${cell}px`;
      item.style.lineHeight = `${cell}px`;
      labels.appendChild(item);
    });
    grid.appendChild(labels);
  }
  grid.appendChild(canvas);
  box.append(grid, readout);
  return box;
}

/** One step: title, formula, explanation and its matrices. */
function step(testId: string, title: string, formula: string, explanation: string, ...matrices: HTMLElement[]): HTMLElement {
  const section = el('section', 'dlviz-step');
  section.dataset.step = testId;
  const text = el(
    'div',
    'dlviz-step-text',
    undefined,
    el('h4', 'dlviz-step-title', title),
    el('div', 'dlviz-formula', formula),
    el('p', 'dlviz-step-explanation', explanation)
  );
  const figures = el('div', 'dlviz-step-figures');
  for (const m of matrices) {
    figures.appendChild(m);
  }
  section.append(text, figures);
  return section;
}

function captioned(caption: string, matrix: HTMLElement): HTMLElement {
  return el('figure', 'dlviz-step-figure', undefined, el('figcaption', undefined, caption), matrix);
}

/** The whole step-by-step view of one result; `onPick` asks for another layer or head (a new run). */
export function renderSteps(
  container: HTMLElement,
  result: { [key: string]: any },
  onPick: (pick: IStepsPick) => void
): void {
  const tokens = prettifyTokens(result.tokens as string[]);
  const n = tokens.length;
  const d = Number(result.head_dim);
  const D = Number(result.hidden_size);
  const layer = Number(result.layer);
  const head = Number(result.head);
  let token = Number(result.token);

  const controls = el('div', 'dlviz-steps-controls');
  const picker = (label: string, count: number, value: number, names?: string[]) => {
    const select = el('select', 'dlviz-steps-pick');
    select.setAttribute('aria-label', label);
    select.dataset.testid = `dlviz-steps-${label.toLowerCase()}`;
    for (let i = 0; i < count; i++) {
      const option = el('option', undefined, names ? `${i}: ${names[i]}` : String(i));
      option.value = String(i);
      select.appendChild(option);
    }
    select.value = String(value);
    controls.appendChild(el('label', 'dlviz-steps-label', `${label} `, select));
    return select;
  };
  const layerSelect = picker('Layer', Number(result.num_layers), layer);
  const headSelect = picker('Head', Number(result.num_heads), head);
  const tokenSelect = picker('Token', n, token, tokens);
  const ask = () =>
    onPick({ layer: Number(layerSelect.value), head: Number(headSelect.value), token: Number(tokenSelect.value) });
  layerSelect.onchange = ask;
  headSelect.onchange = ask;

  const body = el('div', 'dlviz-steps');
  const draw = () => {
    const chosen = tokens[token];
    const sections: HTMLElement[] = [];
    const emb = result.embeddings ?? {};
    const parts: HTMLElement[] = [];
    for (const [key, caption] of [
      ['token', 'token embedding'],
      ['position', 'position embedding'],
      ['token_type', 'sentence (type) embedding'],
      ['sum', 'sum'],
      ['output', emb.layer_norm ? 'after LayerNorm (what layer 0 reads)' : 'what layer 0 reads']
    ] as [string, string][]) {
      const a = arr(emb[key]);
      if (a) {
        parts.push(captioned(`${caption} [${a.shape.join(' × ')}]`, matrixView(a.data, a.shape[0], a.shape[1], { rowLabels: tokens, highlightRow: token })));
      }
    }
    sections.push(
      step(
        'embeddings',
        '1. Embeddings',
        `e = token + position${arr(emb.token_type) ? ' + sentence' : ''}${emb.layer_norm ? ', then LayerNorm' : ''}`,
        `Each token becomes ${D} numbers: one row per token, one column per dimension (blue negative, red positive).`,
        ...parts
      )
    );
    const x = arr(result.x);
    if (x) {
      sections.push(
        step('x', `2. X: the input of layer ${layer}`, `X [${n} × ${D}]`, 'The vectors this layer starts from: the embeddings for layer 0, the previous layer\'s output after.',
          matrixView(x.data, n, D, { rowLabels: tokens, highlightRow: token }))
      );
    }
    const w = result.weights ?? {};
    const wParts: HTMLElement[] = [];
    for (const key of ['query', 'key', 'value']) {
      const a = arr(w[key]);
      if (a) {
        // Shown transposed (d × D) so the three fit side by side.
        wParts.push(captioned(`W${key[0]}ᵀ [${a.shape[1]} × ${a.shape[0]}]`, matrixView(transpose(a.data, a.shape[0], a.shape[1]), a.shape[1], a.shape[0])));
      }
    }
    sections.push(
      step('weights', `3. Weights of head ${head}`, 'Wq, Wk, Wv: this head\'s slices [D × d]', `Learned matrices that turn each ${D}-number vector into a query, a key and a value of ${d} numbers.`, ...wParts)
    );
    const qkv: HTMLElement[] = [];
    for (const key of ['q', 'k', 'v']) {
      const a = arr(result[key]);
      if (a) {
        qkv.push(captioned(`${key.toUpperCase()} [${n} × ${d}]`, matrixView(a.data, n, d, { rowLabels: tokens, highlightRow: key === 'q' ? token : null })));
      }
    }
    sections.push(
      step('qkv', '4. Queries, keys, values', 'Q = X·Wq + bq    K = X·Wk + bk    V = X·Wv + bv', `Row "${chosen}" of Q is what this token looks for; each row of K is what a token offers; V is what it passes on.`, ...qkv)
    );
    const scores = arr(result.scores);
    if (scores) {
      sections.push(
        step('scores', '5. Scores', `scores = Q·Kᵀ × ${formatValue(Number(result.scale))}   (= 1/√${d})`, `How well each query matches each key. Row "${chosen}" holds its scores against every token.`,
          matrixView(scores.data, n, n, { rowLabels: tokens, colLabels: tokens, highlightRow: token }))
      );
    }
    const mask = arr(result.mask);
    if (mask) {
      sections.push(
        step('mask', '6. Mask', result.causal ? 'mask[i, j] = 1 when j ≤ i (causal)' : 'mask[i, j] = 1 for every real token', 'Where the mask is 0 the score becomes −∞, so that token gets no attention.',
          matrixView(mask.data, n, n, { rowLabels: tokens, colLabels: tokens, mode: 'sequential', range: [0, 1], highlightRow: token }))
      );
    }
    const attention = arr(result.attention);
    if (attention) {
      const row = Array.from(attention.data.subarray(token * n, (token + 1) * n) as ArrayLike<number>);
      const best = row.indexOf(Math.max(...row));
      sections.push(
        step('softmax', '7. Softmax', 'attention[i, j] = exp(s[i, j]) / Σₖ exp(s[i, k])   (s = masked scores)', `Each row now sums to 1. "${chosen}" gives most attention to "${tokens[best]}" (${formatValue(row[best])}).`,
          matrixView(attention.data, n, n, { rowLabels: tokens, colLabels: tokens, mode: 'sequential', range: [0, 1], highlightRow: token }))
      );
    }
    const output = arr(result.output);
    if (output) {
      sections.push(
        step('output', '8. Weighted sum of the values', 'output = attention · V', `Row "${chosen}" mixes the value rows with its attention weights: this head's ${d} numbers for the token.`,
          matrixView(output.data, n, d, { rowLabels: tokens, highlightRow: token }))
      );
    }
    body.replaceChildren(...sections);
  };
  // Every row is in the result: another token needs no new run.
  tokenSelect.onchange = () => {
    token = Number(tokenSelect.value);
    draw();
  };
  draw();
  container.replaceChildren(controls, body);
}
