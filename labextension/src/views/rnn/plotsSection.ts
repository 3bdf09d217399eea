/**
 * Three small pictures of one sequence: the prediction after each step (class probabilities as
 * the sequence is read, or the most likely next characters, or the forecast value), the memory
 * plot (how strongly the prediction at one step depends on each earlier input) and the
 * hidden-state trajectory (its 2-D PCA).
 */
import { trans } from '../../i18n';
import { el, heatmap, svgEl } from '../shared/draw';
import { formatPercent } from '../shared/format';
import { num } from './rnnFormulas';
import { shares, stepLabels, topAt } from './rnnLogic';
import { box, formulaLine, needsKernel } from './rnnDraw';
import { Select } from './heatmapSection';
import { IRnnState, layerOf, stepsOf } from './rnnState';

export class PlotsSection {
  readonly predictions = box('dlviz-rnn-step-predictions');
  readonly memory = box('dlviz-rnn-memory');
  readonly trajectory = box('dlviz-rnn-trajectory');
  private _select: Select;

  constructor(onSelect: Select) {
    this._select = onSelect;
  }

  render(state: IRnnState): void {
    this._renderPredictions(state);
    this._renderMemory(state);
    this._renderTrajectory(state);
  }

  private _renderPredictions(state: IRnnState): void {
    const p = state.result.predictions;
    const steps = stepsOf(state);
    const t = state.step;
    const labels = stepLabels(state.result.input.characters, steps);
    const parts: HTMLElement[] = [];
    if (p.probabilities) {
      const classes = p.probabilities.shape[1] ?? 0;
      // classes × steps: how the belief in each class moves as the rows are read
      const values = new Float32Array(classes * steps);
      for (let s = 0; s < steps; s++) {
        for (let c = 0; c < classes; c++) {
          values[c * steps + s] = p.probabilities.data[s * classes + c];
        }
      }
      const map = heatmap(values, classes, steps, { range: [0, 1], cell: 1 });
      map.style.width = `${steps * 22}px`;
      map.style.height = `${classes * 14}px`;
      map.setAttribute('data-testid', 'dlviz-rnn-class-map');
      map.setAttribute('data-classes', String(classes));
      map.setAttribute('data-steps', String(steps));
      const names = el(
        'div',
        'dlviz-rnn-class-names',
        undefined,
        ...(p.labels ?? []).map(label => el('span', undefined, label))
      );
      parts.push(el('div', 'dlviz-rnn-class-grid', undefined, names, map));
    }
    if (p.top_k) {
      const top = p.probabilities
        ? Array.from({ length: p.probabilities.shape[1] ?? 0 }, (_, c) => ({
            label: p.labels?.[c] ?? String(c),
            probability: p.probabilities!.data[t * (p.probabilities!.shape[1] ?? 1) + c]
          })).sort((a, b) => b.probability - a.probability)
        : topAt(p.top_k.indices, p.top_k.probabilities, p.labels, t);
      const bars = el('div', 'dlviz-rnn-prediction-bars');
      bars.setAttribute('data-testid', 'dlviz-rnn-prediction-bars');
      bars.setAttribute('data-step', String(t));
      bars.append(
        ...top.map(({ label, probability }) => {
          const bar = el('div', 'dlviz-bar-fill');
          bar.style.width = `${Math.round(probability * 100)}%`;
          const row = el(
            'div',
            'dlviz-bar-row',
            undefined,
            el('span', 'dlviz-bar-label', label),
            el('div', 'dlviz-bar', undefined, bar),
            el('span', 'dlviz-bar-value', formatPercent(probability))
          );
          row.dataset.label = label;
          row.dataset.probability = String(probability);
          return row;
        })
      );
      parts.push(el('div', 'dlviz-muted', trans.__('After step %1 (%2):', t, labels[t])), bars);
    } else if (p.values) {
      parts.push(
        el(
          'div',
          undefined,
          trans.__('After step %1 the network forecasts %2.', t, num(p.values.data[t]))
        )
      );
    } else {
      parts.push(el('p', 'dlviz-muted', trans.__('This network makes no prediction here.')));
    }
    this.predictions.replaceChildren(...parts);
  }

  private _renderMemory(state: IRnnState): void {
    if (state.saved) {
      this.memory.replaceChildren(needsKernel());
      return;
    }
    const memory = state.result.memory;
    const norms = memory.gradient_norms.data;
    const steps = norms.length;
    const labels = stepLabels(state.result.input.characters, steps);
    const width = Math.max(200, Math.min(900, steps * 12));
    const height = 120;
    const bar = width / Math.max(1, steps);
    const svg = svgEl('svg', {
      width,
      height: height + 16,
      class: 'dlviz-rnn-memory-plot',
      'data-testid': 'dlviz-rnn-memory-plot',
      'data-bars': steps
    });
    shares(norms).forEach((share, s) => {
      const rect = svgEl('rect', {
        x: s * bar + 1,
        y: height - share * (height - 4),
        width: Math.max(1, bar - 2),
        height: share * (height - 4),
        class:
          'dlviz-rnn-memory-bar' +
          (s === memory.step ? ' dlviz-rnn-memory-target' : '') +
          (s === state.step ? ' dlviz-rnn-memory-selected' : '')
      });
      const title = svgEl('title');
      title.textContent = trans.__('input step %1 (%2): %3', s, labels[s], num(norms[s]));
      rect.appendChild(title);
      rect.addEventListener('click', () => this._select({ step: s }));
      svg.appendChild(rect);
      if (bar >= 9) {
        const text = svgEl('text', {
          x: s * bar + bar / 2,
          y: height + 12,
          class: 'dlviz-chart-tick',
          'text-anchor': 'middle'
        });
        text.textContent = labels[s];
        svg.appendChild(text);
      }
    });
    const s = Math.min(state.step, steps - 1);
    const formula = formulaLine('dlviz-rnn-memory-formula');
    formula.append(
      el(
        'span',
        'dlviz-rnn-formula-at',
        trans.__('Prediction at step %1, input step %2:', memory.step, s)
      ),
      el('code', 'dlviz-rnn-formula-text', `‖∂ŷ_${memory.step} / ∂x_${s}‖ = ${num(norms[s])}`)
    );
    this.memory.replaceChildren(svg, formula);
  }

  private _renderTrajectory(state: IRnnState): void {
    const trajectory = layerOf(state).trajectory;
    const points = trajectory.points;
    const steps = points.shape[0] ?? 0;
    const labels = stepLabels(state.result.input.characters, steps);
    const size = 260;
    const pad = 14;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of Array.from(points.data)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = hi > lo ? hi - lo : 1;
    const sx = (v: number) => pad + ((v - lo) / span) * (size - 2 * pad);
    const sy = (v: number) => size - pad - ((v - lo) / span) * (size - 2 * pad);
    const svg = svgEl('svg', {
      width: size,
      height: size,
      class: 'dlviz-rnn-trajectory-plot',
      'data-testid': 'dlviz-rnn-trajectory-plot'
    });
    const xy = (t: number) => [sx(points.data[2 * t]), sy(points.data[2 * t + 1])];
    const path = Array.from({ length: steps }, (_, t) => xy(t).join(',')).join(' ');
    svg.appendChild(svgEl('polyline', { points: path, class: 'dlviz-rnn-path', fill: 'none' }));
    for (let t = 0; t < steps; t++) {
      const [x, y] = xy(t);
      const dot = svgEl('circle', {
        cx: x,
        cy: y,
        r: t === state.step ? 5 : 3,
        class: 'dlviz-rnn-dot' + (t === state.step ? ' dlviz-rnn-dot-selected' : '')
      });
      const title = svgEl('title');
      title.textContent = trans.__('step %1 (%2)', t, labels[t]);
      dot.appendChild(title);
      dot.addEventListener('click', () => this._select({ step: t }));
      svg.appendChild(dot);
      if (steps <= 40) {
        const text = svgEl('text', { x: x + 5, y: y - 4, class: 'dlviz-chart-tick' });
        text.textContent = labels[t];
        svg.appendChild(text);
      }
    }
    const t = Math.min(state.step, steps - 1);
    const [v1, v2] = trajectory.variance;
    const formula = formulaLine('dlviz-rnn-trajectory-formula');
    formula.append(
      el(
        'span',
        'dlviz-rnn-formula-at',
        trans.__('Step %1; the two directions keep %2 of the variance:', t, formatPercent(v1 + v2))
      ),
      el(
        'code',
        'dlviz-rnn-formula-text',
        `p_${t} = (h_${t} − h̄)·[v_1 v_2] = (${num(points.data[2 * t])}, ${num(points.data[2 * t + 1])})`
      )
    );
    this.trajectory.replaceChildren(svg, formula);
  }
}
