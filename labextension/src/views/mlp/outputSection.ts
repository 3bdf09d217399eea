/**
 * The output over the plane: the decision boundary (or the predicted value) as a heatmap the
 * browser computes from the weights, the training points on top and, on demand, the test
 * points (outlined); "Discretize" shows each side of the boundary in one flat colour.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import {
  classColor,
  css,
  discreteTone,
  IOutputKind,
  outputTone,
  tint,
  toneColor
} from './planeLogic';

const SIZE = 300; // CSS pixels of the picture

export interface IPoints {
  x: number[][];
  y: number[];
}

export class OutputSection {
  readonly node = el('div', 'dlviz-mlp-output');
  /** Frames drawn so far (the browser test and the frame-rate benchmark read it). */
  frames = 0;
  private _heat = el('canvas', 'dlviz-mlp-heat');
  private _dots = el('canvas', 'dlviz-mlp-dots');
  private _showTest = el('input');
  private _discrete = el('input');
  private _axes = el('div', 'dlviz-mlp-axes');
  private _values: Float32Array | null = null;
  private _grid = 0;
  private _kind: IOutputKind = { setup: 'playground', classes: 2 };
  private _train: IPoints | null = null;
  private _test: IPoints | null = null;
  private _ranges: number[][] = [
    [-6, 6],
    [-6, 6]
  ];

  constructor() {
    this._heat.setAttribute('data-testid', 'dlviz-mlp-heatmap');
    this._heat.setAttribute('data-frames', '0');
    this._dots.width = this._dots.height = SIZE;
    this._dots.setAttribute('data-testid', 'dlviz-mlp-points');
    this._showTest.type = 'checkbox';
    this._showTest.setAttribute('data-testid', 'dlviz-mlp-show-test');
    this._showTest.onchange = () => this._drawPoints();
    this._discrete.type = 'checkbox';
    this._discrete.setAttribute('data-testid', 'dlviz-mlp-discrete');
    this._discrete.onchange = () => this._paint();
    const picture = el('div', 'dlviz-mlp-picture', undefined, this._heat, this._dots);
    picture.style.width = picture.style.height = `${SIZE}px`;
    this.node.appendChild(picture);
    this.node.appendChild(this._axes);
    this.node.appendChild(
      el(
        'div',
        'dlviz-mlp-toggles',
        undefined,
        el('label', undefined, undefined, this._showTest, text(trans.__('Show test data'))),
        el('label', undefined, undefined, this._discrete, text(trans.__('Discretize output')))
      )
    );
  }

  /** What the output means, and the plotted ranges. */
  setKind(kind: IOutputKind, ranges: number[][], columns: string[]): void {
    this._kind = kind;
    this._ranges = ranges;
    const [a, b] = ranges;
    this._axes.textContent = trans.__(
      '%1 from %2 to %3 (across), %4 from %5 to %6 (up)',
      columns[0] ?? 'x1',
      round(a[0]),
      round(a[1]),
      columns[1] ?? 'x2',
      round(b[0]),
      round(b[1])
    );
  }

  /** The points of the data set (a new result). */
  setPoints(train: IPoints, test: IPoints): void {
    this._train = train;
    this._test = test;
    this._drawPoints();
  }

  /** One frame: the output at every grid point (grid x grid values, row i at y[i]). */
  draw(values: Float32Array, grid: number): void {
    this._values = values;
    this._grid = grid;
    this._paint();
    this.frames++;
    this._heat.setAttribute('data-frames', String(this.frames));
  }

  private _paint(): void {
    const values = this._values;
    const grid = this._grid;
    if (!values || !grid) {
      return;
    }
    if (this._heat.width !== grid) {
      this._heat.width = this._heat.height = grid;
    }
    const context = this._heat.getContext && this._heat.getContext('2d');
    if (!context) {
      return;
    }
    const image = context.createImageData(grid, grid);
    const discrete = this._discrete.checked;
    const several = (this._kind.classes ?? 0) > 2;
    for (let row = 0; row < grid; row++) {
      for (let col = 0; col < grid; col++) {
        const v = values[row * grid + col];
        let color;
        if (several) {
          color = tint(classColor(v), discrete ? 0.6 : 0.45);
        } else {
          const t = outputTone(v, this._kind);
          color = toneColor(discrete ? discreteTone(t) : t);
        }
        const at = 4 * ((grid - 1 - row) * grid + col);
        image.data[at] = color[0];
        image.data[at + 1] = color[1];
        image.data[at + 2] = color[2];
        image.data[at + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  }

  private _drawPoints(): void {
    const context = this._dots.getContext && this._dots.getContext('2d');
    if (!context) {
      return;
    }
    context.clearRect(0, 0, SIZE, SIZE);
    const [[x0, x1], [y0, y1]] = this._ranges;
    const place = (p: number[]) => [
      ((p[0] - x0) / (x1 - x0 || 1)) * SIZE,
      SIZE - ((p[1] - y0) / (y1 - y0 || 1)) * SIZE
    ];
    const draw = (points: IPoints | null, test: boolean) => {
      points?.x.forEach((p, i) => {
        const [x, y] = place(p);
        const y_ = points.y[i];
        const color =
          this._kind.classes === null
            ? toneColor(y_)
            : this._kind.classes > 2
              ? classColor(y_)
              : toneColor(y_ > 0 ? 1 : -1);
        context.beginPath();
        context.arc(x, y, 3, 0, 2 * Math.PI);
        context.fillStyle = css(color);
        context.fill();
        context.lineWidth = test ? 1.6 : 0.8;
        context.strokeStyle = test ? '#111' : '#fff';
        context.stroke();
      });
    };
    draw(this._train, false);
    if (this._showTest.checked) {
      draw(this._test, true);
    }
    // how many points are drawn (the browser test compares them with the data's rows)
    const shown =
      (this._train?.x.length ?? 0) + (this._showTest.checked ? (this._test?.x.length ?? 0) : 0);
    this._dots.setAttribute('data-points', String(shown));
  }
}

function text(value: string): Text {
  return document.createTextNode(` ${value}`);
}

function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}
