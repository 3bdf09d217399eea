/**
 * The frame of the RNN explorer and of the comparison view: a header (title, facts, overview,
 * a chip per section that scrolls to it), a toolbar, and the titled sections.
 */
import { el, section } from '../shared/draw';
import { trans } from '../../i18n';

/** A section: its title, the line that explains it, and its content. */
export type SectionSpec = [string, string, ...HTMLElement[]];

/** The header, the toolbar and the body holding every section. */
export function rnnLayout(parts: {
  title: string;
  overview: string;
  facts: HTMLElement;
  toolbar: HTMLElement[];
  sections: SectionSpec[];
}): { header: HTMLElement; toolbar: HTMLElement; body: HTMLElement } {
  const nav = el('nav', 'dlviz-nav');
  const sections = parts.sections.map(([title, explanation, ...content]) => {
    const s = section(title, explanation, ...content);
    const chip = el('button', 'dlviz-chip', title);
    chip.onclick = () => {
      (s as HTMLDetailsElement).open = true;
      s.scrollIntoView({ behavior: 'smooth', block: 'start' });
    };
    nav.appendChild(chip);
    return s;
  });
  const toolbar = el('div', 'dlviz-cnn-toolbar dlviz-rnn-toolbar', undefined, ...parts.toolbar);
  const header = el(
    'div',
    'dlviz-view-header',
    undefined,
    el('h3', 'dlviz-view-title', parts.title),
    parts.facts,
    el('p', 'dlviz-view-explanation', parts.overview),
    nav
  );
  const body = el('div', 'dlviz-rnn-body', undefined, ...sections);
  return { header, toolbar, body };
}

/** The facts line: "label: value" items. */
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
