/**
 * What the explorers (CNN, RNN, comparison, autoencoder) share around their sections: a section
 * with its chip in the header's navigation, the facts line, and opening a view on one section by
 * name (a preset's `view`, docs/presets.md).
 */
import { trans } from '../../i18n';
import { el, section } from './draw';

/**
 * A section: its name (stable, in any language: a preset's `view` names it), its title, the line
 * that explains it, and its content.
 */
export type SectionSpec = [string, string, string, ...HTMLElement[]];

/** The sections, each with a chip in `nav` that opens it and scrolls to it. */
export function sectionsWithChips(nav: HTMLElement, specs: SectionSpec[]): HTMLElement[] {
  return specs.map(([part, title, explanation, ...content]) => {
    const s = section(title, explanation, ...content);
    s.setAttribute('data-part', part);
    const chip = el('button', 'dlviz-chip', title);
    chip.onclick = () => openSection(s);
    nav.appendChild(chip);
    return s;
  });
}

/** The facts line above an explorer: "label: value" items. */
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

function openSection(s: HTMLElement, behavior: ScrollBehavior = 'smooth'): void {
  if (s instanceof HTMLDetailsElement) {
    s.open = true;
  }
  s.scrollIntoView({ behavior, block: 'start' });
}

/** Whether `node` can be seen inside `root`: in the page, and no ancestor up to it is hidden. */
function shown(node: HTMLElement, root: HTMLElement): boolean {
  if (!root.isConnected) {
    return false;
  }
  for (let at: HTMLElement | null = node; at && at !== root.parentElement; at = at.parentElement) {
    if (at.hidden) {
      return false;
    }
  }
  return true;
}

/**
 * Open the section named `part` of the view in `root` and scroll to it, once it can be seen (an
 * explorer's body stays hidden until its run has loaded). `root` gets `data-shown-part` when it
 * is done. A name no section has is ignored after `waitMs`. Resolves with whether it was found.
 */
export function revealPart(root: HTMLElement, part: string, waitMs = 120_000): Promise<boolean> {
  const find = () =>
    Array.from(root.querySelectorAll<HTMLElement>('.dlviz-section[data-part]')).find(
      s => s.getAttribute('data-part') === part
    );
  return new Promise(resolve => {
    let observer: MutationObserver | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const finish = (found: boolean) => {
      observer?.disconnect();
      if (timer !== null) {
        clearTimeout(timer);
      }
      resolve(found);
    };
    const attempt = (): boolean => {
      const s = find();
      if (!s || !shown(s, root)) {
        return false;
      }
      openSection(s, 'auto');
      root.setAttribute('data-shown-part', part);
      finish(true);
      return true;
    };
    if (attempt()) {
      return;
    }
    observer = new MutationObserver(() => void attempt());
    observer.observe(root, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['hidden']
    });
    timer = setTimeout(() => finish(false), waitMs);
  });
}
