/**
 * The parts of the training monitor drawn once a run succeeded: the kernel's warnings, gradient
 * norms per layer, weight histograms per epoch and dead ReLU units.
 */
import { trans } from '../../i18n';
import { TrainingMonitor, TrainingWarning } from '../../api/results';
import { histogramBars } from '../shared/chartLogic';
import { drawChart, el, legend, section, SERIES_COLORS, svgEl } from '../shared/draw';
import { formatPercent } from '../shared/format';

/** One warning of the kernel's monitor (the `cnn.train` result schema). */
export type IWarning = TrainingWarning;

/** The heading of a kind of warning; an unknown kind shows its own name. */
function warningTitle(kind: string): string {
  switch (kind) {
    case 'vanishing_gradients':
      return trans.__('Vanishing gradients');
    case 'exploding_gradients':
      return trans.__('Exploding gradients');
    case 'dead_units':
      return trans.__('Dead ReLU units');
    case 'overfitting':
      return trans.__('Overfitting');
    default:
      return kind;
  }
}

/** The kernel's plain-language warnings, or a line saying training stayed healthy. */
export function renderWarnings(box: HTMLElement, warnings: IWarning[]): void {
  box.replaceChildren();
  if (!warnings.length) {
    box.appendChild(
      el(
        'p',
        'dlviz-ok',
        trans.__(
          'No warnings: gradients stayed in a healthy range and no layer has many dead units.'
        )
      )
    );
    return;
  }
  for (const w of warnings) {
    const item = el('div', `dlviz-warning dlviz-warning-${w.kind}`);
    const where = w.layer
      ? trans.__('%1 (epoch %2, %3): ', warningTitle(w.kind), w.epoch, w.layer)
      : trans.__('%1 (epoch %2): ', warningTitle(w.kind), w.epoch);
    item.appendChild(el('strong', undefined, where));
    item.appendChild(document.createTextNode(w.message));
    box.appendChild(item);
  }
}

/** Gradient norms per layer, weight histograms per epoch (with a slider) and dead ReLU units. */
export function renderDetails(
  box: HTMLElement,
  monitor: TrainingMonitor | null,
  epochs: number[]
): void {
  box.replaceChildren();
  if (!monitor) {
    return;
  }
  // Gradient norms per layer, log scale: vanishing ones sink, exploding ones shoot up.
  const layers = monitor.layers ?? [];
  const norms = monitor.gradient_norms ?? [];
  const gradChart = svgEl('svg', { class: 'dlviz-chart', 'data-testid': 'dlviz-gradient-chart' });
  const gradSeries = layers.map((name, k) => ({
    label: name,
    values: norms.map(row => (row ? row[k] : null)),
    color: SERIES_COLORS[k % SERIES_COLORS.length]
  }));
  drawChart(gradChart, epochs, gradSeries, {
    title: trans.__('Gradient norm per layer (log scale)'),
    log: true,
    width: 420,
    height: 220
  });
  box.appendChild(
    section(
      trans.__('Gradients'),
      trans.__(
        'How strongly each layer is pushed at each step. Lines far below the others (under about 0.0001) mean the layer barely learns (vanishing gradients); lines shooting up mean steps that are too big (exploding gradients): lower the learning rate.'
      ),
      el('figure', 'dlviz-figure', undefined, gradChart as unknown as Node, legend(gradSeries))
    )
  );

  // Weight histograms and dead units, per epoch with a slider.
  const histograms = monitor.weight_histograms ?? [];
  const dead = monitor.dead_units ?? [];
  const activationLayers = monitor.activation_layers ?? [];
  const last = epochs.length;
  const slider = el('input', 'dlviz-slider');
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(last);
  slider.value = String(last);
  slider.setAttribute('aria-label', trans.__('Epoch of the weight histograms'));
  const sliderLabel = el('span', 'dlviz-slider-label');
  const grid = el('div', 'dlviz-histograms');
  const deadBox = el('div', 'dlviz-dead-units');
  const draw = () => {
    const k = Number(slider.value);
    sliderLabel.textContent = k === 0 ? trans.__('before training') : trans.__('after epoch %1', k);
    grid.replaceChildren();
    for (const h of histograms) {
      const counts = h.counts[k];
      // A histogram with a non-finite edge (weights that blew up) has no bars to draw.
      const edges = h.edges[k]?.every(e => typeof e === 'number') ? (h.edges[k] as number[]) : null;
      if (!edges || !counts) {
        continue;
      }
      const svg = svgEl('svg', {
        class: 'dlviz-histogram',
        viewBox: '0 0 160 70',
        width: 160,
        height: 84
      });
      for (const bar of histogramBars(edges, counts, 160, 60)) {
        svg.appendChild(
          svgEl('rect', {
            x: bar.x,
            y: bar.y,
            width: Math.max(0.5, bar.width - 0.5),
            height: bar.height,
            class: 'dlviz-histogram-bar'
          })
        );
      }
      const lo = svgEl('text', { x: 0, y: 69, class: 'dlviz-chart-tick' });
      lo.textContent = edges[0].toPrecision(2);
      const hi = svgEl('text', { x: 160, y: 69, class: 'dlviz-chart-tick', 'text-anchor': 'end' });
      hi.textContent = edges[edges.length - 1].toPrecision(2);
      svg.appendChild(lo);
      svg.appendChild(hi);
      grid.appendChild(
        el(
          'figure',
          'dlviz-figure dlviz-small',
          undefined,
          el('figcaption', undefined, h.layer),
          svg as unknown as Node
        )
      );
    }
    deadBox.replaceChildren();
    const row = k > 0 ? dead[k - 1] : null;
    if (!row) {
      deadBox.appendChild(
        el('p', 'dlviz-muted', trans.__('Dead units are counted after each epoch.'))
      );
    } else {
      activationLayers.forEach((name, i) => {
        const share = row[i] ?? 0;
        const bar = el('div', 'dlviz-bar');
        const fill = el('div', 'dlviz-bar-fill' + (share >= 0.5 ? ' dlviz-bar-bad' : ''));
        fill.style.width = `${Math.round(share * 100)}%`;
        bar.appendChild(fill);
        deadBox.appendChild(
          el(
            'div',
            'dlviz-bar-row',
            undefined,
            el('span', 'dlviz-bar-label', name),
            bar,
            el('span', 'dlviz-bar-value', formatPercent(share))
          )
        );
      });
    }
  };
  slider.oninput = draw;
  draw();
  box.appendChild(
    section(
      trans.__('Weights'),
      trans.__(
        'How the weights of each layer are spread. Slide through the epochs to watch them move away from their random start; a spread that collapses to zero or blows up is a sign of trouble.'
      ),
      el(
        'div',
        'dlviz-slider-row',
        undefined,
        el('span', undefined, trans.__('Epoch')),
        slider,
        sliderLabel
      ),
      grid
    )
  );
  box.appendChild(
    section(
      trans.__('Dead ReLU units'),
      trans.__(
        'The share of units in each ReLU layer that never switch on for any validation image. A dead unit passes no signal and no gradient: it has stopped learning. Many dead units often mean the learning rate is too high.'
      ),
      deadBox
    )
  );
}
