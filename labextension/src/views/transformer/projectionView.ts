/**
 * Token vectors projected to 2-D per layer (a `transformer.projection` result, or the
 * snapshots of a `transformer.train` run): an SVG scatter, coloured by sentence, labelled, with a
 * layer slider (and the caller's epoch slider for a trained run).
 */
import { NDArray } from '../../api/arrays';
import { prettifyTokens } from './bertviz';
import { el, svgEl } from '../shared/draw';
import { scatterScale, sentenceColor } from './transformerLogic';
import { trans } from '../../i18n';

export interface IProjectionData {
  tokens: string[];
  sentence: number[];
  /** Names of the L+1 layers ("embeddings", "layer 1", ...). */
  layers: string[];
  /** [L+1, N, 2]. */
  coordinates: NDArray;
  /** [[share1, share2] x (L+1)]. */
  explainedVariance?: number[][] | null;
}

const WIDTH = 640;
const HEIGHT = 460;

/** Draws the scatter into `container`; returns a function that shows another layer. */
export function renderProjection(
  container: HTMLElement,
  data: IProjectionData,
  initialLayer?: number
): (layer: number) => void {
  const tokens = prettifyTokens(data.tokens);
  const count = data.coordinates.shape[0];
  let layer = Math.min(Math.max(initialLayer ?? count - 1, 0), count - 1);
  const slider = el('input', 'dlviz-projection-layer');
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(count - 1);
  slider.step = '1';
  slider.value = String(layer);
  slider.dataset.testid = 'dlviz-projection-layer';
  slider.setAttribute('aria-label', trans.__('Layer'));
  const label = el('span', 'dlviz-projection-label');
  const svg = svgEl('svg', {
    class: 'dlviz-projection',
    width: WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img'
  });
  svg.setAttribute('data-testid', 'dlviz-projection');
  const legend = el('div', 'dlviz-projection-legend');
  const names: [number, string][] = [
    [0, trans.__('sentence A')],
    [1, trans.__('sentence B')],
    [-1, trans.__('special token')]
  ];
  for (const [s, name] of names) {
    if (data.sentence.includes(s)) {
      const swatch = el('span', 'dlviz-swatch');
      swatch.style.background = sentenceColor(s);
      legend.appendChild(
        el('span', 'dlviz-legend-item', undefined, swatch, document.createTextNode(name))
      );
    }
  }
  const draw = () => {
    const points = data.coordinates.slice(layer).data;
    const scale = scatterScale(points, WIDTH, HEIGHT, 40);
    const share = data.explainedVariance?.[layer];
    const name = data.layers[layer] ?? trans.__('layer %1', layer);
    label.textContent = share
      ? trans.__(
          '%1 — the two axes keep %2% of the spread of the token vectors',
          name,
          Math.round(100 * (share[0] + share[1]))
        )
      : name;
    const nodes: SVGElement[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const x = scale.x(points[2 * i]);
      const y = scale.y(points[2 * i + 1]);
      const color = sentenceColor(data.sentence[i] ?? -1);
      const circle = svgEl('circle', {
        class: 'dlviz-point',
        cx: x.toFixed(1),
        cy: y.toFixed(1),
        r: 5,
        fill: color
      });
      const title = svgEl('title');
      title.textContent = `${tokens[i]} (${points[2 * i].toFixed(2)}, ${points[2 * i + 1].toFixed(2)})`;
      circle.appendChild(title);
      const text = svgEl('text', {
        class: 'dlviz-point-label',
        x: (x + 7).toFixed(1),
        y: (y + 4).toFixed(1),
        fill: color
      });
      text.textContent = tokens[i];
      nodes.push(circle, text);
    }
    svg.replaceChildren(...nodes);
  };
  slider.oninput = () => {
    layer = Number(slider.value);
    draw();
  };
  draw();
  container.replaceChildren(
    el(
      'div',
      'dlviz-projection-controls',
      undefined,
      el(
        'label',
        'dlviz-epoch-row',
        undefined,
        el('span', undefined, trans.__('Layer') + ' '),
        slider,
        label
      )
    ),
    legend,
    svg
  );
  return (next: number) => {
    layer = Math.min(Math.max(next, 0), count - 1);
    slider.value = String(layer);
    draw();
  };
}
