/** `show.decision_boundary`: the classes a 2-D classifier gives over the plane, with the points. */
import { trans } from '../../i18n';
import { decodeArray, isEncodedArray } from '../../api/arrays';
import { el } from '../shared/draw';
import {
  classLegend,
  context2d,
  drawPoints,
  header,
  makeCanvas,
  onThemeChange,
  themeInk
} from './canvas';
import { boundaryPixels, classNames, planeScale, presentClasses } from './outputLogic';

/** The plane's side in pixels. */
export const PLANE_SIZE = 360;

export function renderBoundary(payload: { [key: string]: any }, node: HTMLElement): void {
  if (!isEncodedArray(payload.predicted) || !isEncodedArray(payload.probabilities)) {
    throw new Error(trans.__('the output holds no grid of predictions'));
  }
  const predicted = decodeArray(payload.predicted);
  const probabilities = decodeArray(payload.probabilities);
  const points = isEncodedArray(payload.points)
    ? decodeArray(payload.points).data
    : new Float32Array(0);
  const labels = isEncodedArray(payload.labels) ? decodeArray(payload.labels).data : null;
  const grid = predicted.shape[0];
  const classes = probabilities.shape[2];
  const xRange = payload.x_range as [number, number];
  const yRange = payload.y_range as [number, number];
  const names = classNames(payload.class_names, classes, k => trans.__('class %1', k));
  const total = Number(payload.points_total ?? points.length / 2);
  let facts = trans.__(
    '%1: %2 classes, %3 points, accuracy %4%',
    String(payload.model ?? trans.__('model')),
    classes,
    total,
    (Number(payload.accuracy) * 100).toFixed(1)
  );
  if (points.length / 2 < total) {
    facts += ' ' + trans.__('(the first %1 points drawn)', points.length / 2);
  }
  const canvas = makeCanvas(PLANE_SIZE, PLANE_SIZE, trans.__('Decision boundary'));
  canvas.dataset.grid = String(grid);
  const draw = () => {
    const ctx = context2d(canvas);
    if (!ctx) {
      return;
    }
    const ink = themeInk();
    const cells = document.createElement('canvas');
    cells.width = grid;
    cells.height = grid;
    const cellsCtx = context2d(cells);
    if (cellsCtx) {
      const image = cellsCtx.createImageData(grid, grid);
      image.data.set(
        boundaryPixels(predicted.data, probabilities.data, grid, classes, ink.background)
      );
      cellsCtx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(cells, 0, 0, PLANE_SIZE, PLANE_SIZE);
    }
    drawPoints(
      ctx,
      points,
      labels,
      planeScale(xRange, PLANE_SIZE),
      planeScale(yRange, PLANE_SIZE, true),
      ink
    );
  };
  draw();
  onThemeChange(node, draw);
  const shown = presentClasses(labels ?? []);
  const all = Array.from({ length: classes }, (_, k) => k);
  const note = el(
    'div',
    'dlviz-view-explanation',
    trans.__(
      'Each cell of the %1 x %1 grid has the colour of the class the model gives there, stronger where it is surer; the dots are your points, coloured by their true class.',
      grid
    )
  );
  node.replaceChildren(
    header(facts),
    canvas,
    classLegend(
      names,
      Array.from(new Set([...all, ...shown])).sort((a, b) => a - b)
    ),
    note
  );
}
