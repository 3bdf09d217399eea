/**
 * Downloads of the Transformer view: one offline HTML file (a BertViz view's own document, or a
 * snapshot of the parts drawn in the page) and a PNG of the picture.
 */
import {
  canvasPng,
  currentTheme,
  downloadBlob,
  fileNameOf,
  requestFramePng,
  scatterPng,
  stepsPng
} from '../shared/frame';
import { trans } from '../../i18n';
import { snapshotHtml } from '../shared/snapshot';

/** What is shown: the header and picture host, the title, and a BertViz view's document and kind. */
export interface IShown {
  header: HTMLElement;
  frameHost: HTMLElement;
  title: string;
  /** The BertViz document in the iframe ('' for parts drawn in the page). */
  doc: string;
  kind: string;
}

/** The export buttons (HTML, PNG) and their status line. */
export function exportButtons(shown: () => IShown): HTMLElement {
  const box = document.createElement('span');
  box.className = 'dlviz-view-controls';
  const html = document.createElement('button');
  html.className = 'jp-mod-styled dlviz-view-download';
  html.dataset.testid = 'dlviz-download-html';
  html.textContent = trans.__('Download HTML');
  html.title = trans.__('Save this view as one HTML file that works offline');
  html.onclick = () => downloadHtml(shown());
  const png = document.createElement('button');
  png.className = 'jp-mod-styled dlviz-view-download';
  png.dataset.testid = 'dlviz-download-png';
  png.textContent = 'PNG';
  png.title = trans.__('Save this picture as a PNG image');
  png.onclick = () => void downloadPng(shown());
  const status = document.createElement('span');
  status.className = 'dlviz-export-status';
  box.append(html, png, status);
  return box;
}

function exportStatus(shown: IShown, text: string): void {
  const status = shown.header.querySelector('.dlviz-export-status');
  if (status) {
    status.textContent = text;
  }
}

/** Save the view as one offline HTML file (the BertViz views: the same document as the iframe). */
export function downloadHtml(shown: IShown): void {
  if (shown.doc) {
    downloadBlob(
      new Blob([shown.doc], { type: 'text/html' }),
      fileNameOf(`${shown.title}-${shown.kind}`, 'html')
    );
    return;
  }
  // The views drawn in the page (step by step, token map, long input): a snapshot of their DOM.
  if (
    !shown.frameHost.querySelector(
      '.dlviz-steps, svg.dlviz-projection, canvas[data-testid="dlviz-long-matrix"]'
    )
  ) {
    exportStatus(shown, trans.__('Nothing to export yet.'));
    return;
  }
  try {
    const doc = snapshotHtml([shown.header, shown.frameHost], { title: shown.title });
    downloadBlob(new Blob([doc], { type: 'text/html' }), fileNameOf(shown.title, 'html'));
  } catch (error) {
    exportStatus(shown, trans.__('Cannot export the HTML: %1', (error as Error).message));
  }
}

/**
 * Save the picture as PNG: a BertViz view's SVG (drawn to PNG inside its iframe, sent back by
 * postMessage), the token map's SVG, the long-input attention matrix canvas, or the
 * step-by-step view's matrices stacked into one picture.
 */
export async function downloadPng(shown: IShown): Promise<void> {
  const host = shown.frameHost;
  const frame = host.querySelector('iframe');
  const name = fileNameOf(frame ? `${shown.title}-${shown.kind}` : shown.title, 'png');
  try {
    const projection = host.querySelector<SVGSVGElement>('svg.dlviz-projection');
    const matrix = host.querySelector<HTMLCanvasElement>('canvas[data-testid="dlviz-long-matrix"]');
    const steps = host.querySelector<HTMLElement>('.dlviz-steps');
    const theme = currentTheme();
    let blob: Blob;
    if (steps) {
      blob = await stepsPng(steps, theme?.background || '#ffffff', theme?.foreground || '#000000');
    } else if (frame) {
      blob = await requestFramePng(frame);
    } else if (projection) {
      blob = await scatterPng(
        projection,
        theme?.background || '#ffffff',
        theme?.foreground || '#000000'
      );
    } else if (matrix) {
      blob = await canvasPng(matrix);
    } else {
      exportStatus(shown, trans.__('Nothing to export yet.'));
      return;
    }
    downloadBlob(blob, name);
  } catch (error) {
    exportStatus(shown, trans.__('Cannot export a PNG: %1', (error as Error).message));
  }
}
