/**
 * The header of the BertViz part of the Transformer view: the run's facts, the picker of the
 * view (head, model, neuron, and a trained run's token map), the export buttons and, for a
 * trained run, the epoch slider.
 */
import { trans } from '../../i18n';
import { KIND_LABELS, ShownKind } from './viewKinds';

export interface IHeaderOptions {
  facts: [string, string][];
  kinds: ShownKind[];
  kind: ShownKind;
  exportButtons: HTMLElement;
  onKind: (kind: ShownKind) => void;
  /** A trained run: the slider's positions, the one shown, and what moving it does. */
  epochs: { count: number; position: number; onEpoch: (position: number) => void } | null;
  explanation: string;
}

/** Fill `header`; returns the explanation line (it changes with the view picked). */
export function renderBertvizHeader(header: HTMLElement, options: IHeaderOptions): HTMLElement {
  const facts = document.createElement('div');
  facts.className = 'dlviz-view-facts';
  for (const [label, value] of options.facts) {
    const item = document.createElement('span');
    item.className = 'dlviz-view-fact';
    const strong = document.createElement('strong');
    strong.textContent = trans.__('%1: ', label);
    item.appendChild(strong);
    item.appendChild(document.createTextNode(value));
    facts.appendChild(item);
  }
  const controls = document.createElement('span');
  controls.className = 'dlviz-view-controls';
  const select = document.createElement('select');
  select.className = 'dlviz-view-kind';
  select.setAttribute('aria-label', trans.__('Attention view'));
  select.dataset.testid = 'dlviz-view-kind';
  for (const kind of options.kinds) {
    const option = document.createElement('option');
    option.value = kind;
    option.textContent = KIND_LABELS[kind];
    select.appendChild(option);
  }
  select.value = options.kind;
  select.onchange = () => options.onKind(select.value as ShownKind);
  controls.append(select, options.exportButtons);
  facts.appendChild(controls);
  if (options.epochs) {
    const epochs = options.epochs;
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.className = 'dlviz-epoch';
    slider.min = '0';
    slider.max = String(epochs.count - 1);
    slider.step = '1';
    slider.value = String(epochs.position);
    slider.dataset.testid = 'dlviz-epoch';
    slider.setAttribute('aria-label', trans.__('Epoch'));
    slider.oninput = () => epochs.onEpoch(Number(slider.value));
    const label = document.createElement('span');
    label.className = 'dlviz-epoch-label';
    const row = document.createElement('label');
    row.className = 'dlviz-epoch-row';
    row.append(label, slider);
    facts.appendChild(row);
  }
  const explanation = document.createElement('p');
  explanation.className = 'dlviz-view-explanation';
  explanation.textContent = options.explanation;
  header.replaceChildren(facts, explanation);
  return explanation;
}
