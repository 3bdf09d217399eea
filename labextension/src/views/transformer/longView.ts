/**
 * The attention of a long input (more than LONG_INPUT_TOKENS tokens): the server sends a stub,
 * and this view fetches one layer at a time when the learner picks it (`?index=layer`, float16).
 * It draws the plain attention matrix of one head on a canvas, and the strongest links only,
 * above a threshold the learner sees and moves (N² lines would be unreadable and slow).
 */
import { NDArray } from '../../api/arrays';
import { SliceSource } from '../../api/slices';
import { defaultThreshold, robustLimit, strongestLinks } from './transformerLogic';
import { prettifyTokens } from './bertviz';
import { el, heatmap, svgEl } from '../shared/draw';
import { trans } from '../../i18n';

const MAX_LINKS = 400;
const ROW = 14;

export interface ILongAttention {
  tokens: string[];
  /** Entries along axis 0 = layers, each [heads, N, N]. */
  layers: SliceSource;
  numHeads: number;
}

/** Draws the long-input view into `container`; resolves once the first layer is drawn. */
export async function renderLongAttention(
  container: HTMLElement,
  data: ILongAttention
): Promise<void> {
  const tokens = prettifyTokens(data.tokens);
  const n = tokens.length;
  let layer = 0;
  let head = 0;
  let threshold = defaultThreshold(n);
  let current: NDArray | null = null;

  const select = (label: string, count: number, testId: string) => {
    const s = el('select');
    s.dataset.testid = testId;
    s.setAttribute('aria-label', label);
    for (let i = 0; i < count; i++) {
      const option = el('option', undefined, String(i));
      option.value = String(i);
      s.appendChild(option);
    }
    return s;
  };
  const layerSelect = select(trans.__('Layer'), data.layers.length, 'dlviz-long-layer');
  const headSelect = select(trans.__('Head'), data.numHeads, 'dlviz-long-head');
  const slider = el('input');
  slider.type = 'range';
  slider.min = '0.01';
  slider.max = '0.9';
  slider.step = '0.01';
  slider.value = String(threshold);
  slider.dataset.testid = 'dlviz-long-threshold';
  slider.setAttribute('aria-label', trans.__('Threshold'));
  const thresholdLabel = el('span', 'dlviz-long-threshold-label');
  thresholdLabel.dataset.testid = 'dlviz-long-threshold-label';
  const status = el('div', 'dlviz-long-status');
  status.dataset.testid = 'dlviz-long-status';
  const controls = el(
    'div',
    'dlviz-steps-controls',
    undefined,
    el('label', undefined, trans.__('Layer') + ' ', layerSelect),
    el('label', undefined, trans.__('Head') + ' ', headSelect),
    el(
      'label',
      'dlviz-epoch-row',
      undefined,
      el('span', undefined, trans.__('Show links of at least') + ' '),
      slider,
      thresholdLabel
    )
  );
  const matrixHost = el('figure', 'dlviz-step-figure');
  const linksHost = el('figure', 'dlviz-step-figure');
  const figures = el('div', 'dlviz-step-figures', undefined, matrixHost, linksHost);

  const draw = () => {
    if (!current) {
      return;
    }
    const matrix = current.slice(head).data;
    const cell = Math.max(1, Math.floor(560 / n));
    // Most weights of a long row are tiny: the colours stretch over the bulk, not up to 1.
    const canvas = heatmap(matrix, n, n, {
      cell,
      mode: 'sequential',
      range: [0, Math.max(robustLimit(matrix, 0.99), 0.02)]
    });
    canvas.dataset.testid = 'dlviz-long-matrix';
    canvas.style.imageRendering = 'pixelated';
    const readout = el(
      'div',
      'dlviz-matrix-readout',
      trans.__('Point at a cell: which token (row) looks at which (column).')
    );
    canvas.onmousemove = event => {
      const rect = canvas.getBoundingClientRect();
      const j = Math.floor(((event.clientX - rect.left) / rect.width) * n);
      const i = Math.floor(((event.clientY - rect.top) / rect.height) * n);
      if (i >= 0 && i < n && j >= 0 && j < n) {
        readout.textContent = `"${tokens[i]}" (${i}) → "${tokens[j]}" (${j}): ${matrix[i * n + j].toFixed(3)}`;
      }
    };
    const caption = trans.__('Attention matrix, layer %1, head %2 [%3 × %3]', layer, head, n);
    matrixHost.replaceChildren(el('figcaption', undefined, caption), canvas, readout);

    const links = strongestLinks(matrix, n, threshold, MAX_LINKS);
    const count = `${links.length}${links.length === MAX_LINKS ? '+' : ''}`;
    thresholdLabel.textContent = trans.__('%1 (%2 links)', threshold.toFixed(2), count);
    const width = 420;
    const svg = svgEl('svg', { class: 'dlviz-long-links', width, height: n * ROW + 10 });
    svg.setAttribute('data-testid', 'dlviz-long-links');
    const nodes: SVGElement[] = [];
    for (const link of links) {
      nodes.push(
        svgEl('line', {
          x1: 150,
          y1: link.from * ROW + 10,
          x2: 270,
          y2: link.to * ROW + 10,
          stroke: 'var(--jp-brand-color1, #1976d2)',
          'stroke-opacity': Math.min(1, link.weight).toFixed(3),
          'stroke-width': 1.5
        })
      );
    }
    tokens.forEach((token, i) => {
      const left = svgEl('text', {
        x: 145,
        y: i * ROW + 14,
        'text-anchor': 'end',
        class: 'dlviz-long-token'
      });
      left.textContent = token;
      const right = svgEl('text', { x: 275, y: i * ROW + 14, class: 'dlviz-long-token' });
      right.textContent = token;
      nodes.push(left, right);
    });
    svg.replaceChildren(...nodes);
    linksHost.replaceChildren(
      el(
        'figcaption',
        undefined,
        trans.__(
          'Links of at least %1: weaker ones are hidden (at most %2).',
          threshold.toFixed(2),
          MAX_LINKS
        )
      ),
      svg
    );
  };

  const load = async (index: number) => {
    status.textContent = trans.__('Fetching layer %1 from the server…', index);
    const array = await data.layers.get(index);
    if (index !== layer) {
      return;
    }
    current = array;
    status.textContent = data.layers.remote
      ? trans.__(
          '%1 tokens: one layer at a time (%2 of %3 layers fetched so far).',
          n,
          data.layers.fetches,
          data.layers.length
        )
      : trans.__(
          '%1 tokens: one layer at a time (%2 of %3 layers fetched so far, all were inline).',
          n,
          data.layers.fetches,
          data.layers.length
        );
    draw();
  };
  layerSelect.onchange = () => {
    layer = Number(layerSelect.value);
    void load(layer).catch(
      error =>
        (status.textContent = trans.__(
          'Cannot fetch layer %1: %2',
          layer,
          (error as Error).message
        ))
    );
  };
  headSelect.onchange = () => {
    head = Number(headSelect.value);
    draw();
  };
  slider.oninput = () => {
    threshold = Number(slider.value);
    draw();
  };
  container.replaceChildren(controls, status, figures);
  await load(0);
}
