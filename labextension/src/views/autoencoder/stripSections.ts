/**
 * The explorer's sections made of rows of images: reconstructions per epoch (an epoch slider
 * over the training run's kept epochs, no kernel needed), the interpolation between two images,
 * and the latent grid.
 */
import { NDArray } from '../../api/arrays';
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { flexRow, imageStrip, mosaic, PixelRange, rowLabel } from './aeDraw';

/** Originals and their reconstructions after the epoch the slider picks. */
export class ReconstructionsSection {
  readonly node = el('div', 'dlviz-ae-reconstructions');
  readonly slider = el('input', 'dlviz-slider');
  private _label = el('span', 'dlviz-slider-label');
  private _rows = el('div', 'dlviz-ae-rows');
  private _epochs: number[] = [];
  private _images: NDArray | null = null;
  private _recons: NDArray | null = null;
  private _range: PixelRange = [0, 1];

  constructor() {
    Object.assign(this.slider, { type: 'range', min: '0', max: '0', step: '1' });
    this.slider.setAttribute('data-testid', 'dlviz-ae-epoch-slider');
    this.slider.setAttribute('aria-label', trans.__('Epoch'));
    this.slider.oninput = () => this._draw();
    this.node.setAttribute('data-testid', 'dlviz-ae-reconstructions');
    this.node.append(
      flexRow('', el('span', 'dlviz-slider-title', trans.__('Epoch')), this.slider, this._label),
      this._rows
    );
  }

  /** The samples of a training run: images [S, C, H, W], reconstructions [K, S, C, H, W]. */
  show(epochs: number[], images: NDArray, reconstructions: NDArray, range: PixelRange): void {
    this._epochs = epochs;
    this._images = images;
    this._recons = reconstructions;
    this._range = range;
    this.slider.max = String(Math.max(0, epochs.length - 1));
    this.slider.value = this.slider.max;
    this.slider.disabled = epochs.length < 2;
    this._draw();
  }

  private _draw(): void {
    if (!this._images || !this._recons) {
      return;
    }
    const k = Number(this.slider.value);
    const epoch = this._epochs[k] ?? 0;
    this._label.textContent =
      epoch === 0
        ? trans.__('before training (random weights)')
        : trans.__('after epoch %1 of %2', epoch, this._epochs[this._epochs.length - 1]);
    this.node.setAttribute('data-epoch', String(epoch));
    this._rows.replaceChildren(
      flexRow('', rowLabel(trans.__('Originals')), imageStrip(this._images, 48, [], this._range)),
      flexRow(
        '',
        rowLabel(trans.__('Reconstructed')),
        imageStrip(this._recons.slice(k), 48, [], this._range)
      )
    );
  }
}

export interface IInterpolation {
  index: number;
  indexB: number;
  path: 'linear' | 'spherical';
  steps: number;
}

/** Two image numbers, a path and a strip of the decoded images along it. */
export class InterpolationSection {
  readonly node = el('div', 'dlviz-ae-interpolation');
  private _a = numberInput('dlviz-ae-index-a', 0);
  private _b = numberInput('dlviz-ae-index-b', 1);
  private _steps = numberInput('dlviz-ae-steps', 9);
  private _path = el('select', 'jp-mod-styled dlviz-ae-path');
  private _strip = el('div', 'dlviz-ae-strip-host');
  private _next: 'a' | 'b' = 'a';

  constructor(run: (wish: IInterpolation) => void) {
    this._path.setAttribute('data-testid', 'dlviz-ae-path');
    for (const [value, label] of [
      ['linear', trans.__('Straight line')],
      ['spherical', trans.__('Along the sphere')]
    ]) {
      const option = el('option', undefined, label);
      option.value = value;
      this._path.appendChild(option);
    }
    this._steps.min = '2';
    this._steps.max = '32';
    const go = el('button', 'jp-mod-styled', trans.__('Interpolate'));
    go.setAttribute('data-testid', 'dlviz-ae-interpolate');
    go.onclick = () => run(this.wish());
    this._strip.setAttribute('data-testid', 'dlviz-ae-interpolation-strip');
    this.node.append(
      flexRow(
        '',
        el('label', undefined, trans.__('Image A')),
        this._a,
        el('label', undefined, trans.__('Image B')),
        this._b,
        el('label', undefined, trans.__('Steps')),
        this._steps,
        this._path,
        go
      ),
      this._strip
    );
  }

  /** The validation images' count bounds the numbers. */
  setCount(count: number): void {
    for (const input of [this._a, this._b]) {
      input.min = '0';
      input.max = String(Math.max(0, count - 1));
    }
  }

  /** A point clicked in the latent space becomes A, then B, then A again. Returns [A, B]. */
  pick(index: number): number[] {
    (this._next === 'a' ? this._a : this._b).value = String(index);
    this._next = this._next === 'a' ? 'b' : 'a';
    return [Number(this._a.value), Number(this._b.value)];
  }

  wish(): IInterpolation {
    return {
      index: Math.max(0, Math.round(Number(this._a.value) || 0)),
      indexB: Math.max(0, Math.round(Number(this._b.value) || 0)),
      path: this._path.value === 'spherical' ? 'spherical' : 'linear',
      steps: Math.min(32, Math.max(2, Math.round(Number(this._steps.value) || 9)))
    };
  }

  show(images: NDArray, fractions: number[], path: string, range: PixelRange): void {
    const captions = fractions.map(t => `t=${t.toFixed(2)}`);
    this._strip.replaceChildren(imageStrip(images, 48, captions, range));
    this._strip.setAttribute('data-images', String(images.shape[0]));
    this._strip.setAttribute('data-path', path);
  }

  status(text: string): void {
    this._strip.replaceChildren(el('div', 'dlviz-view-message', text));
  }
}

/** A grid of images decoded over the latent plane. */
export class GridSection {
  readonly node = el('div', 'dlviz-ae-grid');
  private _size = numberInput('dlviz-ae-grid-size', 10);
  private _host = el('div', 'dlviz-ae-grid-host');

  constructor(run: (size: number) => void) {
    this._size.min = '2';
    this._size.max = '20';
    const go = el('button', 'jp-mod-styled', trans.__('Draw the grid'));
    go.setAttribute('data-testid', 'dlviz-ae-grid-draw');
    go.onclick = () => run(this.size());
    this._host.setAttribute('data-testid', 'dlviz-ae-grid');
    this.node.append(
      flexRow('', el('label', undefined, trans.__('Images per side')), this._size, go),
      this._host
    );
  }

  size(): number {
    return Math.min(20, Math.max(2, Math.round(Number(this._size.value) || 10)));
  }

  show(images: NDArray, method: string, range: PixelRange): void {
    const note =
      method === 'pca'
        ? trans.__(
            'The plane of the first two principal axes of the codes; other directions at their mean.'
          )
        : trans.__('The 2-D latent space itself, from its smallest to its largest codes.');
    this._host.replaceChildren(mosaic(images, 36, range), el('p', 'dlviz-view-explanation', note));
    this._host.setAttribute('data-size', String(images.shape[0]));
  }

  status(text: string): void {
    this._host.replaceChildren(el('div', 'dlviz-view-message', text));
  }
}

function numberInput(testid: string, value: number): HTMLInputElement {
  const input = el('input', 'dlviz-ae-number');
  input.type = 'number';
  input.value = String(value);
  input.style.width = '4.5em';
  input.setAttribute('data-testid', testid);
  return input;
}
