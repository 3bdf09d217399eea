/**
 * The explorer's Model summary section: the layers of the network.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { formatCount } from '../shared/format';
import { CnnInspected } from './cnnResult';

/** Every layer, its output shape and its parameter count. */
export function renderSummary(box: HTMLElement, result: CnnInspected): void {
  box.replaceChildren();
  const summary = result.summary;
  if (!summary) {
    return;
  }
  const table = el('table', 'dlviz-summary-table');
  table.appendChild(
    el(
      'tr',
      undefined,
      undefined,
      el('th', undefined, trans.__('Layer')),
      el('th', undefined, trans.__('Type')),
      el('th', undefined, trans.__('Output shape')),
      el('th', undefined, trans.__('Parameters'))
    )
  );
  for (const layer of summary.layers ?? []) {
    table.appendChild(
      el(
        'tr',
        undefined,
        undefined,
        el('td', undefined, layer.name),
        el('td', undefined, layer.type),
        el('td', undefined, (layer.output_shape ?? []).join(' × ')),
        el('td', 'dlviz-number', formatCount(layer.parameters ?? 0))
      )
    );
  }
  table.appendChild(
    el(
      'tr',
      'dlviz-total',
      undefined,
      el('td', undefined, trans.__('Total')),
      el('td'),
      el('td'),
      el('td', 'dlviz-number', formatCount(summary.total_parameters ?? 0))
    )
  );
  box.appendChild(table);
}
