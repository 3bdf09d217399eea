/**
 * One matrix of the step-by-step view as a learner reads it: a table with the numbers for a
 * small matrix, a heatmap canvas with the value under the pointer for a large one.
 */
import { trans } from '../../i18n';
import { divergingColor, sequentialColor } from '../shared/colors';
import { el, heatmap } from '../shared/draw';
import { cellShape, finiteRange, formatValue, robustLimit, showNumbers } from './transformerLogic';

export interface IMatrixOptions {
  rowLabels?: string[];
  colLabels?: string[];
  mode?: 'diverging' | 'sequential';
  highlightRow?: number | null;
  range?: [number, number];
}

function cssColor(rgb: [number, number, number]): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

/** One matrix: a table with numbers for small ones, a canvas with a hover read-out for large ones. */
export function matrixView(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: IMatrixOptions = {}
): HTMLElement {
  const mode = options.mode ?? 'diverging';
  const [lo, hi] = options.range ?? finiteRange(values);
  const limit = robustLimit(values);
  const color = (v: number): string =>
    !Number.isFinite(v)
      ? 'var(--jp-layout-color3, #999)'
      : cssColor(mode === 'diverging' ? divergingColor(v, limit) : sequentialColor(v, lo, hi));
  const box = el('div', 'dlviz-matrix');
  box.dataset.rows = String(rows);
  box.dataset.cols = String(cols);
  if (showNumbers(rows, cols)) {
    const table = el('table', 'dlviz-matrix-table');
    if (options.colLabels) {
      const head = el('tr');
      head.appendChild(el('th'));
      for (const label of options.colLabels) {
        head.appendChild(el('th', 'dlviz-col-label', label));
      }
      table.appendChild(head);
    }
    for (let i = 0; i < rows; i++) {
      const tr = el('tr', i === options.highlightRow ? 'dlviz-row-highlight' : undefined);
      tr.appendChild(el('th', 'dlviz-row-label', options.rowLabels?.[i] ?? String(i)));
      for (let j = 0; j < cols; j++) {
        const v = values[i * cols + j];
        const td = el('td', 'dlviz-cell', formatValue(v));
        td.style.background = color(v);
        td.title = `${options.rowLabels?.[i] ?? i} · ${options.colLabels?.[j] ?? j}: ${v}`;
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
  }
  const [cellW, cell] = cellShape(rows, cols);
  const finite = Float32Array.from({ length: rows * cols }, (_, k) =>
    Number.isFinite(values[k]) ? values[k] : lo
  );
  const canvas = heatmap(finite, rows, cols, {
    cell: cellW,
    mode,
    limit: mode === 'diverging' ? limit : undefined,
    range: mode === 'sequential' ? [lo, hi] : undefined
  });
  canvas.style.height = `${rows * cell}px`;
  canvas.style.imageRendering = 'pixelated';
  const readout = el('div', 'dlviz-matrix-readout', trans.__('Point at a cell to read its value.'));
  canvas.onmousemove = event => {
    const rect = canvas.getBoundingClientRect();
    const j = Math.floor(((event.clientX - rect.left) / rect.width) * cols);
    const i = Math.floor(((event.clientY - rect.top) / rect.height) * rows);
    if (i >= 0 && i < rows && j >= 0 && j < cols) {
      const row = options.rowLabels?.[i] ?? trans.__('row %1', i);
      const column = options.colLabels?.[j] ?? trans.__('column %1', j);
      readout.textContent = `${row}, ${column}: ${formatValue(values[i * cols + j])}`;
    }
  };
  const grid = el('div', 'dlviz-matrix-grid');
  if (options.rowLabels && cell >= 10) {
    const labels = el('div', 'dlviz-matrix-rows');
    options.rowLabels.forEach((label, i) => {
      const item = el(
        'div',
        i === options.highlightRow ? 'dlviz-row-label dlviz-row-highlight' : 'dlviz-row-label',
        label
      );
      item.style.height = `${cell}px`;
      item.style.lineHeight = `${cell}px`;
      labels.appendChild(item);
    });
    grid.appendChild(labels);
  }
  grid.appendChild(canvas);
  box.append(grid, readout);
  return box;
}
