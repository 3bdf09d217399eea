/**
 * The network drawn as Playground does: a column per layer, each neuron a small picture of its
 * own output over the plane, links whose width and colour are the weight's size and sign, each
 * neuron's bias a small square. Hover a neuron to see its picture large; click a link or a bias
 * to read its value and set it by hand.
 */
import { trans } from '../../i18n';
import { el, svgEl } from '../shared/draw';
import {
  css,
  ILayerWeights,
  linkColor,
  linkWidth,
  neuronLimit,
  neuronTone,
  toneColor
} from './planeLogic';
import { IWeightEdit } from './setupLogic';

const NEURON = 40; // CSS pixels of a neuron's picture
const ROW = 52; // from one neuron to the next in a column
const COLUMN = 110; // from one layer to the next
const LARGE = 200;

/** Paint a picture (values on [-1, 1] after `tone`) into a canvas of size x size values. */
export function paintTones(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  size: number,
  tone: (v: number) => number
): void {
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return;
  }
  const image = context.createImageData(size, size);
  // row i of a picture is y[i], low to high: the canvas's top row is the highest y
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const [r, g, b] = toneColor(tone(values[row * size + col]));
      const at = 4 * ((size - 1 - row) * size + col);
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = b;
      image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}

export class NetworkSection {
  readonly node = el('div', 'dlviz-mlp-network');
  private _stage = el('div', 'dlviz-mlp-stage');
  private _svg = svgEl('svg', { class: 'dlviz-mlp-links' });
  private _large = el('canvas', 'dlviz-mlp-large');
  private _largeLabel = el('div', 'dlviz-mlp-large-label', trans.__('Hover a neuron'));
  private _editor = el('div', 'dlviz-mlp-editor');
  private _canvases: HTMLCanvasElement[][] = [];
  private _links: SVGElement[][][] = [];
  private _biases: HTMLElement[][] = [];
  private _sizes: number[] = [];
  private _names: string[] = [];
  private _pictures: Float32Array[][] = [];
  private _weights: ILayerWeights[] = [];
  private _hovered: [number, number] | null = null;
  private _grid = 0;

  constructor(private _onEdit: (edit: IWeightEdit) => void) {
    this._large.width = this._large.height = 1;
    this._large.setAttribute('data-testid', 'dlviz-mlp-large');
    this._editor.hidden = true;
    this._editor.setAttribute('data-testid', 'dlviz-mlp-editor');
    this.node.setAttribute('data-testid', 'dlviz-mlp-network');
    this.node.appendChild(this._stage);
    this.node.appendChild(
      el('div', 'dlviz-mlp-side', undefined, this._largeLabel, this._large, this._editor)
    );
  }

  /** Draw the network at these weights; `pictures` from neuronPictures, on a grid x grid plane. */
  draw(names: string[], weights: ILayerWeights[], pictures: Float32Array[][], grid: number): void {
    const sizes = pictures.map(layer => layer.length);
    if (sizes.join() !== this._sizes.join() || names.join() !== this._names.join()) {
      this._build(names, sizes, grid);
    }
    this._pictures = pictures;
    this._weights = weights;
    pictures.forEach((layer, k) =>
      layer.forEach((values, j) => {
        const activation = k === 0 ? 'linear' : weights[k - 1].activation;
        const limit = neuronLimit(activation, values);
        paintTones(this._canvases[k][j], values, grid, v => neuronTone(activation, v, limit));
      })
    );
    weights.forEach((layer, k) => {
      layer.weight.forEach((row, to) =>
        row.forEach((w, from) => {
          const link = this._links[k][to][from];
          link.setAttribute('stroke-width', linkWidth(w).toFixed(2));
          link.setAttribute('stroke', css(linkColor(w)));
        })
      );
      layer.bias.forEach((b, to) => {
        this._biases[k][to].style.background = css(linkColor(b));
      });
    });
    if (this._hovered) {
      this._showLarge(...this._hovered);
    }
  }

  private _build(names: string[], sizes: number[], grid: number): void {
    this._sizes = sizes;
    this._names = names;
    this._grid = grid;
    this._hovered = null;
    this._editor.hidden = true;
    const tallest = Math.max(...sizes);
    const width = (sizes.length - 1) * COLUMN + NEURON + 8;
    const height = tallest * ROW;
    this._stage.replaceChildren();
    this._stage.style.width = `${width}px`;
    this._stage.style.height = `${height + 18}px`;
    this._svg.setAttribute('width', String(width));
    this._svg.setAttribute('height', String(height));
    this._svg.replaceChildren();
    this._stage.appendChild(this._svg);
    const at = (k: number, j: number) => ({
      x: k * COLUMN,
      y: ((tallest - sizes[k]) * ROW) / 2 + j * ROW + 4
    });
    this._links = [];
    this._biases = [];
    for (let k = 1; k < sizes.length; k++) {
      const layer: SVGElement[][] = [];
      for (let to = 0; to < sizes[k]; to++) {
        const row: SVGElement[] = [];
        for (let from = 0; from < sizes[k - 1]; from++) {
          const a = at(k - 1, from);
          const b = at(k, to);
          const d =
            `M${a.x + NEURON},${a.y + NEURON / 2} C${a.x + NEURON + 40},${a.y + NEURON / 2} ` +
            `${b.x - 40},${b.y + NEURON / 2} ${b.x},${b.y + NEURON / 2}`;
          const link = svgEl('path', { d, class: 'dlviz-mlp-link', fill: 'none' });
          const hit = svgEl('path', { d, class: 'dlviz-mlp-link-hit', fill: 'none' });
          hit.setAttribute('data-link', `${k - 1}-${to}-${from}`);
          const title = svgEl('title');
          hit.appendChild(title);
          hit.addEventListener('mouseenter', () => {
            title.textContent = this._linkText(k - 1, to, from);
          });
          hit.addEventListener('click', () => this._openEditor(k - 1, to, from));
          this._svg.appendChild(link);
          this._svg.appendChild(hit);
          row.push(link);
        }
        layer.push(row);
      }
      this._links.push(layer);
    }
    this._canvases = sizes.map((count, k) => {
      const column: HTMLCanvasElement[] = [];
      for (let j = 0; j < count; j++) {
        const { x, y } = at(k, j);
        const canvas = el('canvas', 'dlviz-mlp-neuron');
        canvas.width = canvas.height = grid;
        canvas.style.left = `${x}px`;
        canvas.style.top = `${y}px`;
        canvas.setAttribute('data-neuron', `${k}-${j}`);
        canvas.title = this._neuronName(k, j);
        canvas.addEventListener('mouseenter', () => this._showLarge(k, j));
        this._stage.appendChild(canvas);
        column.push(canvas);
        if (k > 0) {
          const bias = el('button', 'dlviz-mlp-bias');
          bias.style.left = `${x - 7}px`;
          bias.style.top = `${y + NEURON - 7}px`;
          bias.setAttribute('data-bias', `${k - 1}-${j}`);
          bias.setAttribute('aria-label', trans.__('Bias of %1', this._neuronName(k, j)));
          bias.onclick = () => this._openEditor(k - 1, j, -1);
          this._stage.appendChild(bias);
          (this._biases[k - 1] = this._biases[k - 1] ?? []).push(bias);
        }
      }
      const label = el('div', 'dlviz-mlp-column-label', this._columnName(k));
      label.style.left = `${at(k, 0).x}px`;
      label.style.top = `${height}px`;
      this._stage.appendChild(label);
      return column;
    });
  }

  private _columnName(k: number): string {
    if (k === 0) {
      return trans.__('Features');
    }
    return k === this._sizes.length - 1 ? trans.__('Output') : trans.__('Layer %1', k);
  }

  private _neuronName(k: number, j: number): string {
    if (k === 0) {
      return this._names[j] ?? String(j + 1);
    }
    if (k === this._sizes.length - 1) {
      return this._sizes[k] > 1 ? trans.__('output %1', j) : trans.__('the output');
    }
    return trans.__('neuron %1 of layer %2', j + 1, k);
  }

  private _linkText(layer: number, to: number, from: number): string {
    const weights = this._weights[layer];
    if (!weights) {
      return '';
    }
    if (from < 0) {
      return trans.__('Bias of %1: %2', this._neuronName(layer + 1, to), weights.bias[to]);
    }
    return trans.__(
      'Weight from %1 to %2: %3',
      this._neuronName(layer, from),
      this._neuronName(layer + 1, to),
      weights.weight[to][from]
    );
  }

  private _showLarge(k: number, j: number): void {
    this._hovered = [k, j];
    const values = this._pictures[k]?.[j];
    if (!values) {
      return;
    }
    const activation = k === 0 ? 'linear' : this._weights[k - 1].activation;
    const limit = neuronLimit(activation, values);
    this._large.width = this._large.height = this._grid;
    this._large.style.width = this._large.style.height = `${LARGE}px`;
    this._large.setAttribute('data-neuron', `${k}-${j}`);
    paintTones(this._large, values, this._grid, v => neuronTone(activation, v, limit));
    this._largeLabel.textContent = this._neuronName(k, j);
  }

  private _openEditor(layer: number, to: number, from: number): void {
    const weights = this._weights[layer];
    if (!weights) {
      return;
    }
    const value = from < 0 ? weights.bias[to] : weights.weight[to][from];
    const input = el('input', 'dlviz-mlp-edit-value');
    input.type = 'number';
    input.step = '0.1';
    input.min = '-100';
    input.max = '100';
    input.value = String(value);
    input.setAttribute('data-testid', 'dlviz-mlp-edit-value');
    input.setAttribute('aria-label', trans.__('New value'));
    const apply = el('button', 'jp-Button jp-mod-styled jp-mod-accept', trans.__('Set'));
    apply.setAttribute('data-testid', 'dlviz-mlp-edit-apply');
    const close = el('button', 'jp-Button jp-mod-styled', trans.__('Close'));
    apply.onclick = () => {
      const next = Number(input.value);
      if (Number.isFinite(next) && Math.abs(next) <= 100) {
        this._onEdit({ layer, to, from, value: next });
        this._editor.hidden = true;
      }
    };
    close.onclick = () => (this._editor.hidden = true);
    this._editor.replaceChildren(
      el('div', 'dlviz-mlp-edit-text', this._linkText(layer, to, from)),
      el('div', 'dlviz-mlp-edit-row', undefined, input, apply, close)
    );
    this._editor.setAttribute('data-link', `${layer}-${to}-${from}`);
    this._editor.hidden = false;
    input.focus();
  }
}
