/**
 * The sandboxed iframe every BertViz-style view is drawn in (scripts allowed, no same-origin: it
 * cannot reach the page or the server), the theme's colors, and downloads of a view.
 */
import { trans } from '../../i18n';

/** Colors of the document, taken from the JupyterLab theme so a dark theme stays dark. */
export interface IViewTheme {
  background: string;
  foreground: string;
  fontFamily?: string;
}

/** A sandboxed iframe showing `doc`. With `autoHeight`, it grows to the height its document reports. */
export function createViewFrame(doc: string, title: string, autoHeight = false): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.className = 'dlviz-view-frame';
  // Scripts only: no same-origin, so the view cannot touch JupyterLab or the server.
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('title', title);
  if (autoHeight) {
    const onMessage = (event: MessageEvent) => {
      if (!frame.isConnected) {
        window.removeEventListener('message', onMessage);
        return;
      }
      if (event.source !== frame.contentWindow) {
        return;
      }
      const height = Number((event.data as { dlvizHeight?: unknown } | null)?.dlvizHeight);
      if (Number.isFinite(height) && height > 0) {
        frame.style.height = `${Math.min(Math.max(height + 4, 120), 4000)}px`;
      }
    };
    window.addEventListener('message', onMessage);
  }
  frame.srcdoc = doc;
  return frame;
}

/** The JupyterLab theme's colors, read from its CSS variables (the iframe cannot see them). */
export function currentTheme(): IViewTheme | undefined {
  if (typeof document === 'undefined' || !document.body) {
    return undefined;
  }
  const style = getComputedStyle(document.body);
  const read = (name: string) => style.getPropertyValue(name).trim();
  const background = read('--jp-layout-color0');
  const foreground = read('--jp-ui-font-color0') || read('--jp-content-font-color0');
  if (!background || !foreground) {
    return undefined;
  }
  return { background, foreground, fontFamily: read('--jp-ui-font-family') || undefined };
}

/** Save a blob under a file name (an `<a download>` click). */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a title: letters, digits, - and _ only. */
export function fileNameOf(title: string, extension: string): string {
  const base =
    title
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'dlviz-view';
  return `${base}.${extension}`;
}

/** Ask a view's iframe for a PNG of its picture (see PNG_EXPORTER in bertviz.ts). */
export function requestFramePng(frame: HTMLIFrameElement, timeoutMs = 10_000): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const target = frame.contentWindow;
    if (!target) {
      reject(new Error(trans.__('the view is not shown')));
      return;
    }
    const done = () => {
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.source !== target) {
        return;
      }
      const data = event.data as { dlvizPng?: unknown; dlvizPngError?: unknown } | null;
      if (
        typeof data?.dlvizPng === 'string' &&
        data.dlvizPng.startsWith('data:image/png;base64,')
      ) {
        done();
        resolve(dataUrlToBlob(data.dlvizPng));
      } else if (typeof data?.dlvizPngError === 'string') {
        done();
        reject(new Error(data.dlvizPngError));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(trans.__('the view did not answer')));
    }, timeoutMs);
    window.addEventListener('message', onMessage);
    target.postMessage({ dlvizExport: 'png' }, '*');
  });
}

/** A base64 data: URL as a Blob. */
export function dataUrlToBlob(url: string): Blob {
  const [head, body] = url.split(',', 2);
  const type = /^data:([^;]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return new Blob([bytes], { type });
}

/** A canvas as a PNG blob. */
export function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      blob => (blob ? resolve(blob) : reject(new Error(trans.__('the canvas gave no image')))),
      'image/png'
    )
  );
}

/**
 * A scatter SVG (circles and text labels, as the token map draws it) redrawn onto a canvas, 2x,
 * as PNG: no SVG image decoding involved.
 */
export function scatterPng(
  svg: SVGSVGElement,
  background: string,
  foreground = '#000'
): Promise<Blob> {
  const width = Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width;
  const height = Number(svg.getAttribute('height')) || svg.getBoundingClientRect().height;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * 2);
  canvas.height = Math.ceil(height * 2);
  const context = canvas.getContext('2d')!;
  context.fillStyle = background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.scale(2, 2);
  context.font = '11px sans-serif';
  svg.querySelectorAll('circle').forEach(circle => {
    context.beginPath();
    context.arc(
      Number(circle.getAttribute('cx')),
      Number(circle.getAttribute('cy')),
      Number(circle.getAttribute('r')) || 4,
      0,
      2 * Math.PI
    );
    context.fillStyle = circle.getAttribute('fill') || foreground;
    context.fill();
  });
  svg.querySelectorAll('text').forEach(text => {
    context.fillStyle = text.getAttribute('fill') || foreground;
    context.fillText(
      text.textContent ?? '',
      Number(text.getAttribute('x')),
      Number(text.getAttribute('y'))
    );
  });
  return canvasPng(canvas);
}

/**
 * The step-by-step view as one PNG: every step's title and formula, then each of its matrices
 * with its caption, stacked top to bottom. A matrix drawn as a canvas is copied; a small one
 * (a table of numbers) is redrawn cell by cell with its colours and numbers.
 */
export function stepsPng(
  root: HTMLElement,
  background: string,
  foreground = '#000'
): Promise<Blob> {
  type Item = {
    height: number;
    width: number;
    paint: (c: CanvasRenderingContext2D, y: number) => void;
  };
  const items: Item[] = [];
  const text = (value: string, font: string, height: number, color = foreground): Item => ({
    height,
    width: Math.min(1600, 8 * value.length + 20),
    paint: (c, y) => {
      c.font = font;
      c.fillStyle = color;
      c.fillText(value, 10, y + height - 6);
    }
  });
  const LABEL = 90;
  const CELL_W = 44;
  const CELL_H = 18;
  for (const section of Array.from(root.querySelectorAll<HTMLElement>('.dlviz-step'))) {
    const title = section.querySelector('.dlviz-step-title')?.textContent ?? '';
    const formula = section.querySelector('.dlviz-formula')?.textContent ?? '';
    items.push(text(title, 'bold 15px sans-serif', 26));
    if (formula) {
      items.push(text(formula, '12px monospace', 20));
    }
    for (const matrix of Array.from(section.querySelectorAll<HTMLElement>('.dlviz-matrix'))) {
      const caption = matrix.closest('figure')?.querySelector('figcaption')?.textContent;
      if (caption) {
        items.push(text(caption, 'italic 12px sans-serif', 18));
      }
      const canvas = matrix.querySelector('canvas');
      const table = matrix.querySelector('table');
      if (canvas) {
        const labels = Array.from(
          matrix.querySelectorAll('.dlviz-matrix-rows .dlviz-row-label')
        ).map(l => l.textContent ?? '');
        const rows = Number(matrix.dataset.rows) || labels.length || 1;
        const height = Math.max(1, canvas.getBoundingClientRect().height || canvas.height);
        const left = labels.length ? LABEL : 10;
        items.push({
          height: height + 6,
          width: left + canvas.width + 10,
          paint: (c, y) => {
            c.imageSmoothingEnabled = false;
            c.drawImage(canvas, left, y, canvas.width, height);
            c.font = '10px sans-serif';
            c.fillStyle = foreground;
            labels.forEach((label, i) =>
              c.fillText(label.slice(0, 12), 10, y + ((i + 0.7) * height) / rows)
            );
          }
        });
      } else if (table) {
        const trs = Array.from(table.querySelectorAll('tr'));
        const cols = Math.max(...trs.map(tr => tr.children.length), 1);
        items.push({
          height: trs.length * CELL_H + 6,
          width: LABEL + (cols - 1) * CELL_W + 10,
          paint: (c, y) => {
            c.font = '10px sans-serif';
            trs.forEach((tr, i) => {
              Array.from(tr.children).forEach((cell, j) => {
                const x = j === 0 ? 10 : LABEL + (j - 1) * CELL_W;
                const top = y + i * CELL_H;
                if (cell.tagName === 'TD') {
                  c.fillStyle = getComputedStyle(cell).backgroundColor || background;
                  c.fillRect(x, top, CELL_W - 1, CELL_H - 1);
                  c.fillStyle = getComputedStyle(cell).color || foreground;
                } else {
                  c.fillStyle = foreground;
                }
                c.fillText(
                  (cell.textContent ?? '').slice(0, j === 0 ? 12 : 6),
                  x + 2,
                  top + CELL_H - 5
                );
              });
            });
          }
        });
      }
    }
    items.push({ height: 12, width: 0, paint: () => undefined });
  }
  const canvas = document.createElement('canvas');
  canvas.width = Math.min(8000, Math.max(200, ...items.map(i => i.width)));
  canvas.height = Math.min(
    30000,
    Math.max(
      50,
      items.reduce((sum, i) => sum + i.height, 0)
    )
  );
  const context = canvas.getContext('2d')!;
  context.fillStyle = background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  let y = 0;
  for (const item of items) {
    item.paint(context, y);
    y += item.height;
  }
  return canvasPng(canvas);
}
