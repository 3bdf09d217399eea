/**
 * The explorer's Feature maps section: what every layer makes of the input, one small map per
 * filter; a click shows a map larger, with its numbers and the filter that made it.
 */
import { trans } from '../../i18n';
import { maxAbs } from '../shared/colors';
import { el, heatmap } from '../shared/draw';
import { cellSize } from './cnnLogic';
import { CnnInspected } from './cnnResult';
import { filterTile } from './filtersSection';

export class FeatureMapsSection {
  readonly node: HTMLElement;
  /** The map shown large: it stays open across epochs and inputs. */
  private _detail: { layer: number; channel: number } | null = null;

  constructor() {
    this.node = el('div', 'dlviz-feature-maps');
    this.node.setAttribute('data-testid', 'dlviz-feature-maps');
    this.node.setAttribute('data-updated', '0');
  }

  render(result: CnnInspected): void {
    const activations = result.activations ?? [];
    this.node.replaceChildren();
    activations.forEach((activation, layerIndex) => {
      const maps = activation.maps;
      const [channels, h, w] = maps.shape;
      const area = h * w;
      // One scale per layer, so the maps of a layer compare; signed layers get the diverging map.
      let negative = false;
      for (let i = 0; i < maps.size; i++) {
        if (maps.data[i] < 0) {
          negative = true;
          break;
        }
      }
      const limit = maxAbs(maps.data);
      const row = el('div', 'dlviz-map-row');
      const shown = Math.min(channels, 64);
      for (let c = 0; c < shown; c++) {
        const values = maps.data.subarray(c * area, (c + 1) * area);
        const canvas = heatmap(values, h, w, {
          cell: cellSize(w),
          mode: negative ? 'diverging' : 'sequential',
          limit,
          range: [0, limit || 1],
          title: trans.__('%1, map %2', activation.name, c)
        });
        canvas.tabIndex = 0;
        canvas.onclick = () => {
          this._detail = { layer: layerIndex, channel: c };
          this._renderDetail(result, detailBox);
        };
        row.appendChild(canvas);
      }
      const detailBox = el('div', 'dlviz-map-detail');
      const title = el(
        'div',
        'dlviz-map-title',
        undefined,
        el('strong', undefined, activation.name),
        el(
          'span',
          'dlviz-muted',
          ' ' +
            (shown < channels
              ? trans.__(
                  '%1 · %2 maps of %3×%4 (first %5 shown)',
                  activation.type,
                  channels,
                  h,
                  w,
                  shown
                )
              : trans.__('%1 · %2 maps of %3×%4', activation.type, channels, h, w))
        )
      );
      this.node.appendChild(el('div', 'dlviz-map-layer', undefined, title, row, detailBox));
      if (this._detail && this._detail.layer === layerIndex) {
        this._renderDetail(result, detailBox);
      }
    });
    if (!activations.length) {
      this.node.appendChild(el('p', 'dlviz-muted', trans.__('No feature maps in this result.')));
    }
  }

  /** A feature map, large, with its values and (for a conv layer) the filter that made it. */
  private _renderDetail(result: CnnInspected, box: HTMLElement): void {
    const detail = this._detail;
    box.replaceChildren();
    if (!detail) {
      return;
    }
    const activation = result.activations?.[detail.layer];
    if (!activation || detail.channel >= activation.maps.shape[0]) {
      return;
    }
    const [, h, w] = activation.maps.shape;
    const values = activation.maps.data.subarray(
      detail.channel * h * w,
      (detail.channel + 1) * h * w
    );
    const limit = maxAbs(activation.maps.data);
    const negative = Array.prototype.some.call(activation.maps.data, (v: number) => v < 0);
    const big = heatmap(values, h, w, {
      cell: cellSize(w, 160),
      mode: negative ? 'diverging' : 'sequential',
      limit,
      range: [0, limit || 1]
    });
    const table = el('table', 'dlviz-numbers');
    if (w <= 16) {
      for (let y = 0; y < h; y++) {
        const tr = el('tr');
        for (let x = 0; x < w; x++) {
          tr.appendChild(el('td', undefined, values[y * w + x].toFixed(2)));
        }
        table.appendChild(tr);
      }
    }
    const parts: Node[] = [
      el(
        'figure',
        'dlviz-figure',
        undefined,
        big,
        el('figcaption', undefined, trans.__('%1, map %2', activation.name, detail.channel))
      ),
      table
    ];
    const conv = (result.layers ?? []).find(l => l.name === activation.name);
    if (conv && conv.filters) {
      const [, inC, kh, kw] = conv.filters.shape;
      const weights = conv.filters.data.subarray(
        detail.channel * inC * kh * kw,
        (detail.channel + 1) * inC * kh * kw
      );
      parts.push(
        el(
          'figure',
          'dlviz-figure',
          undefined,
          filterTile(weights, inC, kh, kw, maxAbs(conv.filters.data), 12),
          el(
            'figcaption',
            undefined,
            inC > 1
              ? trans.__('the filter that made it (%1 input channels of %2×%3)', inC, kh, kw)
              : trans.__('the filter that made it (%1 input channel of %2×%3)', inC, kh, kw)
          )
        )
      );
    }
    const close = el('button', 'jp-Button jp-mod-styled jp-mod-minimal', trans.__('Close'));
    close.onclick = () => {
      this._detail = null;
      box.replaceChildren();
    };
    parts.push(close);
    box.replaceChildren(...parts);
  }
}
