/**
 * The frame of the CNN explorer: its header (title, facts, overview, a chip per section that
 * scrolls to it), the epoch toolbar, and the sections, input and prediction side by side first.
 */
import { el } from '../shared/draw';
import { SectionSpec, sectionsWithChips } from '../shared/sections';
import { trans } from '../../i18n';
import { EXPLAIN } from './explanations';

export { renderFacts } from '../shared/sections';
export type { SectionSpec } from '../shared/sections';

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
  const top = el('div', 'dlviz-overview', undefined, ...sectionsWithChips(nav, parts.top));
  const rest = sectionsWithChips(nav, parts.rest);
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
