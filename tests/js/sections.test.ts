/**
 * Opening a view on one part, as a preset's `view` asks (docs/presets.md): an explorer's section
 * by its name once its hidden body shows, and the Transformer view's picture names.
 */
import { el } from '../../labextension/src/views/shared/draw';
import {
  renderFacts,
  revealPart,
  sectionsWithChips
} from '../../labextension/src/views/shared/sections';
import { firstKind, shownKindOf } from '../../labextension/src/views/transformer/viewKinds';

/** An explorer's frame: a header with the chips, a body hidden until its run has loaded. */
function explorer() {
  const nav = el('nav', 'dlviz-nav');
  const scrolled: string[] = [];
  const sections = sectionsWithChips(nav, [
    ['filters', 'Filters', 'What each filter looks for.', el('div', 'filters')],
    ['summary', 'Model summary', 'The layers.', el('div', 'summary'), el('div', 'more')]
  ]);
  for (const s of sections) {
    s.scrollIntoView = () => scrolled.push(s.getAttribute('data-part')!);
    (s as HTMLDetailsElement).open = false;
  }
  const body = el('div', 'body', undefined, ...sections);
  body.hidden = true;
  const root = el('div', 'root', undefined, nav, body);
  document.body.appendChild(root);
  return { nav, sections, body, root, scrolled };
}

describe('sections with chips', () => {
  it('names each section, holds its content, and gives it a chip that opens it', () => {
    const { nav, sections, scrolled } = explorer();
    expect(sections.map(s => s.getAttribute('data-part'))).toEqual(['filters', 'summary']);
    expect(sections[1].querySelector('summary')!.textContent).toBe('Model summary');
    expect(sections[1].querySelectorAll('.summary, .more')).toHaveLength(2);
    const chips = nav.querySelectorAll('button.dlviz-chip');
    expect(Array.from(chips).map(c => c.textContent)).toEqual(['Filters', 'Model summary']);
    (chips[1] as HTMLButtonElement).click();
    expect((sections[1] as HTMLDetailsElement).open).toBe(true);
    expect((sections[0] as HTMLDetailsElement).open).toBe(false);
    expect(scrolled).toEqual(['summary']);
  });

  it('writes the facts line', () => {
    const node = el('div');
    renderFacts(node, [
      ['Epochs', '3'],
      ['Accuracy', '0.9']
    ]);
    expect(node.textContent).toBe('Epochs: 3Accuracy: 0.9');
  });
});

describe('revealPart', () => {
  it('waits for the hidden body, then opens the named section and scrolls to it', async () => {
    const { sections, body, root, scrolled } = explorer();
    const found = revealPart(root, 'summary');
    await Promise.resolve();
    expect(scrolled).toEqual([]); // still hidden: nothing to scroll to
    expect(root.hasAttribute('data-shown-part')).toBe(false);
    body.hidden = false; // the run has loaded
    await expect(found).resolves.toBe(true);
    expect(scrolled).toEqual(['summary']);
    expect((sections[1] as HTMLDetailsElement).open).toBe(true);
    expect(root.getAttribute('data-shown-part')).toBe('summary');
  });

  it('opens at once when the section shows already', async () => {
    const { body, root, scrolled } = explorer();
    body.hidden = false;
    await expect(revealPart(root, 'filters')).resolves.toBe(true);
    expect(scrolled).toEqual(['filters']);
  });

  it('gives up on a name no section has', async () => {
    const { body, root, scrolled } = explorer();
    body.hidden = false;
    await expect(revealPart(root, 'gates', 20)).resolves.toBe(false);
    expect(scrolled).toEqual([]);
    expect(root.hasAttribute('data-shown-part')).toBe(false);
  });
});

describe("the Transformer view's pictures by name", () => {
  it('knows head, model, neuron and projection, and nothing else', () => {
    expect(['head', 'model', 'neuron', 'projection'].map(shownKindOf)).toEqual([
      'head',
      'model',
      'neuron',
      'projection'
    ]);
    expect(shownKindOf('toString')).toBeNull();
    expect(shownKindOf('steps')).toBeNull();
  });

  it("draws the preset's picture first where the run has it, else the head view", () => {
    const pretrained = ['head', 'model', 'neuron'] as const;
    const trained = [...pretrained, 'projection'] as const;
    expect(firstKind('model', pretrained)).toBe('model');
    expect(firstKind('neuron', pretrained)).toBe('neuron');
    // a pretrained run has no token map of its epochs
    expect(firstKind('projection', pretrained)).toBe('head');
    expect(firstKind('projection', trained)).toBe('projection');
  });
});
