/**
 * A view's DOM as one standalone HTML document that works offline: canvases become PNG images
 * (data: URLs), inline SVG stays as it is, the extension's own CSS rules and the JupyterLab theme
 * variables they use are copied in, and there is no script and no external URL.
 * No JupyterLab imports: the caller passes what reads the live page.
 */
import { languageCode, trans } from '../../i18n';
import { escapeHtml } from './html';

export interface ISnapshotOptions {
  /** The document title (escaped). */
  title: string;
  /** A canvas as a data: URL; defaults to `canvas.toDataURL('image/png')`. */
  canvasToDataUrl?: (canvas: HTMLCanvasElement) => string;
  /** CSS text to include; defaults to the page's rules that mention "dlviz". */
  css?: string;
  /** The value of a CSS variable (e.g. "--jp-layout-color0"); defaults to the body's computed style. */
  readVariable?: (name: string) => string;
}

/** The page's CSS rules that style the extension's views (selectors mentioning "dlviz"). */
export function pageCss(doc: Document = document): string {
  const out: string[] = [];
  for (const sheet of Array.from(doc.styleSheets)) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue;
    }
    for (const rule of Array.from(rules)) {
      if (rule.cssText.includes('dlviz')) {
        out.push(rule.cssText);
      }
    }
  }
  return out.join('\n');
}

function defaultReadVariable(name: string): string {
  if (typeof document === 'undefined' || !document.body || typeof getComputedStyle !== 'function') {
    return '';
  }
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}

/** Drop anything that could fetch or run: scripts, event handlers, external URLs. */
function sanitize(root: Element): void {
  root.querySelectorAll('script, iframe, link, object, embed').forEach(node => node.remove());
  const all = [root, ...Array.from(root.querySelectorAll('*'))];
  for (const node of all) {
    for (const attr of Array.from(node.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith('on') || name === 'xmlns' || name.startsWith('xmlns:')) {
        node.removeAttribute(attr.name);
      } else if (/(https?:|javascript:|\/\/)/i.test(value) && !value.startsWith('data:')) {
        node.removeAttribute(attr.name);
      }
    }
  }
}

/** Form controls as their current value in text (a clone keeps neither the choice nor the slider). */
function freezeControls(source: Element, clone: Element): void {
  const live = Array.from(source.querySelectorAll('select, input, textarea, button'));
  const copies = Array.from(clone.querySelectorAll('select, input, textarea, button'));
  live.forEach((control, k) => {
    const copy = copies[k];
    if (!copy) {
      return;
    }
    if (control instanceof HTMLButtonElement) {
      copy.remove();
      return;
    }
    let text = '';
    if (control instanceof HTMLSelectElement) {
      text = control.selectedOptions[0]?.textContent ?? control.value;
    } else if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement) {
      text = control.value;
    }
    const span = copy.ownerDocument.createElement('span');
    span.className = 'dlviz-snapshot-value';
    span.textContent = text;
    copy.replaceWith(span);
  });
}

/**
 * The nodes (cloned, in order) as one standalone HTML document.
 */
export function snapshotHtml(nodes: Element | Element[], options: ISnapshotOptions): string {
  const list = Array.isArray(nodes) ? nodes : [nodes];
  const toUrl =
    options.canvasToDataUrl ?? ((canvas: HTMLCanvasElement) => canvas.toDataURL('image/png'));
  const readVariable = options.readVariable ?? defaultReadVariable;
  const parts: string[] = [];
  for (const node of list) {
    const clone = node.cloneNode(true) as Element;
    const liveCanvases = Array.from(node.querySelectorAll('canvas'));
    const cloneCanvases = Array.from(clone.querySelectorAll('canvas'));
    liveCanvases.forEach((canvas, k) => {
      const copy = cloneCanvases[k];
      if (!copy) {
        return;
      }
      const img = clone.ownerDocument.createElement('img');
      let url = '';
      try {
        url = toUrl(canvas);
      } catch {
        url = '';
      }
      if (url.startsWith('data:image/')) {
        img.setAttribute('src', url);
      }
      img.setAttribute('width', String(canvas.width));
      img.setAttribute('height', String(canvas.height));
      const style = canvas.getAttribute('style');
      if (style) {
        img.setAttribute('style', style);
      }
      if (canvas.className) {
        img.setAttribute('class', canvas.className);
      }
      img.setAttribute('alt', canvas.getAttribute('aria-label') ?? trans.__('heatmap'));
      copy.replaceWith(img);
    });
    freezeControls(node, clone);
    sanitize(clone);
    parts.push(clone.outerHTML);
  }
  const body = parts.join('\n');
  let css = options.css ?? (typeof document !== 'undefined' ? pageCss(document) : '');
  // No rule that could fetch anything.
  css = css
    .split('\n')
    .filter(line => !/(https?:|url\(|@import)/i.test(line))
    .join('\n');
  const names = new Set<string>();
  for (const match of `${css}\n${body}`.matchAll(/var\((--jp-[A-Za-z0-9-]+)/g)) {
    names.add(match[1]);
  }
  for (const name of [
    '--jp-layout-color0',
    '--jp-ui-font-color0',
    '--jp-ui-font-family',
    '--jp-border-color2'
  ]) {
    names.add(name);
  }
  const variables: string[] = [];
  for (const name of Array.from(names).sort()) {
    const value = readVariable(name).replace(/[<>{};]/g, '');
    if (value && !/(https?:|url\()/i.test(value)) {
      variables.push(`  ${name}: ${value};`);
    }
  }
  const title = escapeHtml(options.title);
  return (
    `<!DOCTYPE html>\n<html lang="${escapeHtml(languageCode())}">\n<head>\n<meta charset="utf-8">\n` +
    `<title>${title}</title>\n<style>\n:root {\n${variables.join('\n')}\n}\n` +
    'body { margin: 16px; background: var(--jp-layout-color0, #fff); color: var(--jp-ui-font-color0, #000);' +
    ' font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; }\n' +
    `${css.replace(/<\/style/gi, '')}\n</style>\n</head>\n<body>\n<h1 class="dlviz-snapshot-title">${title}</h1>\n${body}\n</body>\n</html>\n`
  );
}
