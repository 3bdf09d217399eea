/**
 * The unit explorer (LSTMVis's "select a span, find the units, find the matches"): the span
 * brushed on the heat map, a threshold, the units on across the span (from `rnn.units`) and the
 * places in the data set where the same units switch on together; a match re-reads that
 * sequence with its span highlighted.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { num } from './rnnFormulas';
import { ISpan, splitMatch } from './rnnLogic';
import { box, needsKernel } from './rnnDraw';
import { Select } from './heatmapSection';
import { RnnUnitsFound } from './rnnResult';

export type UnitMatch = RnnUnitsFound['matches'][number];

export interface IUnitsEvents {
  select: Select;
  /** Ask the kernel for the units on across the span. */
  find(threshold: number, offOutside: boolean): void;
  /** Re-read a match's sequence with its span highlighted. */
  jump(match: UnitMatch): void;
}

export class UnitsSection {
  readonly node = box('dlviz-rnn-units');
  private _span = el('div', 'dlviz-rnn-span');
  private _threshold = el('input', 'jp-mod-styled dlviz-rnn-threshold');
  private _off = el('input');
  private _find = el('button', 'jp-Button jp-mod-styled', trans.__('Find units and matches'));
  private _status = el('div', 'dlviz-rnn-units-status');
  private _found = el('div', 'dlviz-rnn-found');
  private _matches = el('ol', 'dlviz-rnn-matches');
  private _events: IUnitsEvents;
  private _saved = needsKernel();

  constructor(events: IUnitsEvents) {
    this._events = events;
    this._threshold.type = 'number';
    this._threshold.min = '-1';
    this._threshold.max = '1';
    this._threshold.step = '0.05';
    this._threshold.value = '0.5';
    this._threshold.setAttribute('aria-label', trans.__('Threshold'));
    this._off.type = 'checkbox';
    this._find.setAttribute('data-testid', 'dlviz-rnn-find');
    this._find.disabled = true;
    this._find.onclick = () => {
      const value = Number(this._threshold.value);
      this._events.find(Number.isFinite(value) ? value : 0.5, this._off.checked);
    };
    this._status.setAttribute('aria-live', 'polite');
    this._status.setAttribute('data-testid', 'dlviz-rnn-units-status');
    this._matches.setAttribute('data-testid', 'dlviz-rnn-matches');
    const controls = el(
      'div',
      'dlviz-rnn-controls',
      undefined,
      el('label', undefined, trans.__('on when h ≥')),
      this._threshold,
      el(
        'label',
        undefined,
        undefined,
        this._off,
        document.createTextNode(trans.__('and off just before and after'))
      ),
      this._find
    );
    this._saved.hidden = true;
    this.node.append(this._saved, this._span, controls, this._status, this._found, this._matches);
    this.showSpan(null, []);
  }

  /** The brushed span and its characters; the button is on only with a span. */
  showSpan(span: ISpan | null, labels: string[]): void {
    this._find.disabled = !span;
    this._span.textContent = span
      ? trans.__(
          'Span: steps %1 to %2 (%3)',
          span.start,
          span.end - 1,
          labels.slice(span.start, span.end).join('')
        )
      : trans.__('Drag across steps on the heat map to pick a span.');
  }

  /** Drawn from saved states: the search needs the kernel, so the button stays off. */
  setSaved(saved: boolean): void {
    this._saved.hidden = !saved;
    if (saved) {
      this._find.disabled = true;
    }
  }

  /** The kernel is searching, or could not. */
  status(text: string): void {
    this._status.textContent = text;
  }

  /** The units found and the matches, best first. */
  show(found: RnnUnitsFound, selected: number): void {
    this._status.textContent = trans.__(
      '%1 units on across steps %2 to %3; searched %4 sequences.',
      found.units.length,
      found.start,
      found.end - 1,
      found.searched.sequences
    );
    this._found.replaceChildren(
      ...found.units.map((unit, k) => {
        const chip = el(
          'button',
          'dlviz-chip dlviz-rnn-unit-chip' + (unit === selected ? ' dlviz-rnn-chip-selected' : ''),
          trans.__('unit %1 (mean %2)', unit, num(found.unit_means[k]))
        );
        chip.onclick = () => this._events.select({ unit });
        return chip;
      })
    );
    if (!found.matches.length) {
      this._matches.replaceChildren(
        el('li', 'dlviz-muted', trans.__('No other place switches these units on together.'))
      );
      return;
    }
    this._matches.replaceChildren(
      ...found.matches.map(match => {
        const parts = splitMatch(match.text);
        const text = match.text
          ? el(
              'code',
              'dlviz-rnn-match-text',
              undefined,
              document.createTextNode(parts.before),
              el('mark', undefined, parts.span),
              document.createTextNode(parts.after)
            )
          : el('span', undefined, trans.__('steps %1 to %2', match.start, match.end - 1));
        const item = el(
          'li',
          'dlviz-rnn-match',
          undefined,
          el('span', 'dlviz-rnn-match-where', trans.__('sequence %1', match.index)),
          text,
          el('span', 'dlviz-rnn-match-score', formatPercent(match.score))
        );
        item.tabIndex = 0;
        item.title = trans.__('Read this sequence and highlight the span');
        item.onclick = () => this._events.jump(match);
        item.onkeydown = event => {
          if (event.key === 'Enter') {
            this._events.jump(match);
          }
        };
        return item;
      })
    );
  }
}
