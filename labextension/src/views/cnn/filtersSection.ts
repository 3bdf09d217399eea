/**
 * The explorer's Filters section: the weights of every filter of every conv layer, red for
 * positive and blue for negative, at the epoch the slider shows.
 */
import { trans } from '../../i18n';
import { divergingColor, maxAbs } from '../shared/colors';
import { el, heatmap } from '../shared/draw';
import { CnnInspected } from './cnnResult';

/** One conv layer's filters: `[out, in, kh, kw]` weights flat, and its colour limit. */
export interface IFilterLayer {
  name: string;
  weights: Float32Array;
  shape: number[];
  limit: number;
}

/** The filters of an inspect result's conv layers, each layer on its own colour scale. */
export function filterLayersOf(result: CnnInspected): IFilterLayer[] {
  return (result.layers ?? []).map(layer => ({
    name: layer.name,
    weights: layer.filters.data as Float32Array,
    shape: layer.filters.shape,
    limit: maxAbs(layer.filters.data)
  }));
}

/** Every filter of every layer as a small tile, and the key of the colour map. */
export function renderFilters(box: HTMLElement, layers: IFilterLayer[]): void {
  box.replaceChildren();
  for (const layer of layers) {
    const [out, inC, kh, kw] = layer.shape;
    const grid = el('div', 'dlviz-filter-grid');
    const size = inC * kh * kw;
    const cell = Math.max(3, Math.round(56 / (Math.ceil(Math.sqrt(inC)) * (kw + 1))));
    for (let f = 0; f < out; f++) {
      const tile = filterTile(
        layer.weights.subarray(f * size, (f + 1) * size),
        inC,
        kh,
        kw,
        layer.limit,
        cell
      );
      tile.title = trans.__('%1, filter %2', layer.name, f);
      grid.appendChild(tile);
    }
    box.appendChild(
      el(
        'div',
        'dlviz-map-layer',
        undefined,
        el(
          'div',
          'dlviz-map-title',
          undefined,
          el('strong', undefined, layer.name),
          el(
            'span',
            'dlviz-muted',
            ' ' +
              trans.__(
                '%1 filters, each %2 × %3×%4 weights; colour scale ±%5',
                out,
                inC,
                kh,
                kw,
                layer.limit.toPrecision(2)
              )
          )
        ),
        grid
      )
    );
  }
  box.appendChild(colorKey());
}

/** One filter: its input channels as kh x kw tiles in a square grid, diverging colours. */
export function filterTile(
  weights: ArrayLike<number>,
  inC: number,
  kh: number,
  kw: number,
  limit: number,
  cell: number
): HTMLCanvasElement {
  const cols = Math.ceil(Math.sqrt(inC));
  const rows = Math.ceil(inC / cols);
  const width = cols * (kw + 1) - 1;
  const height = rows * (kh + 1) - 1;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * cell}px`;
  canvas.style.height = `${height * cell}px`;
  canvas.className = 'dlviz-heatmap dlviz-filter';
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return canvas;
  }
  const image = context.createImageData(width, height); // gaps stay transparent
  for (let c = 0; c < inC; c++) {
    const ox = (c % cols) * (kw + 1);
    const oy = Math.floor(c / cols) * (kh + 1);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const [r, g, b] = divergingColor(weights[(c * kh + y) * kw + x], limit);
        const p = 4 * ((oy + y) * width + ox + x);
        image.data[p] = r;
        image.data[p + 1] = g;
        image.data[p + 2] = b;
        image.data[p + 3] = 255;
      }
    }
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** The key of the diverging colour map. */
function colorKey(): HTMLElement {
  const values = Array.from({ length: 41 }, (_, i) => i / 20 - 1);
  const canvas = heatmap(values, 1, values.length, { mode: 'diverging', limit: 1, cell: 4 });
  canvas.style.height = '10px';
  return el(
    'div',
    'dlviz-color-key',
    undefined,
    el('span', undefined, trans.__('negative')),
    canvas,
    el('span', undefined, trans.__('positive'))
  );
}
