/**
 * The latent space: every validation image as a point coloured by its class. Moving the pointer
 * decodes the point under it (through `decode` on the kernel, one request at a time, the latest
 * wins) and shows the image; a click picks the image nearest the pointer for the interpolation;
 * an encoded drawing shows as a cross (and, for a VAE, its Gaussian as a 1σ ellipse).
 */
import { NDArray } from '../../api/arrays';
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { flexRow, paintImage, PixelRange } from './aeDraw';
import {
  boundsOf,
  classColor,
  codeOf,
  formatCode,
  IBounds,
  IPlot,
  LatestWins,
  nearestPoint,
  pointOf,
  projectedEllipse,
  toPixel,
  toPlane
} from './aeLogic';
import { ILatentSpace } from './aeRun';

const PLOT: IPlot = { width: 420, height: 420, margin: 14 };

export interface ILatentEvents {
  /** Decode one code; resolves with the images [1, C, H, W] (null: the view closed). */
  decode(code: number[]): Promise<NDArray | null>;
  /** A point was clicked: the index of the nearest validation image. */
  pick(index: number): void;
  /** A line for the status bar (errors). */
  status(text: string): void;
}

export class LatentSection {
  readonly node: HTMLElement;
  readonly canvas = el('canvas', 'dlviz-ae-scatter');
  private _decoded = el('canvas', 'dlviz-heatmap dlviz-ae-decoded');
  private _codeLine = el('div', 'dlviz-ae-code', trans.__('Move the pointer over the plane.'));
  private _legend = el('div', 'dlviz-legend dlviz-ae-legend');
  private _events: ILatentEvents;
  private _space: ILatentSpace | null = null;
  private _bounds: IBounds = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  private _range: PixelRange = [0, 1];
  private _hover: [number, number] | null = null;
  private _encoded: { point: [number, number]; sigma: number[] | null } | null = null;
  private _picked: number[] = [];
  private _decodes = 0;
  readonly decoder: LatestWins<number[], NDArray | null>;

  constructor(events: ILatentEvents) {
    this._events = events;
    this.canvas.setAttribute('data-testid', 'dlviz-ae-scatter');
    this.canvas.setAttribute('aria-label', trans.__('Latent space'));
    this.canvas.style.width = `${PLOT.width}px`;
    this.canvas.style.height = `${PLOT.height}px`;
    this.canvas.style.cursor = 'crosshair';
    this.canvas.style.border = '1px solid var(--jp-border-color2)';
    this._decoded.setAttribute('data-testid', 'dlviz-ae-decoded');
    this._decoded.setAttribute('data-decodes', '0');
    Object.assign(this._decoded.style, { width: '160px', height: '160px' });
    this._codeLine.setAttribute('data-testid', 'dlviz-ae-hover-code');
    this.decoder = new LatestWins(
      code => this._events.decode(code),
      (images, code) => this._showDecoded(images, code),
      error => this._events.status((error as Error).message)
    );
    this.canvas.onmousemove = event => this._onMove(event);
    this.canvas.onclick = event => this._onClick(event);
    this.canvas.onmouseleave = () => {
      this._hover = null;
      this.render();
    };
    const side = el(
      'div',
      'dlviz-ae-decoded-box',
      undefined,
      el('div', 'dlviz-ae-caption', trans.__('Decoded point')),
      this._decoded,
      this._codeLine
    );
    side.style.maxWidth = '220px';
    this.node = el(
      'div',
      'dlviz-ae-latent',
      undefined,
      flexRow('', this.canvas, side),
      this._legend
    );
    this.node.setAttribute('data-testid', 'dlviz-ae-latent');
  }

  /** Draw a new latent space (its classes named for the legend). */
  show(space: ILatentSpace, classes: string[], range: PixelRange): void {
    this._space = space;
    this._range = range;
    const count = space.points.shape[0];
    this._bounds = boundsOf(space.points.data, count, 0.08);
    this.node.setAttribute('data-points', String(count));
    this.node.setAttribute('data-method', space.method);
    const seen = new Set(space.labels ?? []);
    this._legend.replaceChildren(
      ...classes
        .map((name, k) => [name, k] as [string, number])
        .filter(([, k]) => seen.has(k))
        .map(([name, k]) => {
          const swatch = el('span', 'dlviz-legend-swatch');
          swatch.style.borderColor = classColor(k);
          swatch.style.background = classColor(k);
          return el('span', 'dlviz-legend-item', undefined, swatch, document.createTextNode(name));
        })
    );
    this.render();
  }

  /** Mark an encoded image at its code (its σ for a VAE). */
  showEncoded(code: number[], sigma: number[] | null): void {
    const space = this._space;
    if (!space) {
      return;
    }
    const point = pointOf(code, space.mean, space.axes);
    this._encoded = { point, sigma };
    this.node.setAttribute('data-encoded', `${point[0].toFixed(4)},${point[1].toFixed(4)}`);
    this.render();
  }

  /** Mark the images picked for the interpolation (A, B). */
  showPicked(indices: number[]): void {
    this._picked = indices.slice(0, 2);
    this.render();
  }

  /** Where a point of the plane lands on the canvas, in CSS pixels (browser tests aim with it). */
  pixelOf(x: number, y: number): [number, number] {
    return toPixel(this._bounds, PLOT, x, y);
  }

  render(): void {
    const space = this._space;
    const canvas = this.canvas;
    const ratio = typeof window !== 'undefined' ? Math.max(1, window.devicePixelRatio || 1) : 1;
    canvas.width = Math.round(PLOT.width * ratio);
    canvas.height = Math.round(PLOT.height * ratio);
    const c = canvas.getContext && canvas.getContext('2d');
    if (!c || !space) {
      return;
    }
    c.scale(ratio, ratio);
    const foreground =
      (typeof getComputedStyle === 'function' &&
        getComputedStyle(this.node).getPropertyValue('--jp-ui-font-color1').trim()) ||
      '#555';
    this._axes(c, foreground);
    const points = space.points.data;
    const count = space.points.shape[0];
    c.globalAlpha = 0.75;
    for (let i = 0; i < count; i++) {
      const [px, py] = toPixel(this._bounds, PLOT, points[2 * i], points[2 * i + 1]);
      c.fillStyle = classColor(space.labels?.[i]);
      c.beginPath();
      c.arc(px, py, 2.6, 0, 2 * Math.PI);
      c.fill();
    }
    c.globalAlpha = 1;
    this._picked.forEach((index, k) => {
      if (index < count) {
        const [px, py] = toPixel(this._bounds, PLOT, points[2 * index], points[2 * index + 1]);
        ring(c, px, py, 6, foreground);
        c.fillStyle = foreground;
        c.font = 'bold 12px sans-serif';
        c.fillText(k === 0 ? 'A' : 'B', px + 7, py - 7);
      }
    });
    if (this._encoded) {
      this._drawEncoded(c, foreground);
    }
    if (this._hover) {
      const [px, py] = toPixel(this._bounds, PLOT, ...this._hover);
      c.strokeStyle = foreground;
      c.lineWidth = 1;
      c.strokeRect(px - 5, py - 5, 10, 10);
    }
  }

  private _axes(c: CanvasRenderingContext2D, color: string): void {
    c.strokeStyle = color;
    c.globalAlpha = 0.25;
    c.lineWidth = 1;
    const [x0, y0] = toPixel(this._bounds, PLOT, 0, 0);
    c.beginPath();
    c.moveTo(PLOT.margin, y0);
    c.lineTo(PLOT.width - PLOT.margin, y0);
    c.moveTo(x0, PLOT.margin);
    c.lineTo(x0, PLOT.height - PLOT.margin);
    c.stroke();
    c.globalAlpha = 1;
  }

  private _drawEncoded(c: CanvasRenderingContext2D, color: string): void {
    const { point, sigma } = this._encoded!;
    const [px, py] = toPixel(this._bounds, PLOT, point[0], point[1]);
    if (sigma && this._space) {
      const e = projectedEllipse(sigma, this._space.axes);
      const sx = (PLOT.width - 2 * PLOT.margin) / (this._bounds.xMax - this._bounds.xMin);
      const sy = (PLOT.height - 2 * PLOT.margin) / (this._bounds.yMax - this._bounds.yMin);
      c.save();
      c.translate(px, py);
      c.scale(sx, -sy);
      c.rotate(e.angle);
      c.beginPath();
      c.ellipse(0, 0, Math.max(e.rx, 1e-6), Math.max(e.ry, 1e-6), 0, 0, 2 * Math.PI);
      c.restore();
      c.strokeStyle = color;
      c.lineWidth = 2;
      c.setLineDash([4, 3]);
      c.stroke();
      c.setLineDash([]);
    }
    c.strokeStyle = color;
    c.lineWidth = 3;
    c.beginPath();
    c.moveTo(px - 8, py - 8);
    c.lineTo(px + 8, py + 8);
    c.moveTo(px + 8, py - 8);
    c.lineTo(px - 8, py + 8);
    c.stroke();
    c.lineWidth = 1;
  }

  private _planeAt(event: MouseEvent): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    const px = ((event.clientX - rect.left) * PLOT.width) / (rect.width || PLOT.width);
    const py = ((event.clientY - rect.top) * PLOT.height) / (rect.height || PLOT.height);
    return toPlane(this._bounds, PLOT, px, py);
  }

  private _onMove(event: MouseEvent): void {
    const space = this._space;
    if (!space) {
      return;
    }
    this._hover = this._planeAt(event);
    this.render();
    this.decoder.push(codeOf(this._hover, space.mean, space.axes));
  }

  private _onClick(event: MouseEvent): void {
    const space = this._space;
    if (!space) {
      return;
    }
    const [x, y] = this._planeAt(event);
    const index = nearestPoint(space.points.data, space.points.shape[0], x, y);
    if (index >= 0) {
      this._events.pick(index);
    }
  }

  private _showDecoded(images: NDArray | null, code: number[]): void {
    if (!images) {
      return;
    }
    paintImage(this._decoded, images, 0, this._range);
    this._decodes += 1;
    this._decoded.setAttribute('data-decodes', String(this._decodes));
    this._decoded.setAttribute('data-code', code.map(v => v.toFixed(3)).join(','));
    this._codeLine.textContent = trans.__('Code %1', formatCode(code));
  }
}

function ring(c: CanvasRenderingContext2D, x: number, y: number, r: number, color: string): void {
  c.strokeStyle = color;
  c.lineWidth = 2;
  c.beginPath();
  c.arc(x, y, r, 0, 2 * Math.PI);
  c.stroke();
}
