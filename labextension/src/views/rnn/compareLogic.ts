/**
 * Pure logic of the comparison view: how far back a cell's memory reaches, and the PNG of the
 * memory plots side by side (a canvas, painted from the numbers). Tested by jest.
 */
import { shares } from './rnnLogic';

/**
 * How far back the prediction at `step` reaches: `first` is the gradient at input step 0 as a
 * share of the largest, `steps` how many steps before `step` the earliest input lies whose
 * gradient is at least `cut` of the largest.
 */
export function memoryReach(
  norms: ArrayLike<number>,
  step: number,
  cut = 0.1
): { first: number; steps: number } {
  const s = shares(norms);
  const last = Math.max(0, Math.min(step, s.length - 1));
  let earliest = last;
  for (let i = last; i >= 0; i--) {
    if (s[i] >= cut) {
      earliest = i;
    }
  }
  return { first: s.length ? s[0] : 0, steps: last - earliest };
}

/** The memory plots of the cells side by side on one canvas, each scaled to its own largest. */
export function paintMemory(
  cells: { name: string; norms: ArrayLike<number> }[]
): HTMLCanvasElement {
  const width = 300;
  const height = 120;
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, cells.length) * (width + 20);
  canvas.height = height + 30;
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return canvas;
  }
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  cells.forEach((cell, k) => {
    const left = k * (width + 20) + 10;
    context.fillStyle = '#000000';
    context.font = 'bold 12px sans-serif';
    context.fillText(cell.name, left, 14);
    const bar = width / Math.max(1, cell.norms.length);
    context.fillStyle = '#1976d2';
    shares(cell.norms).forEach((share, s) => {
      const h = share * (height - 4);
      context.fillRect(left + s * bar, 24 + height - h, Math.max(1, bar - 1), h);
    });
  });
  return canvas;
}
