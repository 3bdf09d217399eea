/**
 * The explorer's Filter selectivity section: what each filter of a conv layer responds to.
 */
import { trans } from '../../i18n';
import { el, heatmap } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { cellSize, classProfile, filterOrder } from './cnnLogic';
import { CnnInspected } from './cnnResult';

/** Per conv layer: where and for which classes each filter fires, dead and redundant ones flagged. */
export function renderSelectivity(box: HTMLElement, result: CnnInspected, classes: string[]): void {
  box.replaceChildren();
  const layers = result.selectivity ?? [];
  for (const layer of layers) {
    const occurrence = layer.occurrence;
    const classOccurrence = layer.class_occurrence;
    const [count, h, w] = occurrence.shape;
    const nClasses = classOccurrence.shape[1];
    const order = filterOrder(layer.order, count);
    const grid = el('div', 'dlviz-selectivity-grid');
    let deadCount = 0;
    let redundantCount = 0;
    for (const f of order) {
      const dead = !!layer.dead?.[f];
      const twin = layer.redundant_with?.[f];
      deadCount += dead ? 1 : 0;
      redundantCount += typeof twin === 'number' ? 1 : 0;
      const card = el(
        'div',
        'dlviz-filter-card' +
          (dead ? ' dlviz-dead' : typeof twin === 'number' ? ' dlviz-redundant' : '')
      );
      card.appendChild(el('div', 'dlviz-filter-card-title', `#${f}`));
      card.appendChild(
        heatmap(occurrence.data.subarray(f * h * w, (f + 1) * h * w), h, w, {
          cell: cellSize(w, 40),
          range: [0, 1],
          title: trans.__('filter %1: share of images that make it fire at each place', f)
        })
      );
      const profile = classProfile(classOccurrence.data, f, nClasses, h * w);
      const peak = Math.max(1e-9, ...profile);
      const bars = el('div', 'dlviz-class-bars');
      profile.forEach((v, c) => {
        const bar = el('span', 'dlviz-class-bar');
        bar.style.height = `${Math.round((v / peak) * 100)}%`;
        bar.title = trans.__('%1: fires on %2 of places', classes[c] ?? c, formatPercent(v));
        bars.appendChild(bar);
      });
      card.appendChild(bars);
      const best = profile.indexOf(Math.max(...profile));
      card.appendChild(
        el(
          'div',
          'dlviz-filter-card-note',
          dead
            ? trans.__('dead')
            : typeof twin === 'number'
              ? trans.__('like #%1', twin)
              : trans.__('most for %1', classes[best] ?? best)
        )
      );
      grid.appendChild(card);
    }
    const notes: string[] = [
      trans.__('%1 validation images; fires = %2 above 0', layer.samples, layer.response_layer)
    ];
    if (deadCount) {
      notes.push(
        deadCount > 1
          ? trans.__('%1 dead filters', deadCount)
          : trans.__('%1 dead filter', deadCount)
      );
    }
    if (redundantCount) {
      notes.push(trans.__('%1 redundant', redundantCount));
    }
    const similarity = layer.similarity;
    let simCanvas: Node | null = null;
    if (similarity) {
      const ordered = new Float32Array(count * count);
      order.forEach((a, i) =>
        order.forEach((b, j) => (ordered[i * count + j] = similarity.data[a * count + b]))
      );
      simCanvas = el(
        'figure',
        'dlviz-figure',
        undefined,
        heatmap(ordered, count, count, { cell: cellSize(count, 120), range: [0, 1] }),
        el('figcaption', undefined, trans.__('similarity of the filters, in the same order'))
      );
    }
    box.appendChild(
      el(
        'div',
        'dlviz-map-layer',
        undefined,
        el(
          'div',
          'dlviz-map-title',
          undefined,
          el('strong', undefined, layer.name),
          el('span', 'dlviz-muted', ` ${notes.join(' · ')}`)
        ),
        el('div', 'dlviz-figure-row', undefined, grid, simCanvas)
      )
    );
  }
}
