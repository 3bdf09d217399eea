/** `show.filters`: a conv layer's filters (the model's weights) and one image's feature maps. */
import { trans } from '../../i18n';
import { decodeArray, isEncodedArray, NDArray } from '../../api/arrays';
import { el, heatmap } from '../shared/draw';
import { maxAbs } from '../shared/colors';
import { header } from './canvas';
import { cellSize, kernelOf, mosaic } from './outputLogic';

/** About how wide each mosaic is drawn, in pixels. */
export const MOSAIC_WIDTH = 480;

export function renderFilters(payload: { [key: string]: any }, node: HTMLElement): void {
  if (!isEncodedArray(payload.filters)) {
    throw new Error(trans.__('the output holds no filters'));
  }
  const filters = decodeArray(payload.filters);
  const [count, channels, kh, kw] = filters.shape;
  const facts = trans.__(
    '%1, layer %2: %3 filters of %4 x %5 x %6',
    String(payload.model ?? trans.__('model')),
    String(payload.layer),
    Number(payload.out_channels ?? count),
    Number(payload.in_channels ?? channels),
    kh,
    kw
  );
  const parts: HTMLElement[] = [
    header(payload.filters_cut ? trans.__('%1 (the first ones shown)', facts) : facts)
  ];
  parts.push(
    el(
      'div',
      'dlviz-view-explanation',
      channels > 1
        ? trans.__(
            'Filters: one row per filter, one kernel per input channel (blue negative, red positive weights).'
          )
        : trans.__('Filters: one kernel each (blue negative, red positive weights).')
    ),
    filterMosaic(filters)
  );
  if (isEncodedArray(payload.feature_maps)) {
    const row = el('div', 'dlviz-filter-grid');
    if (isEncodedArray(payload.image)) {
      const image = decodeArray(payload.image);
      const [, h, w] = image.shape;
      const first = image.data.subarray(0, h * w);
      const input = heatmap(first, h, w, {
        cell: cellSize(w, 112, 1, 6),
        mode: 'sequential',
        title: trans.__('Input image')
      });
      input.classList.add('dlviz-output-image');
      row.appendChild(input);
    }
    row.appendChild(mapMosaic(decodeArray(payload.feature_maps)));
    parts.push(
      el(
        'div',
        'dlviz-view-explanation',
        trans.__(
          "The image and this layer's feature maps for it, one per filter (bright: strong response)."
        )
      ),
      row
    );
  }
  node.replaceChildren(...parts);
}

function filterMosaic(filters: NDArray): HTMLCanvasElement {
  const [count, channels, kh, kw] = filters.shape;
  const tiles: Float32Array[] = [];
  for (let o = 0; o < count; o++) {
    for (let c = 0; c < channels; c++) {
      tiles.push(kernelOf(filters.data, filters.shape, o, c));
    }
  }
  const columns = channels > 1 ? channels : Math.min(count, 16);
  const { values, height, width } = mosaic(tiles, kh, kw, columns);
  const canvas = heatmap(values, height, width, {
    cell: cellSize(width, MOSAIC_WIDTH, 1, 12),
    mode: 'diverging',
    limit: maxAbs(filters.data),
    title: trans.__('Filters')
  });
  canvas.classList.add('dlviz-output-filters');
  return canvas;
}

function mapMosaic(maps: NDArray): HTMLCanvasElement {
  const [count, h, w] = maps.shape;
  const tiles = Array.from({ length: count }, (_, k) =>
    maps.data.subarray(k * h * w, (k + 1) * h * w)
  );
  const { values, height, width } = mosaic(tiles, h, w, Math.min(count, 8));
  const canvas = heatmap(values, height, width, {
    cell: cellSize(width, MOSAIC_WIDTH, 1, 8),
    mode: 'sequential',
    title: trans.__('Feature maps')
  });
  canvas.classList.add('dlviz-output-maps');
  return canvas;
}
