/**
 * The RNN explorer's sections drawn in jsdom from real `rnn.inspect` results
 * (rnnInspect.fixture.json): what each section shows for a character LSTM and for a 2-layer
 * bidirectional GRU reading digit rows, and how a picked unit and step change the formulas.
 * Canvases stay blank in jsdom (no 2-D context); the numbers and structure are checked.
 */
import * as fs from 'fs';
import * as path from 'path';

import { decodeArrays } from '../../labextension/src/api/arrays';
import { memoryReach } from '../../labextension/src/views/rnn/compareLogic';
import { num } from '../../labextension/src/views/rnn/rnnFormulas';
import { unitCorrelations } from '../../labextension/src/views/rnn/rnnLogic';
import { RnnInspected } from '../../labextension/src/views/rnn/rnnResult';
import { carryOver, IRnnState } from '../../labextension/src/views/rnn/rnnState';
import { RnnSections } from '../../labextension/src/views/rnn/sections';

// jsdom has no 2-D canvas: say so quietly (the heat maps then stay blank, as draw.ts expects).
HTMLCanvasElement.prototype.getContext = (() => null) as any;

const read = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(__dirname, name), 'utf8')) as { [key: string]: any };
const inspected = read('rnnInspect.fixture.json');
const result = (cell: string) => decodeArrays(inspected[cell]) as RnnInspected;

/** Sections that redraw on every pick, as the shell does; returns them and the last state. */
function draw(cell: string) {
  const picks: Partial<IRnnState>[] = [];
  const texts: string[] = [];
  const sections = new RnnSections(
    change => picks.push(change),
    text => texts.push(text),
    { find: () => undefined, jump: () => undefined }
  );
  const root = document.createElement('div');
  for (const [, , , ...nodes] of sections.specs()) {
    root.append(...nodes);
  }
  const state = carryOver(null, result(cell));
  sections.render(state, cell === 'lstm', true);
  return { sections, root, state, picks, texts };
}

describe('a character LSTM', () => {
  it('draws 4 units × 10 steps, the depth-correlated unit picked and on top', () => {
    const { root, state } = draw('lstm');
    const host = root.querySelector('.dlviz-rnn-map-host')!;
    expect(host.getAttribute('data-units')).toBe('4');
    expect(host.getAttribute('data-steps')).toBe('10');
    const hidden = state.result.layers[0].hidden;
    const r = unitCorrelations(
      { data: hidden.data, steps: 10, units: 4 },
      state.result.input.signals.depth
    ).map(Math.abs);
    expect(state.orderBy).toBe('correlation');
    expect(state.unit).toBe(r.indexOf(Math.max(...r)));
    expect(host.getAttribute('data-order')!.split(',')[0]).toBe(String(state.unit));
    // the characters along the axis
    const ticks = Array.from(root.querySelectorAll('.dlviz-rnn-heatmap .dlviz-rnn-tick'));
    expect(ticks.map(t => t.textContent).join('')).toBe('(((())))aa');
  });

  it('writes h_t and c_t of the picked unit at the last step with the kernel’s numbers', () => {
    const { root, state } = draw('lstm');
    const layer = state.result.layers[0];
    const at = (name: string) => layer.gates[name].data[9 * 4 + state.unit];
    const formula = root.querySelector('[data-testid="dlviz-rnn-hidden-formula"]')!.textContent!;
    expect(formula).toContain(`Unit ${state.unit}, step 9:`);
    expect(formula).toContain(
      `h_t = o_t·tanh(c_t) = ${num(at('output'))}·tanh(${num(layer.cell!.data[9 * 4 + state.unit])})`
    );
    expect(formula).toContain(`= ${num(layer.hidden.data[9 * 4 + state.unit])}`);
    const gates = root.querySelectorAll('.dlviz-rnn-gate');
    expect(gates).toHaveLength(4);
    expect(gates[1].textContent).toContain(
      `f_t = σ(W_f x_t + U_f h_{t−1} + b_f) = ${num(at('forget'))}`
    );
  });

  it('colours each character by the unit and shows the top predictions on hover', () => {
    const { root, state } = draw('lstm');
    const chars = Array.from(root.querySelectorAll<HTMLElement>('.dlviz-rnn-char'));
    expect(chars.map(c => c.textContent).join('')).toBe('(((())))aa');
    const values = Array.from(
      { length: 10 },
      (_, t) => state.result.layers[0].hidden.data[t * 4 + state.unit]
    );
    // the most positive step is the reddest: red minus blue is largest there
    const warmth = chars.map(c => {
      const [r, , b] = /rgb\((\d+), (\d+), (\d+)/.exec(c.style.background)!.slice(1).map(Number);
      return r - b;
    });
    expect(warmth.indexOf(Math.max(...warmth))).toBe(values.indexOf(Math.max(...values)));
    expect(warmth.indexOf(Math.min(...warmth))).toBe(values.indexOf(Math.min(...values)));
    chars[2].dispatchEvent(new MouseEvent('mouseenter'));
    const hover = root.querySelector('[data-testid="dlviz-rnn-hover"]')!;
    expect(hover.textContent).toContain('After step 2 ((), unit');
    const rows = hover.querySelectorAll('.dlviz-bar-row');
    expect(rows).toHaveLength(3);
    const top = state.result.predictions.top_k!;
    const best = Math.max(
      top.probabilities.data[6],
      top.probabilities.data[7],
      top.probabilities.data[8]
    );
    expect(rows[0].querySelector('.dlviz-bar-value')!.textContent).toBe(
      `${(best * 100).toFixed(1)}%`
    );
  });

  it('draws the memory bars, the trajectory and the saturation points', () => {
    const { root, state } = draw('lstm');
    expect(root.querySelectorAll('[data-testid="dlviz-rnn-memory-plot"] rect')).toHaveLength(10);
    expect(root.querySelectorAll('[data-testid="dlviz-rnn-trajectory-plot"] circle')).toHaveLength(
      10
    );
    for (const gate of ['input', 'forget', 'output']) {
      expect(
        root.querySelectorAll(`[data-testid="dlviz-rnn-scatter-${gate}"] circle`)
      ).toHaveLength(4);
    }
    const { low, high } = state.result.layers[0].saturation.forget;
    const forget = root
      .querySelector('[data-testid="dlviz-rnn-scatter-forget"]')!
      .closest('figure')!;
    expect(forget.querySelector('.dlviz-rnn-formula')!.textContent).toContain(
      `#{t : f_t < 0.1} / T = ${num(low.data[state.unit])},  #{t : f_t > 0.9} / T = ${num(high.data[state.unit])}`
    );
    const memory = state.result.memory;
    const formula = root.querySelector('[data-testid="dlviz-rnn-memory-formula"]')!.textContent!;
    expect(formula).toContain(`‖∂ŷ_${memory.step} / ∂x_9‖ = ${num(memory.gradient_norms.data[9])}`);
  });

  it('a click on a character picks its step', () => {
    const { root, picks } = draw('lstm');
    root.querySelectorAll<HTMLElement>('.dlviz-rnn-char')[4].click();
    expect(picks).toEqual([{ step: 4 }]);
  });
});

describe('a 2-layer bidirectional GRU reading digit rows', () => {
  it('offers its 4 layers and directions, draws rows and class probabilities, no text box', () => {
    const { root, state } = draw('gru');
    const options = Array.from(root.querySelectorAll('[data-testid="dlviz-rnn-layer"] option'));
    expect(options.map(o => o.textContent)).toEqual([
      'Layer 1 →',
      'Layer 1 ←',
      'Layer 2 →',
      'Layer 2 ←'
    ]);
    expect(state.orderBy).toBe('variance'); // digit rows have no signal
    expect(root.querySelectorAll('.dlviz-rnn-gate')).toHaveLength(3);
    expect((root.querySelector('.dlviz-rnn-typed') as HTMLElement).hidden).toBe(true);
    expect(root.querySelector('.dlviz-rnn-char')!.textContent).toBe('row 0');
    expect(root.querySelector('[data-testid="dlviz-rnn-class-map"]')).not.toBeNull();
    const bars = root.querySelectorAll('[data-testid="dlviz-rnn-step-predictions"] .dlviz-bar-row');
    expect(bars).toHaveLength(10);
  });
});

describe('the comparison’s memory reach on a real rnn.compare result', () => {
  it('reports for each cell the share at the first step and how far back it reaches', () => {
    const compared = decodeArrays(read('rnnCompare.fixture.json'));
    expect(compared.cells.map((c: any) => c.cell)).toEqual(['rnn', 'lstm', 'gru']);
    for (const c of compared.cells) {
      const norms = c.memory.gradient_norms.data as Float32Array;
      const reach = memoryReach(norms, c.memory.step);
      const top = Math.max(...Array.from(norms));
      expect(reach.first).toBeCloseTo(norms[0] / top, 6);
      expect(reach.steps).toBeGreaterThanOrEqual(0);
      expect(reach.steps).toBeLessThanOrEqual(c.memory.step);
    }
  });
});
