/**
 * Downloads of the RNN views through the shared snapshot and export helpers: one offline HTML
 * file of the header and every section, and a PNG of the main picture with its step labels,
 * drawn on the theme's background.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { canvasPng, currentTheme, downloadBlob, fileNameOf } from '../shared/frame';
import { snapshotHtml } from '../shared/snapshot';
import { stepLabels } from './rnnLogic';
import { IRnnState, layerOf, stepsOf } from './rnnState';

export interface IExportSource {
  title: string;
  /** The nodes the HTML copy holds. */
  nodes: () => HTMLElement[];
  /** The picture of the PNG and the labels of its columns (null when nothing is drawn). */
  picture: () => { canvas: HTMLCanvasElement; labels: string[]; caption: string } | null;
}

/** The HTML and PNG buttons and their status line. */
export function exportButtons(source: IExportSource): HTMLElement {
  const status = el('span', 'dlviz-export-status');
  const html = el('button', 'jp-mod-styled dlviz-view-download', trans.__('Download HTML'));
  html.setAttribute('data-testid', 'dlviz-download-html');
  html.title = trans.__('Save this view as one HTML file that works offline');
  html.onclick = () => {
    try {
      const doc = snapshotHtml(source.nodes(), { title: source.title });
      downloadBlob(new Blob([doc], { type: 'text/html' }), fileNameOf(source.title, 'html'));
    } catch (error) {
      status.textContent = trans.__('Cannot export the HTML: %1', (error as Error).message);
    }
  };
  const png = el('button', 'jp-mod-styled dlviz-view-download', 'PNG');
  png.setAttribute('data-testid', 'dlviz-download-png');
  png.title = trans.__('Save this picture as a PNG image');
  png.onclick = async () => {
    try {
      const picture = source.picture();
      if (!picture) {
        status.textContent = trans.__('Nothing to export yet.');
        return;
      }
      downloadBlob(await labelledPng(picture), fileNameOf(source.title, 'png'));
    } catch (error) {
      status.textContent = trans.__('Cannot export a PNG: %1', (error as Error).message);
    }
  };
  return el('span', 'dlviz-view-controls', undefined, html, png, status);
}

/** A heat map canvas scaled up, its caption above it and its column labels along the top. */
function labelledPng(picture: {
  canvas: HTMLCanvasElement;
  labels: string[];
  caption: string;
}): Promise<Blob> {
  const theme = currentTheme();
  const source = picture.canvas;
  const rect = source.getBoundingClientRect();
  const width = Math.max(1, Math.round(rect.width || source.width));
  const height = Math.max(1, Math.round(rect.height || source.height));
  const top = 44;
  const canvas = document.createElement('canvas');
  const measure = canvas.getContext('2d')!;
  measure.font = 'bold 13px sans-serif';
  const full = Math.ceil(Math.max(width, measure.measureText(picture.caption).width)) + 20;
  canvas.width = full * 2;
  canvas.height = (height + top + 10) * 2;
  const context = canvas.getContext('2d')!;
  context.scale(2, 2);
  context.fillStyle = theme?.background || '#ffffff';
  context.fillRect(0, 0, full, height + top + 10);
  context.fillStyle = theme?.foreground || '#000000';
  context.font = 'bold 13px sans-serif';
  context.fillText(picture.caption, 10, 16);
  context.font = '10px monospace';
  const column = width / Math.max(1, picture.labels.length);
  if (column >= 6) {
    picture.labels.forEach((label, t) =>
      context.fillText(label.slice(0, 2), 10 + t * column + 1, top - 6)
    );
  }
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 10, top, width, height);
  return canvasPng(canvas);
}

/** The PNG's picture of the explorer: the hidden-state heat map with its step labels. */
export function heatmapPicture(canvas: HTMLCanvasElement | null, state: IRnnState | null) {
  if (!canvas || !state) {
    return null;
  }
  return {
    canvas,
    labels: stepLabels(state.result.input.characters, stepsOf(state)),
    caption: trans.__('Hidden states of layer %1, units × steps', layerOf(state).layer + 1)
  };
}
