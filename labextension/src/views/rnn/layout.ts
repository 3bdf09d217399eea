/**
 * The frame of the RNN explorer and of the comparison view: a header (title, facts, overview,
 * a chip per section that scrolls to it), a toolbar, and the titled sections.
 */
import { el } from '../shared/draw';
import { SectionSpec, sectionsWithChips } from '../shared/sections';

export { renderFacts } from '../shared/sections';
export type { SectionSpec } from '../shared/sections';

/** The header, the toolbar and the body holding every section. */
export function rnnLayout(parts: {
  title: string;
  overview: string;
  facts: HTMLElement;
  toolbar: HTMLElement[];
  sections: SectionSpec[];
}): { header: HTMLElement; toolbar: HTMLElement; body: HTMLElement } {
  const nav = el('nav', 'dlviz-nav');
  const sections = sectionsWithChips(nav, parts.sections);
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
