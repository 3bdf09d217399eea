/**
 * The explorer's Input section: an image of the data set by number (or at random), a digit drawn
 * with the mouse, or an uploaded picture, and "What the model sees": the input at the data
 * set's size. Choosing one calls `onInput`; the explorer asks the kernel about it.
 */
import { ImageDataset } from '../../api/results';
import { trans } from '../../i18n';
import { el, heatmap } from '../shared/draw';
import { cellSize, drawingToPixels, imageToPixels, rgbaToInk } from './cnnLogic';
import { CnnInspected } from './cnnResult';

/** What the explorer shows for one input: an image of the data set, or the learner's pixels. */
export type Input = { index: number } | { pixels: number[][]; origin: 'drawing' | 'upload' };

/** The data set of a run, as its result describes it. */
export type IDataset = ImageDataset;

export class InputSection {
  readonly node: HTMLElement;
  dataset: IDataset | null = null;
  private _input: Input = { index: 0 };
  private _onInput: (input: Input) => void;
  private _onError: (message: string) => void;
  private _indexInput: HTMLInputElement;
  private _indexLabel: HTMLElement;
  private _drawCanvas: HTMLCanvasElement;
  private _preview: HTMLElement;
  private _pickers: { index: HTMLElement; drawing: HTMLElement; upload: HTMLElement };

  constructor(onInput: (input: Input) => void, onError: (message: string) => void) {
    this._onInput = onInput;
    this._onError = onError;
    this._indexInput = el('input', 'jp-mod-styled dlviz-index');
    this._indexInput.type = 'number';
    this._indexInput.min = '0';
    this._indexInput.setAttribute('data-testid', 'dlviz-image-index');
    this._indexInput.setAttribute('aria-label', trans.__('Image number'));
    this._indexInput.onchange = () =>
      this._choose({ index: Math.max(0, Math.floor(Number(this._indexInput.value) || 0)) });
    this._indexLabel = el('span', 'dlviz-muted');
    const random = el('button', 'jp-Button jp-mod-styled', trans.__('Random'));
    random.onclick = () => {
      const size = this.dataset?.size ?? 1;
      this._choose({ index: Math.floor(Math.random() * size) });
    };
    this._drawCanvas = el('canvas', 'dlviz-draw-canvas');
    this._drawCanvas.width = 160;
    this._drawCanvas.height = 160;
    this._drawCanvas.setAttribute('data-testid', 'dlviz-draw-canvas');
    this._drawCanvas.setAttribute('aria-label', trans.__('Draw a digit here'));
    this._setupDrawing();
    const clear = el('button', 'jp-Button jp-mod-styled', trans.__('Clear'));
    clear.onclick = () => this._clearDrawing();
    const upload = el('input', 'dlviz-upload');
    upload.type = 'file';
    upload.accept = 'image/*';
    upload.setAttribute('data-testid', 'dlviz-upload');
    upload.onchange = () => {
      const file = upload.files && upload.files[0];
      if (file) {
        void this._onUpload(file);
      }
      upload.value = '';
    };
    this._preview = el('div', 'dlviz-preview');
    this._pickers = {
      index: el('div', 'dlviz-picker'),
      drawing: el('div', 'dlviz-picker'),
      upload: el('div', 'dlviz-picker')
    };
    this.node = el(
      'div',
      'dlviz-pickers',
      undefined,
      fill(
        this._pickers.index,
        el('strong', undefined, trans.__('Image of the data set')),
        el('div', 'dlviz-row', undefined, this._indexInput, random),
        this._indexLabel
      ),
      fill(
        this._pickers.drawing,
        el('strong', undefined, trans.__('Draw')),
        this._drawCanvas,
        el(
          'div',
          'dlviz-row',
          undefined,
          clear,
          el('span', 'dlviz-muted', trans.__('Draw with the mouse'))
        )
      ),
      fill(this._pickers.upload, el('strong', undefined, trans.__('Upload a picture')), upload),
      el(
        'div',
        'dlviz-picker',
        undefined,
        el('strong', undefined, trans.__('What the model sees')),
        this._preview
      )
    );
  }

  /** The input shown now. */
  get input(): Input {
    return this._input;
  }

  /** Show `input` as the current one (without asking the kernel). */
  set input(input: Input) {
    this._input = input;
    const active = 'index' in input ? 'index' : input.origin;
    for (const [name, node] of Object.entries(this._pickers)) {
      node.classList.toggle('dlviz-picker-active', name === active);
    }
    if ('index' in input) {
      this._indexInput.value = String(input.index);
    }
  }

  private get _classNames(): string[] {
    return this.dataset?.classes ?? [];
  }

  /** The learner picked an input. */
  private _choose(input: Input): void {
    this.input = input;
    if (!('index' in input)) {
      this.renderPreviewPixels(input.pixels);
    }
    this._onInput(input);
  }

  private _setupDrawing(): void {
    const canvas = this._drawCanvas;
    let drawing = false;
    let last: [number, number] | null = null;
    const point = (event: PointerEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [
        ((event.clientX - rect.left) / Math.max(1, rect.width)) * canvas.width,
        ((event.clientY - rect.top) / Math.max(1, rect.height)) * canvas.height
      ];
    };
    const stroke = (to: [number, number]) => {
      const context = canvas.getContext('2d');
      if (!context) {
        return;
      }
      context.strokeStyle = '#fff';
      context.fillStyle = '#fff';
      context.lineCap = 'round';
      context.lineJoin = 'round';
      context.lineWidth = canvas.width / 7;
      context.beginPath();
      const from = last ?? to;
      context.moveTo(from[0], from[1]);
      context.lineTo(to[0] + (from === to ? 0.01 : 0), to[1]);
      context.stroke();
      last = to;
    };
    canvas.addEventListener('pointerdown', event => {
      drawing = true;
      last = null;
      canvas.setPointerCapture?.(event.pointerId);
      stroke(point(event));
      event.preventDefault();
    });
    canvas.addEventListener('pointermove', event => {
      if (drawing) {
        stroke(point(event));
      }
    });
    const end = () => {
      if (!drawing) {
        return;
      }
      drawing = false;
      last = null;
      this._onDrawn();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('pointerleave', end);
    this._clearDrawing(false);
  }

  private _clearDrawing(request = true): void {
    const context = this._drawCanvas.getContext && this._drawCanvas.getContext('2d');
    if (context) {
      context.fillStyle = '#000';
      context.fillRect(0, 0, this._drawCanvas.width, this._drawCanvas.height);
    }
    if (request && !('index' in this._input)) {
      this._choose({ index: Number(this._indexInput.value) || 0 });
    }
  }

  private _inputSize(): [number, number] {
    const shape = this.dataset?.input_shape ?? [1, 8, 8];
    return [shape[shape.length - 2] ?? 8, shape[shape.length - 1] ?? 8];
  }

  /** A finished stroke: the drawing, downsampled to the data set's size, becomes the input. */
  private _onDrawn(): void {
    const context = this._drawCanvas.getContext('2d');
    if (!context) {
      return;
    }
    const { width, height } = this._drawCanvas;
    const ink = rgbaToInk(context.getImageData(0, 0, width, height).data, width, height);
    const [h, w] = this._inputSize();
    this._choose({ pixels: drawingToPixels(ink, w, h), origin: 'drawing' });
  }

  private async _onUpload(file: File): Promise<void> {
    try {
      const url = URL.createObjectURL(file);
      const image = new Image();
      await new Promise<void>((resolve, reject) => {
        image.onload = () => resolve();
        image.onerror = () =>
          reject(new Error(trans.__('this file is not an image the browser can read')));
        image.src = url;
      });
      const scale = Math.min(1, 256 / Math.max(image.naturalWidth, image.naturalHeight));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      const ink = rgbaToInk(
        context.getImageData(0, 0, canvas.width, canvas.height).data,
        canvas.width,
        canvas.height
      );
      const [h, w] = this._inputSize();
      this._choose({ pixels: imageToPixels(ink, w, h), origin: 'upload' });
    } catch (error) {
      this._onError(trans.__('Cannot use this picture: %1', (error as Error).message));
    }
  }

  /** The learner's drawing or picture, as the model will get it. */
  renderPreviewPixels(pixels: number[][]): void {
    const h = pixels.length;
    const w = h ? pixels[0].length : 0;
    const flat = ([] as number[]).concat(...pixels);
    const canvas = heatmap(flat, h, w, {
      cell: cellSize(w, 128),
      mode: 'sequential',
      range: [0, 1],
      title: trans.__('Your drawing, as the model gets it')
    });
    canvas.classList.add('dlviz-grey');
    paintGrey(canvas, flat, 0, 1);
    this._preview.replaceChildren(canvas, el('div', 'dlviz-muted', trans.__('%1×%2 pixels', w, h)));
  }

  /** The input of an inspect result, in grey, with its true class when it is a data set image. */
  renderPreview(result: CnnInspected): void {
    const image = result.input?.image;
    if (!image) {
      return;
    }
    const [, h, w] = image.shape;
    const range = this.dataset?.pixel_range ?? [0, 1];
    const canvas = heatmap(image.data.subarray(0, h * w), h, w, { cell: cellSize(w, 128) });
    paintGrey(canvas, image.data.subarray(0, h * w), range[0], range[1]);
    const label = result.input?.label;
    const index = result.input?.index;
    const caption =
      typeof index === 'number' && 'index' in this._input
        ? typeof label === 'number'
          ? trans.__('Image %1, labelled %2', index, this._classNames[label] ?? label)
          : trans.__('Image %1', index)
        : trans.__('Your picture');
    const size = trans.__('%1 · %2×%3 pixels, values %4–%5', caption, w, h, range[0], range[1]);
    this._preview.replaceChildren(canvas, el('div', 'dlviz-muted', size));
    this._indexLabel.textContent =
      'index' in this._input && typeof label === 'number'
        ? trans.__('True class: %1', this._classNames[label] ?? label)
        : '';
  }
}

/** Append children to an element and return it. */
function fill(node: HTMLElement, ...children: Node[]): HTMLElement {
  for (const child of children) {
    node.appendChild(child);
  }
  return node;
}

/** Repaint a heat map canvas in grey (an input image: dark background, light ink). */
function paintGrey(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  low: number,
  high: number
): void {
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return;
  }
  const image = context.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < canvas.width * canvas.height; i++) {
    const t = high > low ? Math.max(0, Math.min(1, (values[i] - low) / (high - low))) : 0;
    image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = Math.round(t * 255);
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
