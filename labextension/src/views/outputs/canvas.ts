/**
 * What the notebook outputs' renderers share in the DOM: the theme's colours, canvases,
 * coloured points, a header line and redrawing when the JupyterLab theme changes.
 */
import { el } from '../shared/draw';
import { RGB } from '../shared/colors';
import { classColor, parseColor } from './outputLogic';

/** The theme's colours a canvas needs (it cannot use CSS variables). */
export interface IInk {
  background: RGB;
  text: string;
  faint: string;
  font: string;
}

/** The current JupyterLab theme's colours (light defaults outside JupyterLab). */
export function themeInk(): IInk {
  const style =
    typeof document !== 'undefined' && document.body ? getComputedStyle(document.body) : null;
  const read = (name: string, fallback: string) =>
    (style && style.getPropertyValue(name).trim()) || fallback;
  return {
    background: parseColor(read('--jp-layout-color0', '#ffffff'), [255, 255, 255]),
    text: read('--jp-ui-font-color1', '#333333'),
    faint: read('--jp-border-color1', '#bdbdbd'),
    font: `11px ${read('--jp-ui-font-family', 'sans-serif')}`
  };
}

/** A canvas of `width` x `height` pixels, with a class and an accessible name. */
export function makeCanvas(width: number, height: number, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width));
  canvas.height = Math.max(1, Math.round(height));
  canvas.className = 'dlviz-output-canvas';
  // Its own size: the output is a flex column, which would stretch it to the cell's width.
  canvas.style.width = `${canvas.width}px`;
  canvas.style.height = `${canvas.height}px`;
  canvas.style.alignSelf = 'flex-start';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}

/** Its 2-D context, or null (jsdom has none: the renderers still build their DOM). */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  try {
    return canvas.getContext ? canvas.getContext('2d') : null;
  } catch {
    return null;
  }
}

/** Points [N, 2] as dots coloured by class (or one colour), with a ring in the text colour. */
export function drawPoints(
  ctx: CanvasRenderingContext2D,
  points: ArrayLike<number>,
  labels: ArrayLike<number> | null,
  sx: (v: number) => number,
  sy: (v: number) => number,
  ink: IInk,
  radius = 3
): void {
  ctx.lineWidth = 0.75;
  ctx.strokeStyle = ink.text;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const [r, g, b] = classColor(labels ? labels[i / 2] : 0);
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.beginPath();
    ctx.arc(sx(points[i]), sy(points[i + 1]), radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

/** A header line: facts as text, then any controls. */
export function header(facts: string, ...controls: HTMLElement[]): HTMLElement {
  return el(
    'div',
    'dlviz-output-header',
    undefined,
    el('span', 'dlviz-output-facts', facts),
    ...controls
  );
}

/** A labelled select of `choices` [value, label]. */
export function choice(
  label: string,
  choices: [string, string][],
  value: string
): HTMLSelectElement {
  const select = el('select', 'dlviz-output-choice');
  select.setAttribute('aria-label', label);
  for (const [v, text] of choices) {
    const option = el('option', undefined, text);
    option.value = v;
    select.appendChild(option);
  }
  select.value = value;
  return select;
}

/** A legend of classes: a coloured dot and a name each. */
export function classLegend(names: string[], shown: number[]): HTMLElement {
  const box = el('div', 'dlviz-legend');
  for (const k of shown) {
    const [r, g, b] = classColor(k);
    const swatch = el('span', 'dlviz-output-dot');
    swatch.style.cssText = `display:inline-block;width:10px;height:10px;border-radius:50%;background:rgb(${r},${g},${b})`;
    box.appendChild(
      el(
        'span',
        'dlviz-legend-item',
        undefined,
        swatch,
        document.createTextNode(names[k] ?? String(k))
      )
    );
  }
  return box;
}

/** Milliseconds after a theme switch at which outputs are drawn again. */
const THEME_SETTLE_MS = [100, 400, 1200, 3000];

/**
 * Call `redraw` when JupyterLab switches between light and dark themes, as long as `node` is
 * in the page (the observer stops once the output is gone).
 */
export function onThemeChange(node: HTMLElement, redraw: () => void): void {
  if (typeof MutationObserver === 'undefined' || !document.body) {
    return;
  }
  let seen = document.body.dataset.jpThemeLight;
  const observer = new MutationObserver(() => {
    if (!node.isConnected) {
      observer.disconnect();
      return;
    }
    if (document.body.dataset.jpThemeLight !== seen) {
      seen = document.body.dataset.jpThemeLight;
      redraw();
      // The attribute may change before the new theme's stylesheet applies: draw again while
      // its colours arrive (outputs are small; a redraw costs milliseconds).
      for (const delay of THEME_SETTLE_MS) {
        setTimeout(() => node.isConnected && redraw(), delay);
      }
    }
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
}
