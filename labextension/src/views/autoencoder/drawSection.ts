/**
 * Draw a digit (or upload a picture) at the data's own size; when the pen lifts, `encode` on the
 * kernel places it in the latent space and the section shows the drawing beside what the
 * decoder makes of its code.
 */
import { NDArray } from '../../api/arrays';
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { flexRow, imageCanvas, PixelRange } from './aeDraw';
import { brush, formatCode, imageRgba, inkFromPicture } from './aeLogic';

const CELL = 24;

export interface IDrawEvents {
  /** Encode the drawing (H x W ink values, 0..1, repeated per channel). */
  encode(pixels: number[]): void;
}

export class DrawSection {
  readonly node: HTMLElement;
  readonly pad = el('canvas', 'dlviz-heatmap dlviz-ae-pad');
  private _ink: Float32Array = new Float32Array(64);
  private _height = 8;
  private _width = 8;
  private _channels = 1;
  private _drawing = false;
  private _result = el('div', 'dlviz-ae-encoded');
  private _events: IDrawEvents;

  constructor(events: IDrawEvents) {
    this._events = events;
    this.pad.setAttribute('data-testid', 'dlviz-ae-pad');
    this.pad.setAttribute('aria-label', trans.__('Drawing pad'));
    this.pad.style.cursor = 'crosshair';
    this.pad.style.touchAction = 'none';
    this.pad.onpointerdown = event => {
      this._drawing = true;
      this.pad.setPointerCapture?.(event.pointerId);
      this._paintAt(event);
    };
    this.pad.onpointermove = event => {
      if (this._drawing) {
        this._paintAt(event);
      }
    };
    this.pad.onpointerup = () => {
      if (this._drawing) {
        this._drawing = false;
        this._encode();
      }
    };
    const clear = el('button', 'jp-mod-styled', trans.__('Clear'));
    clear.setAttribute('data-testid', 'dlviz-ae-clear');
    clear.onclick = () => {
      this._ink.fill(0);
      this._paint();
    };
    const encode = el('button', 'jp-mod-styled', trans.__('Encode'));
    encode.setAttribute('data-testid', 'dlviz-ae-encode');
    encode.onclick = () => this._encode();
    const upload = el('input', 'dlviz-ae-upload');
    upload.type = 'file';
    upload.accept = 'image/*';
    upload.setAttribute('data-testid', 'dlviz-ae-upload');
    upload.title = trans.__('Upload a picture of a digit');
    upload.onchange = () => void this._upload(upload.files?.[0] ?? null);
    this._result.setAttribute('data-testid', 'dlviz-ae-encoded');
    const controls = el('div', 'dlviz-ae-controls', undefined, clear, encode, upload);
    this.node = el(
      'div',
      'dlviz-ae-draw',
      undefined,
      flexRow('', el('div', undefined, undefined, this.pad, controls), this._result)
    );
    this._paint();
  }

  /** Set the size of the pad from the data's images [C, H, W]. */
  setShape(shape: [number, number, number]): void {
    [this._channels, this._height, this._width] = shape;
    this._ink = new Float32Array(this._height * this._width);
    this._paint();
  }

  /** The drawing's ink (H x W, 0..1). */
  get ink(): Float32Array {
    return this._ink;
  }

  /** Show what the kernel made of the drawing. */
  showEncoded(
    image: NDArray,
    reconstruction: NDArray,
    code: number[],
    sigma: number[] | null,
    range: PixelRange
  ): void {
    const figure = (canvas: HTMLCanvasElement, text: string) => {
      const f = el('figure', undefined, undefined, canvas, el('figcaption', undefined, text));
      Object.assign(f.style, { margin: '0', textAlign: 'center', fontSize: '11px' });
      return f;
    };
    const lines = [trans.__('Code %1', formatCode(code))];
    if (sigma) {
      lines.push(trans.__('σ %1', formatCode(sigma)));
    }
    this._result.replaceChildren(
      flexRow(
        '',
        figure(imageCanvas(image, 0, 96, range), trans.__('Your drawing')),
        figure(imageCanvas(reconstruction, 0, 96, range), trans.__('Decoded from its code'))
      ),
      ...lines.map(line => el('div', 'dlviz-ae-code', line))
    );
    this._result.setAttribute('data-code', code.map(v => v.toFixed(4)).join(','));
  }

  private _paintAt(event: PointerEvent): void {
    const rect = this.pad.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / (rect.width || 1)) * this._width;
    const y = ((event.clientY - rect.top) / (rect.height || 1)) * this._height;
    brush(this._ink, this._height, this._width, x, y);
    this._paint();
  }

  private _paint(): void {
    const canvas = this.pad;
    canvas.width = this._width;
    canvas.height = this._height;
    canvas.style.width = `${this._width * CELL}px`;
    canvas.style.height = `${this._height * CELL}px`;
    const context = canvas.getContext && canvas.getContext('2d');
    if (!context) {
      return;
    }
    const data = context.createImageData(this._width, this._height);
    data.data.set(imageRgba(this._ink, 0, [1, this._height, this._width]));
    context.putImageData(data, 0, 0);
  }

  private _encode(): void {
    const pixels: number[] = [];
    for (let c = 0; c < this._channels; c++) {
      this._ink.forEach(v => pixels.push(Math.round(v * 1000) / 1000));
    }
    this._events.encode(pixels);
  }

  private async _upload(file: File | null): Promise<void> {
    if (!file) {
      return;
    }
    const bitmap = await createImageBitmap(file);
    const canvas = document.createElement('canvas');
    canvas.width = Math.min(256, bitmap.width);
    canvas.height = Math.min(256, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    this._ink = inkFromPicture(rgba, canvas.width, canvas.height, this._height, this._width);
    this._paint();
    this._encode();
  }
}
