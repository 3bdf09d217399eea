/**
 * The explorer's Prediction section: how sure the model is of each class for this image.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { CnnInspected } from './cnnResult';

/** The class probabilities as bars, the true class marked, and a verdict in words. */
export function renderPredictions(
  box: HTMLElement,
  result: CnnInspected,
  classes: string[],
  fromDataset: boolean
): void {
  const probabilities = result.probabilities;
  box.replaceChildren();
  if (!probabilities) {
    return;
  }
  const predicted = result.predicted;
  const label = fromDataset ? result.input?.label : null;
  for (let i = 0; i < probabilities.size; i++) {
    const p = probabilities.data[i];
    const fill = el('div', 'dlviz-bar-fill' + (i === predicted ? ' dlviz-bar-predicted' : ''));
    fill.style.width = `${Math.max(0, Math.min(100, p * 100))}%`;
    const name = classes[i] ?? String(i);
    const row = el(
      'div',
      'dlviz-bar-row' + (i === label ? ' dlviz-bar-true' : ''),
      undefined,
      el('span', 'dlviz-bar-label', name),
      el('div', 'dlviz-bar', undefined, fill),
      el('span', 'dlviz-bar-value', formatPercent(p))
    );
    row.title =
      i === label
        ? trans.__('%1: %2 (the true class)', name, formatPercent(p))
        : `${name}: ${formatPercent(p)}`;
    box.appendChild(row);
  }
  const answer = classes[predicted] ?? String(predicted);
  const verdict =
    typeof label === 'number'
      ? label === predicted
        ? trans.__('Right: the model answers %1.', answer)
        : trans.__(
            'Wrong: the model answers %1, the image is a %2.',
            answer,
            classes[label] ?? label
          )
      : trans.__('The model answers %1.', answer);
  box.appendChild(el('p', 'dlviz-verdict', verdict));
}
