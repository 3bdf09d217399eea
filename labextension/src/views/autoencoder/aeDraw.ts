/**
 * Images of the autoencoder explorer on canvases: one image, a strip of images with captions,
 * and a mosaic of a grid of images. Pixels come from aeLogic's `imageRgba`.
 */
import { NDArray } from '../../api/arrays';
import { el } from '../shared/draw';
import { imageRgba } from './aeLogic';

/** The value range images are drawn in (the data set's pixel range; [0, 1] by default). */
export type PixelRange = [number, number];

/** The shape [C, H, W] of the images along the last three axes of `images`. */
export function imageShape(images: NDArray): [number, number, number] {
  const s = images.shape;
  return [s[s.length - 3] ?? 1, s[s.length - 2] ?? 1, s[s.length - 1] ?? 1];
}

/** Paint image `index` of `images` (its last three axes are C, H, W) into `canvas`. */
export function paintImage(
  canvas: HTMLCanvasElement,
  images: NDArray,
  index: number,
  range: PixelRange = [0, 1]
): void {
  const shape = imageShape(images);
  const [c, h, w] = shape;
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return;
  }
  const pixels = imageRgba(images.data, index * c * h * w, shape, range[0], range[1]);
  const data = context.createImageData(w, h);
  data.data.set(pixels);
  context.putImageData(data, 0, 0);
}

/** A canvas showing image `index`, `size` CSS pixels wide. */
export function imageCanvas(
  images: NDArray,
  index: number,
  size: number,
  range?: PixelRange
): HTMLCanvasElement {
  const canvas = el('canvas', 'dlviz-heatmap dlviz-ae-image');
  const [, h, w] = imageShape(images);
  paintImage(canvas, images, index, range);
  canvas.style.width = `${size}px`;
  canvas.style.height = `${Math.round((size * h) / w)}px`;
  return canvas;
}

/** A row of images with a caption under each (or none). */
export function imageStrip(
  images: NDArray,
  size: number,
  captions: (string | null)[] = [],
  range?: PixelRange
): HTMLElement {
  const count = images.shape.length >= 4 ? images.shape[0] : 1;
  const row = flexRow('dlviz-ae-strip');
  for (let i = 0; i < count; i++) {
    const figure = el('figure', 'dlviz-ae-figure', undefined, imageCanvas(images, i, size, range));
    Object.assign(figure.style, { margin: '0', textAlign: 'center', fontSize: '11px' });
    const caption = captions[i];
    if (caption) {
      figure.appendChild(el('figcaption', undefined, caption));
    }
    row.appendChild(figure);
  }
  return row;
}

/** One canvas holding a G x G grid of images [G, G, C, H, W] (row 0 at the top), `cell` px each. */
export function mosaic(
  images: NDArray,
  cell: number,
  range: PixelRange = [0, 1]
): HTMLCanvasElement {
  const rows = images.shape[0];
  const cols = images.shape[1];
  const shape = imageShape(images);
  const [c, h, w] = shape;
  const canvas = el('canvas', 'dlviz-heatmap dlviz-ae-mosaic');
  canvas.width = cols * w;
  canvas.height = rows * h;
  canvas.style.width = `${cols * cell}px`;
  canvas.style.height = `${Math.round((rows * cell * h) / w)}px`;
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return canvas;
  }
  const data = context.createImageData(canvas.width, canvas.height);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const pixels = imageRgba(images.data, (r * cols + q) * c * h * w, shape, range[0], range[1]);
      for (let y = 0; y < h; y++) {
        const to = 4 * ((r * h + y) * canvas.width + q * w);
        data.data.set(pixels.subarray(4 * y * w, 4 * (y + 1) * w), to);
      }
    }
  }
  context.putImageData(data, 0, 0);
  return canvas;
}

/** A wrapping row (the explorer's own layout, without a stylesheet of its own). */
export function flexRow(className: string, ...children: (Node | null)[]): HTMLElement {
  const row = el('div', className, undefined, ...children);
  Object.assign(row.style, {
    display: 'flex',
    flexWrap: 'wrap',
    gap: '8px',
    alignItems: 'flex-start',
    margin: '4px 0'
  });
  return row;
}

/** A small label in front of a row of images. */
export function rowLabel(text: string): HTMLElement {
  const label = el('span', 'dlviz-ae-row-label', text);
  Object.assign(label.style, { width: '110px', fontSize: '12px', alignSelf: 'center' });
  return label;
}
