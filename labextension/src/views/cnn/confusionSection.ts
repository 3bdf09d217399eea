/**
 * The explorer's Confusion matrix section: which classes the model mixes up.
 */
import { trans } from '../../i18n';
import { sequentialColor } from '../shared/colors';
import { el } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { rowShares } from './cnnLogic';
import { CnnInspected } from './cnnResult';

/** The confusion matrix on the validation images, each cell shaded by its share of the row. */
export function renderConfusion(box: HTMLElement, result: CnnInspected, classes: string[]): void {
  box.replaceChildren();
  const confusion = result.confusion;
  if (!confusion || !confusion.matrix) {
    return;
  }
  const matrix = confusion.matrix;
  const n = matrix.shape[0];
  const shares = rowShares(matrix.data, n);
  const table = el('table', 'dlviz-confusion-table');
  const head = el(
    'tr',
    undefined,
    undefined,
    el('th', 'dlviz-corner', trans.__('true ↓ / answer →'))
  );
  for (let c = 0; c < n; c++) {
    head.appendChild(el('th', undefined, classes[c] ?? String(c)));
  }
  table.appendChild(head);
  for (let r = 0; r < n; r++) {
    const tr = el('tr', undefined, undefined, el('th', undefined, classes[r] ?? String(r)));
    for (let c = 0; c < n; c++) {
      const count = matrix.data[r * n + c];
      const td = el('td', r === c ? 'dlviz-diagonal' : undefined, count ? String(count) : '');
      const [red, green, blue] = sequentialColor(shares[r][c], 0, 1);
      td.style.background = count ? `rgb(${red}, ${green}, ${blue})` : '';
      td.style.color = shares[r][c] > 0.6 ? '#000' : '#fff';
      td.title = trans.__(
        'true %1, answered %2: %3 images (%4 of that class)',
        classes[r] ?? r,
        classes[c] ?? c,
        count,
        formatPercent(shares[r][c])
      );
      tr.appendChild(td);
    }
    table.appendChild(tr);
  }
  box.appendChild(table);
  box.appendChild(
    el(
      'p',
      'dlviz-muted',
      trans.__(
        'Accuracy %1 on %2 validation images.',
        formatPercent(confusion.accuracy),
        confusion.samples
      )
    )
  );
}
