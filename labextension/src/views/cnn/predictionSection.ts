/**
 * The explorer's Prediction section: how sure the model is of each class for this image.
 */
import { NDArray } from '../../api/arrays';
import { el } from '../shared/draw';
import { formatPercent } from '../shared/format';

/** The class probabilities as bars, the true class marked, and a verdict in words. */
export function renderPredictions(box: HTMLElement, result: { [key: string]: any }, classes: string[], fromDataset: boolean): void {
  const probabilities: NDArray | undefined = result.probabilities;
  box.replaceChildren();
  if (!probabilities) {
    return;
  }
  const predicted: number = result.predicted;
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
    row.title = `${name}: ${formatPercent(p)}` + (i === label ? ' (the true class)' : '');
    box.appendChild(row);
  }
  const answer = classes[predicted] ?? String(predicted);
  const verdict =
    typeof label === 'number'
      ? label === predicted
        ? `Right: the model answers ${answer}.`
        : `Wrong: the model answers ${answer}, the image is a ${classes[label] ?? label}.`
      : `The model answers ${answer}.`;
  box.appendChild(el('p', 'dlviz-verdict', verdict));
}
