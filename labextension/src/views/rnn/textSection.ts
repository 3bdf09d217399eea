/**
 * The sequence coloured by the chosen unit (Karpathy et al.'s cell views): each character (or
 * row) on the colour of that unit's hidden value at its step; hovering a step shows the top
 * predictions after it. A text box re-reads typed text on the same kernel.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { num } from './rnnFormulas';
import { stepLabels, topAt, unitColor, unitColumn } from './rnnLogic';
import { box, formulaLine } from './rnnDraw';
import { Select } from './heatmapSection';
import { IRnnState, layerOf, limitOf, stepsByUnits } from './rnnState';

export class TextSection {
  readonly node = box('dlviz-rnn-text');
  private _typed = el('div', 'dlviz-rnn-typed');
  private _input = el('textarea', 'jp-mod-styled dlviz-rnn-input');
  private _read = el('button', 'jp-Button jp-mod-styled', trans.__('Read this text'));
  private _line = el('div', 'dlviz-rnn-coloured');
  private _hover = el('div', 'dlviz-rnn-hover');
  private _formula = formulaLine('dlviz-rnn-prediction-formula');
  private _select: Select;

  constructor(onSelect: Select, onText: (text: string) => void) {
    this._select = onSelect;
    this._input.rows = 2;
    this._input.setAttribute('data-testid', 'dlviz-rnn-text-input');
    this._input.setAttribute('aria-label', trans.__('Your own text'));
    this._input.placeholder = trans.__('Type a text for the network to read…');
    this._read.setAttribute('data-testid', 'dlviz-rnn-read');
    this._read.onclick = () => {
      if (this._input.value) {
        onText(this._input.value);
      }
    };
    this._hover.setAttribute('data-testid', 'dlviz-rnn-hover');
    this._hover.setAttribute('aria-live', 'polite');
    this._typed.append(this._input, this._read);
    this.node.append(this._typed, this._line, this._hover, this._formula);
  }

  render(state: IRnnState, canType: boolean): void {
    this._typed.hidden = !canType;
    const input = state.result.input;
    if (canType && !this._input.value && input.characters) {
      this._input.value = input.characters.map(c => c ?? '').join('');
    }
    const m = stepsByUnits(layerOf(state).hidden);
    const values = unitColumn(m, state.unit);
    const limit = limitOf(state);
    const labels = stepLabels(input.characters, m.steps);
    const chars = !!input.characters;
    this._line.classList.toggle('dlviz-rnn-rows', !chars);
    this._line.replaceChildren(
      ...labels.map((label, t) => {
        const color = unitColor(values[t], limit);
        const span = el('span', 'dlviz-rnn-char', chars ? label : trans.__('row %1', t));
        span.style.background = color.background;
        span.style.color = color.ink;
        span.dataset.step = String(t);
        if (t === state.step) {
          span.classList.add('dlviz-rnn-char-selected');
        }
        if (state.highlight && t >= state.highlight.start && t < state.highlight.end) {
          span.classList.add('dlviz-rnn-char-match');
        }
        span.onmouseenter = () => this._showHover(state, t, values[t]);
        span.onclick = () => this._select({ step: t });
        return span;
      })
    );
    this._showHover(state, state.step, values[state.step]);
  }

  /** The top predictions after step `t`, and the formula of the most likely one. */
  private _showHover(state: IRnnState, t: number, value: number): void {
    const predictions = state.result.predictions;
    const labels = stepLabels(state.result.input.characters, values(state));
    const head = el(
      'div',
      'dlviz-rnn-hover-head',
      trans.__('After step %1 (%2), unit %3 = %4', t, labels[t], state.unit, num(value))
    );
    if (!predictions.top_k) {
      const regression = predictions.values?.data[t];
      this._hover.replaceChildren(
        head,
        typeof regression === 'number'
          ? el('div', undefined, trans.__('predicted value: %1', num(regression)))
          : el('div', 'dlviz-muted', trans.__('This network makes no prediction here.'))
      );
      this._formula.replaceChildren();
      return;
    }
    const top = topAt(
      predictions.top_k.indices,
      predictions.top_k.probabilities,
      predictions.labels,
      t
    );
    const rows = top.map(({ label, probability }) => {
      const bar = el('div', 'dlviz-bar-fill');
      bar.style.width = `${Math.round(probability * 100)}%`;
      return el(
        'div',
        'dlviz-bar-row dlviz-rnn-hover-row',
        undefined,
        el('code', 'dlviz-bar-label', label),
        el('div', 'dlviz-bar', undefined, bar),
        el('span', 'dlviz-bar-value', formatPercent(probability))
      );
    });
    this._hover.replaceChildren(head, ...rows);
    if (top[0]) {
      this._formula.replaceChildren(
        el('span', 'dlviz-rnn-formula-at', trans.__('Step %1:', t)),
        el(
          'code',
          'dlviz-rnn-formula-text',
          `p(“${top[0].label}” | x_0…x_${t}) = softmax(W_y h_${t} + b_y) = ${num(top[0].probability)}`
        )
      );
    }
  }
}

function values(state: IRnnState): number {
  return layerOf(state).hidden.shape[0] ?? 0;
}
