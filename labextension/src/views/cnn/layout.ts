/**
 * The frame of the CNN explorer: its header (title, facts, overview, a chip per section that
 * scrolls to it), the epoch toolbar, and the sections, input and prediction side by side first.
 */
import { el, section } from '../shared/draw';
import { trans } from '../../i18n';
import { EXPLAIN } from './explanations';

/** A section: its title, the line that explains it, and its content. */
export type SectionSpec = [string, string, HTMLElement];

export interface ILayoutParts {
  facts: HTMLElement;
  /** The slider, its label, the Insert code button and the status line. */
  toolbar: HTMLElement[];
  top: SectionSpec[];
  rest: SectionSpec[];
}

/** The header, the toolbar and the body holding every section. */
export function explorerLayout(parts: ILayoutParts): {
  header: HTMLElement;
  toolbar: HTMLElement;
  body: HTMLElement;
} {
  const nav = el('nav', 'dlviz-nav');
  const add = ([title, explanation, content]: SectionSpec): HTMLElement => {
    const s = section(title, explanation, content);
    const chip = el('button', 'dlviz-chip', title);
    chip.onclick = () => {
      (s as HTMLDetailsElement).open = true;
      s.scrollIntoView({ behavior: 'smooth', block: 'start' });
    };
    nav.appendChild(chip);
    return s;
  };
  const top = el('div', 'dlviz-overview', undefined, ...parts.top.map(add));
  const rest = parts.rest.map(add);
  const toolbar = el(
    'div',
    'dlviz-cnn-toolbar',
    undefined,
    el('span', 'dlviz-slider-title', trans.__('Epoch')),
    ...parts.toolbar
  );
  const header = el(
    'div',
    'dlviz-view-header',
    undefined,
    el('h3', 'dlviz-view-title', trans.__('CNN explorer')),
    parts.facts,
    el('p', 'dlviz-view-explanation', EXPLAIN.overview),
    nav
  );
  const body = el('div', 'dlviz-cnn-body', undefined, top, ...rest);
  return { header, toolbar, body };
}

/** The facts line above the explorer: "label: value" items. */
export function renderFacts(node: HTMLElement, facts: [string, string][]): void {
  node.replaceChildren(
    ...facts.map(([label, value]) =>
      el(
        'span',
        'dlviz-view-fact',
        undefined,
        el('strong', undefined, trans.__('%1: ', label)),
        document.createTextNode(value)
      )
    )
  );
}
