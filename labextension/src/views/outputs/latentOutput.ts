/** `show.latent_space`: the codes of an encoder as points, and what a decoder makes of the plane. */
import { trans } from '../../i18n';
import { decodeArray, isEncodedArray, NDArray } from '../../api/arrays';
import { el, heatmap } from '../shared/draw';
import {
  classLegend,
  context2d,
  drawPoints,
  header,
  makeCanvas,
  onThemeChange,
  themeInk
} from './canvas';
import { classNames, planeScale, pointRange, presentClasses } from './outputLogic';

export const PLANE_SIZE = 360;
/** The side of the decoded grid in pixels (about). */
export const DECODED_SIZE = 240;

export function renderLatent(payload: { [key: string]: any }, node: HTMLElement): void {
  if (!isEncodedArray(payload.points)) {
    throw new Error(trans.__('the output holds no points'));
  }
  const points = decodeArray(payload.points).data;
  const labels = isEncodedArray(payload.labels) ? decodeArray(payload.labels).data : null;
  const dims = Number(payload.latent_dims);
  const how =
    payload.method === 'pca'
      ? trans.__('%1-D codes, drawn on their first two principal axes (PCA)', dims)
      : trans.__('%1-D codes, drawn as they are', dims);
  const facts = trans.__(
    '%1: %2 inputs; %3',
    String(payload.model ?? trans.__('encoder')),
    points.length / 2,
    how
  );
  const canvas = makeCanvas(PLANE_SIZE, PLANE_SIZE, trans.__('Latent space'));
  const xRange = pointRange(points, 0);
  const yRange = pointRange(points, 1);
  const draw = () => {
    const ctx = context2d(canvas);
    if (!ctx) {
      return;
    }
    const ink = themeInk();
    const [r, g, b] = ink.background;
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(0, 0, PLANE_SIZE, PLANE_SIZE);
    ctx.strokeStyle = ink.faint;
    ctx.strokeRect(0.5, 0.5, PLANE_SIZE - 1, PLANE_SIZE - 1);
    drawPoints(
      ctx,
      points,
      labels,
      planeScale(xRange, PLANE_SIZE),
      planeScale(yRange, PLANE_SIZE, true),
      ink,
      2.5
    );
  };
  draw();
  onThemeChange(node, draw);
  const parts: HTMLElement[] = [header(facts), canvas];
  if (labels) {
    const shown = presentClasses(labels);
    const count = Math.max(0, ...shown) + 1;
    parts.push(
      classLegend(
        classNames(payload.class_names, count, k => trans.__('class %1', k)),
        shown
      )
    );
  }
  const decoded = payload.decoded;
  if (decoded && isEncodedArray(decoded.images)) {
    parts.push(
      el(
        'div',
        'dlviz-view-explanation',
        trans.__(
          'What the decoder makes of a %1 x %1 grid of points spread over the plane (left to right: first axis; top to bottom: second axis, from high to low).',
          decoded.grid
        )
      ),
      decodedGrid(decodeArray(decoded.images), Number(decoded.grid))
    );
  }
  node.replaceChildren(...parts);
}

/** The decoded pictures [K, H, W] side by side in a grid x grid mosaic on one canvas. */
function decodedGrid(images: NDArray, grid: number): HTMLCanvasElement {
  const [count, h, w] = images.shape;
  const gap = 1;
  const mosaicW = grid * (w + gap) - gap;
  const mosaicH = grid * (h + gap) - gap;
  const values = new Float32Array(mosaicW * mosaicH).fill(NaN);
  for (let k = 0; k < Math.min(count, grid * grid); k++) {
    const top = Math.floor(k / grid) * (h + gap);
    const left = (k % grid) * (w + gap);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        values[(top + i) * mosaicW + left + j] = images.data[k * h * w + i * w + j];
      }
    }
  }
  const cell = Math.max(1, Math.floor(DECODED_SIZE / Math.max(mosaicW, mosaicH)));
  const canvas = heatmap(values, mosaicH, mosaicW, {
    cell,
    mode: 'sequential',
    title: trans.__('Decoded grid')
  });
  canvas.classList.add('dlviz-output-decoded');
  return canvas;
}
