/**
 * Small DOM helpers of every family's views: element builders, heat maps on
 * canvases and SVG line charts. Plain canvas and SVG, colours from the theme's CSS variables.
 */
import { trans } from '../../i18n';
import { gapPath, linePath, linearScale, niceTicks, seriesDomain } from './chartLogic';
import { divergingColor, maxAbs, RGB, sequentialColor, valueRange } from './colors';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element with a class, optional text and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
  ...children: (Node | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  for (const child of children) {
    if (child) {
      node.appendChild(child);
    }
  }
  return node;
}

/** An SVG element with attributes. */
export function svgEl(tag: string, attrs: { [key: string]: string | number } = {}): SVGElement {
  const node = document.createElementNS(SVG_NS, tag) as SVGElement;
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

export type ColorMode = 'diverging' | 'sequential';

export interface IHeatmapOptions {
  /** Pixels per value. */
  cell?: number;
  mode?: ColorMode;
  /** Diverging: the symmetric limit; sequential: [low, high]. Default: the values' own. */
  limit?: number;
  range?: [number, number];
  title?: string;
  className?: string;
}

/** A canvas that shows `values` (height x width, row-major) as coloured cells. */
export function heatmap(
  values: ArrayLike<number>,
  height: number,
  width: number,
  options: IHeatmapOptions = {}
): HTMLCanvasElement {
  const cell = Math.max(1, Math.round(options.cell ?? 4));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * cell}px`;
  canvas.style.height = `${height * cell}px`;
  canvas.className = 'dlviz-heatmap' + (options.className ? ` ${options.className}` : '');
  if (options.title) {
    canvas.title = options.title;
  }
  paintHeatmap(canvas, values, height, width, options);
  return canvas;
}

/** Paint values into a canvas of `width` x `height` device pixels (one pixel per value). */
export function paintHeatmap(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  height: number,
  width: number,
  options: IHeatmapOptions = {}
): void {
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return; // jsdom and very old browsers: nothing to paint on
  }
  const image = context.createImageData(width, height);
  const color = colorFunction(values, options);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = color(values[i]);
    image.data[4 * i] = r;
    image.data[4 * i + 1] = g;
    image.data[4 * i + 2] = b;
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

function colorFunction(values: ArrayLike<number>, options: IHeatmapOptions): (v: number) => RGB {
  if ((options.mode ?? 'sequential') === 'diverging') {
    const limit = options.limit ?? maxAbs(values);
    return v => divergingColor(v, limit);
  }
  const [low, high] = options.range ?? valueRange(values);
  return v => sequentialColor(v, low, high);
}

/** A grey image (input pixels) with an optional colour overlay (Grad-CAM, 0..1) blended on top. */
export function overlayImage(
  image: ArrayLike<number>,
  height: number,
  width: number,
  overlay: ArrayLike<number> | null,
  cell: number,
  alpha = 0.55
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * cell}px`;
  canvas.style.height = `${height * cell}px`;
  canvas.className = 'dlviz-heatmap';
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return canvas;
  }
  const [lo, hi] = valueRange(image);
  const [olo, ohi] = overlay ? valueRange(overlay) : [0, 1];
  const data = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const grey = hi > lo ? ((image[i] - lo) / (hi - lo)) * 255 : 0;
    let rgb: RGB = [grey, grey, grey];
    if (overlay) {
      const t = ohi > olo ? (overlay[i] - olo) / (ohi - olo) : 0;
      const heat = sequentialColor(t, 0, 1);
      // Stronger where the map is high, so the picture shows through where it is low.
      const a = alpha * t;
      rgb = [
        grey * (1 - a) + heat[0] * a,
        grey * (1 - a) + heat[1] * a,
        grey * (1 - a) + heat[2] * a
      ];
    }
    data.data[4 * i] = rgb[0];
    data.data[4 * i + 1] = rgb[1];
    data.data[4 * i + 2] = rgb[2];
    data.data[4 * i + 3] = 255;
  }
  context.putImageData(data, 0, 0);
  return canvas;
}

export interface ISeries {
  label: string;
  values: (number | null)[];
  /** A CSS colour, usually a theme variable. */
  color: string;
  dashed?: boolean;
}

export interface IChartOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Shade between these two series (by index in `series`): upper, lower. */
  gap?: [number, number];
  yLabel?: string;
  /** Fixed y-interval (accuracy: [0, 1]). */
  yDomain?: [number, number];
  /** x-interval: the epochs the run will have, so the chart does not jump while it grows. */
  xDomain?: [number, number];
  log?: boolean;
  percent?: boolean;
}

/** Draw a line chart into an existing SVG element (cleared first). */
export function drawChart(
  svg: SVGElement,
  xs: number[],
  series: ISeries[],
  options: IChartOptions = {}
): void {
  const width = options.width ?? 360;
  const height = options.height ?? 200;
  const margin = { left: 46, right: 10, top: 22, bottom: 30 };
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.replaceChildren();
  const transform = (v: number | null) =>
    v === null || !Number.isFinite(v) ? null : options.log ? (v > 0 ? Math.log10(v) : null) : v;
  const shown = series.map(s => s.values.map(transform));
  const yDomain = options.yDomain ?? seriesDomain(shown, !options.log);
  const xDomain: [number, number] = options.xDomain ?? [Math.min(1, ...xs), Math.max(1, ...xs)];
  const sx = linearScale(xDomain, [margin.left, width - margin.right]);
  const sy = linearScale(yDomain, [height - margin.bottom, margin.top]);

  if (options.title) {
    const title = svgEl('text', { x: margin.left, y: 14, class: 'dlviz-chart-title' });
    title.textContent = options.title;
    svg.appendChild(title);
  }
  // Axes and grid.
  let yTicks = niceTicks(yDomain[0], yDomain[1], 4);
  if (options.log && yDomain[1] - yDomain[0] >= 1) {
    // Powers of ten only: 0.01, 0.1, 1 read at a glance.
    yTicks = yTicks.filter(t => Number.isInteger(t));
  }
  for (const tick of yTicks) {
    const y = sy(tick);
    svg.appendChild(
      svgEl('line', {
        x1: margin.left,
        x2: width - margin.right,
        y1: y,
        y2: y,
        class: 'dlviz-chart-grid'
      })
    );
    const label = svgEl('text', {
      x: margin.left - 4,
      y: y + 3,
      class: 'dlviz-chart-tick',
      'text-anchor': 'end'
    });
    label.textContent = options.log
      ? formatTick(Math.pow(10, tick))
      : options.percent
        ? `${Math.round(tick * 100)}%`
        : formatTick(tick);
    svg.appendChild(label);
  }
  const xTicks = niceTicks(
    xDomain[0],
    xDomain[1],
    Math.min(8, Math.max(1, xDomain[1] - xDomain[0]))
  ).filter(t => Number.isInteger(t));
  for (const tick of xTicks) {
    const label = svgEl('text', {
      x: sx(tick),
      y: height - margin.bottom + 14,
      class: 'dlviz-chart-tick',
      'text-anchor': 'middle'
    });
    label.textContent = String(tick);
    svg.appendChild(label);
  }
  const axisLabel = svgEl('text', {
    x: width - margin.right,
    y: height - 4,
    class: 'dlviz-chart-tick',
    'text-anchor': 'end'
  });
  axisLabel.textContent = trans.__('epoch');
  svg.appendChild(axisLabel);
  svg.appendChild(
    svgEl('line', {
      x1: margin.left,
      x2: margin.left,
      y1: margin.top,
      y2: height - margin.bottom,
      class: 'dlviz-chart-axis'
    })
  );
  svg.appendChild(
    svgEl('line', {
      x1: margin.left,
      x2: width - margin.right,
      y1: height - margin.bottom,
      y2: height - margin.bottom,
      class: 'dlviz-chart-axis'
    })
  );
  if (options.gap) {
    const [upper, lower] = options.gap;
    const d = gapPath(xs, shown[upper] ?? [], shown[lower] ?? [], sx, sy);
    if (d) {
      const area = svgEl('path', { d, class: 'dlviz-chart-gap' });
      const title = svgEl('title');
      title.textContent = trans.__(
        'The gap between validation and training: the wider it grows, the more the model overfits.'
      );
      area.appendChild(title);
      svg.appendChild(area);
    }
  }
  shown.forEach((values, k) => {
    const s = series[k];
    const d = linePath(xs, values, sx, sy);
    if (d) {
      const path = svgEl('path', { d, class: 'dlviz-chart-line', stroke: s.color });
      if (s.dashed) {
        path.setAttribute('stroke-dasharray', '5 3');
      }
      svg.appendChild(path);
    }
    values.forEach((v, i) => {
      if (v !== null && Number.isFinite(v)) {
        const dot = svgEl('circle', {
          cx: sx(xs[i]),
          cy: sy(v),
          r: 2.5,
          fill: s.color,
          class: 'dlviz-chart-dot'
        });
        const title = svgEl('title');
        const raw = s.values[i];
        const value = options.percent
          ? `${((raw as number) * 100).toFixed(1)}%`
          : formatTick(raw as number);
        title.textContent = trans.__('%1, epoch %2: %3', s.label, xs[i], value);
        dot.appendChild(title);
        svg.appendChild(dot);
      }
    });
  });
}

/** A legend: a coloured swatch and a label per series. */
export function legend(
  series: { label: string; color: string; dashed?: boolean }[],
  extra?: string
): HTMLElement {
  const box = el('div', 'dlviz-legend');
  for (const s of series) {
    const swatch = el('span', 'dlviz-legend-swatch' + (s.dashed ? ' dlviz-legend-dashed' : ''));
    swatch.style.borderColor = s.color;
    box.appendChild(
      el('span', 'dlviz-legend-item', undefined, swatch, document.createTextNode(s.label))
    );
  }
  if (extra) {
    const swatch = el('span', 'dlviz-legend-swatch dlviz-legend-gap');
    box.appendChild(
      el('span', 'dlviz-legend-item', undefined, swatch, document.createTextNode(extra))
    );
  }
  return box;
}

function formatTick(value: number): string {
  if (!Number.isFinite(value)) {
    return '';
  }
  const a = Math.abs(value);
  if (a !== 0 && (a < 0.01 || a >= 10000)) {
    return value.toExponential(0);
  }
  return String(Number(value.toPrecision(3)));
}

/** Colours of many series (one per layer), from the theme's categorical palette where it has one. */
export const SERIES_COLORS = [
  'var(--jp-brand-color1, #1976d2)',
  'var(--jp-warn-color1, #f57c00)',
  'var(--jp-success-color1, #388e3c)',
  'var(--jp-error-color1, #d32f2f)',
  '#8e63ce',
  '#00a5b5',
  '#c2185b',
  '#827717',
  '#5d4037',
  '#607d8b'
];

/** A titled, collapsible section with a one-line explanation. */
export function section(title: string, explanation: string, ...children: Node[]): HTMLElement {
  const details = el('details', 'dlviz-section');
  details.open = true;
  details.appendChild(el('summary', 'dlviz-section-title', title));
  details.appendChild(el('p', 'dlviz-view-explanation', explanation));
  for (const child of children) {
    details.appendChild(child);
  }
  return details;
}
