/**
 * The RNN explorer's pure logic: unit order by variance and by correlation with a signal, the
 * units × steps matrix, brushing a span, the gate-saturation points, colours, top predictions,
 * request params, and the formulas written with real numbers. The formulas are checked on real
 * `rnn.inspect` results (tests/js/rnnInspect.fixture.json, made by the kernel from small
 * trained LSTM, 2-layer bidirectional GRU and tanh RNN): the states they recompute from the
 * gates equal the kernel's own states.
 */
import * as fs from 'fs';
import * as path from 'path';

import { decodeArrays } from '../../labextension/src/api/arrays';
import { memoryReach } from '../../labextension/src/views/rnn/compareLogic';
import {
  formulas,
  IFormulaLayer,
  num,
  recompute
} from '../../labextension/src/views/rnn/rnnFormulas';
import {
  brushSpan,
  inspectParams,
  orderUnits,
  pearson,
  saturationPoints,
  shares,
  splitMatch,
  stepLabels,
  topAt,
  unitColor,
  unitCorrelations,
  unitsBySteps,
  unitsParams,
  unitVariances
} from '../../labextension/src/views/rnn/rnnLogic';

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'rnnInspect.fixture.json'), 'utf8')
) as { [cell: string]: any };
const decoded = (cell: string) => decodeArrays(fixture[cell]);

/** 4 steps × 3 units: unit 0 constant, unit 1 = depth, unit 2 = -2·depth + noise-free offset. */
const depth = [1, 2, 1, 0];
const m = {
  steps: 4,
  units: 3,
  data: new Float32Array([0.5, 1, -1, 0.5, 2, -3, 0.5, 1, -1, 0.5, 0, 1])
};

describe('unit order', () => {
  it('computes each unit’s variance over the steps and orders by it, largest first', () => {
    const v = unitVariances(m);
    expect(v[0]).toBeCloseTo(0, 10);
    expect(v[1]).toBeCloseTo(0.5, 6); // mean 1, squares 0,1,0,1 -> 2/4
    expect(v[2]).toBeCloseTo(2, 6); // mean -1, squares 0,4,0,4 -> 8/4
    expect(orderUnits(m, 'variance')).toEqual([2, 1, 0]);
    expect(orderUnits(m, 'index')).toEqual([0, 1, 2]);
  });

  it('correlates each unit with a signal (Pearson r) and orders by |r|, ties by number', () => {
    const r = unitCorrelations(m, depth);
    expect(r[0]).toBe(0); // a constant unit has no correlation
    expect(r[1]).toBeCloseTo(1, 6);
    expect(r[2]).toBeCloseTo(-1, 6);
    expect(orderUnits(m, 'correlation', depth)).toEqual([1, 2, 0]);
    // by hand: x = 1,2,3,4 and y = 1,3,2,5 -> r = 5.5 / sqrt(5 * 8.75)
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 5])).toBeCloseTo(5.5 / Math.sqrt(5 * 8.75), 10);
  });

  it('lays the chosen units out as rows over the steps', () => {
    expect(Array.from(unitsBySteps(m, [2, 0]))).toEqual([-1, -3, -1, 1, 0.5, 0.5, 0.5, 0.5]);
  });

  it('finds the nesting-depth unit of a real LSTM by correlation', () => {
    const lstm = decoded('lstm');
    const hidden = lstm.layers[0].hidden;
    const grid = { data: hidden.data, steps: hidden.shape[0], units: hidden.shape[1] };
    const signal = fixture.lstm.input.signals.depth as number[];
    const order = orderUnits(grid, 'correlation', signal);
    const r = unitCorrelations(grid, signal).map(Math.abs);
    expect(r[order[0]]).toBe(Math.max(...r));
    expect(r[order[order.length - 1]]).toBe(Math.min(...r));
  });
});

describe('brushing a span of steps', () => {
  it('covers every column between the two pixels, in either order, clamped', () => {
    expect(brushSpan(35, 5, 10, 8)).toEqual({ start: 0, end: 4 });
    expect(brushSpan(12, 29.9, 10, 8)).toEqual({ start: 1, end: 3 });
    expect(brushSpan(-20, 500, 10, 8)).toEqual({ start: 0, end: 8 });
    expect(brushSpan(44, 44, 16, 10)).toEqual({ start: 2, end: 3 });
  });
});

describe('gate saturation scatter', () => {
  it('gives each unit its shares and a kind', () => {
    const points = saturationPoints([0.8, 0.05, 0.3, 0.1], [0.1, 0.7, 0.3, 0.2]);
    expect(points.map(p => [p.unit, p.low, p.high, p.kind])).toEqual([
      [0, 0.8, 0.1, 'closed'],
      [1, 0.05, 0.7, 'open'],
      [2, 0.3, 0.3, 'both'],
      [3, 0.1, 0.2, 'free']
    ]);
  });

  it('reads the real forget gate’s shares of the LSTM', () => {
    const lstm = decoded('lstm');
    const { low, high } = lstm.layers[0].saturation.forget;
    const forget = lstm.layers[0].gates.forget;
    const points = saturationPoints(low.data, high.data);
    const steps = forget.shape[0];
    const units = forget.shape[1];
    for (const p of points) {
      let below = 0;
      let above = 0;
      for (let t = 0; t < steps; t++) {
        below += forget.data[t * units + p.unit] < 0.1 ? 1 : 0;
        above += forget.data[t * units + p.unit] > 0.9 ? 1 : 0;
      }
      expect(p.low).toBeCloseTo(below / steps, 6);
      expect(p.high).toBeCloseTo(above / steps, 6);
    }
  });
});

describe('formulas with the numbers of a unit and step', () => {
  const layerOf = (cell: string, index: number): IFormulaLayer => decoded(cell).layers[index];

  it('writes numbers with two decimals and a true minus', () => {
    expect(num(0.934)).toBe('0.93');
    expect(num(-0.126)).toBe('−0.13');
    expect(num(-0.001)).toBe('0.00');
  });

  it('LSTM: c_t and h_t recomputed from the real gates equal the kernel’s states', () => {
    const layer = layerOf('lstm', 0);
    const [steps, units] = layer.hidden.shape;
    for (let t = 0; t < steps; t++) {
      for (let u = 0; u < units; u++) {
        const again = recompute('lstm', layer, u, t);
        expect(Math.abs(again.cell! - layer.cell!.data[t * units + u])).toBeLessThan(1e-5);
        expect(Math.abs(again.hidden - layer.hidden.data[t * units + u])).toBeLessThan(1e-5);
      }
    }
    const text = formulas('lstm', layer, 2, 3);
    const f = layer.gates.forget.data[3 * units + 2];
    expect(text.forget).toBe(`f_t = σ(W_f x_t + U_f h_{t−1} + b_f) = ${num(f)}`);
    expect(text.state).toContain(`= ${num(f)}·${num(layer.cell!.data[2 * units + 2])} + `);
    expect(text.hidden.endsWith(`= ${num(layer.hidden.data[3 * units + 2])}`)).toBe(true);
  });

  it('GRU, both directions of both layers: h_t recomputed equals the kernel’s', () => {
    for (let index = 0; index < 4; index++) {
      const layer = layerOf('gru', index);
      const [steps, units] = layer.hidden.shape;
      for (let t = 0; t < steps; t++) {
        for (let u = 0; u < units; u++) {
          const again = recompute('gru', layer, u, t).hidden;
          expect(Math.abs(again - layer.hidden.data[t * units + u])).toBeLessThan(1e-5);
        }
      }
    }
    const backward = layerOf('gru', 1);
    expect(backward.direction).toBe('backward');
    const text = formulas('gru', backward, 0, 0);
    expect(text.update).toContain('h_{t+1}');
    const units = backward.hidden.shape[1];
    expect(text.hidden).toContain(`·${num(backward.hidden.data[1 * units])} = `);
  });

  it('tanh RNN: h_t = tanh(a_t) with the real pre-activation', () => {
    const layer = layerOf('rnn', 0);
    const units = layer.hidden.shape[1];
    const a = layer.gates.pre_activation.data[5 * units + 1];
    expect(Math.tanh(a)).toBeCloseTo(layer.hidden.data[5 * units + 1], 5);
    expect(formulas('rnn_tanh', layer, 1, 5).hidden).toBe(
      `h_t = tanh(a_t) = tanh(${num(a)}) = ${num(layer.hidden.data[5 * units + 1])}`
    );
  });
});

describe('colours, labels and predictions', () => {
  it('colours a unit’s value on the diverging scale with a readable ink', () => {
    expect(unitColor(2, 2)).toEqual({ background: 'rgb(178, 24, 43)', ink: '#ffffff' });
    expect(unitColor(0, 2)).toEqual({ background: 'rgb(247, 247, 247)', ink: '#000000' });
    expect(unitColor(-2, 2)).toEqual({ background: 'rgb(33, 102, 172)', ink: '#ffffff' });
    // halfway up: between light grey (247,247,247) and salmon (244,165,130)
    expect(unitColor(0.5, 1).background).toBe('rgb(244, 165, 130)');
  });

  it('labels steps by character (blanks visible) or by number', () => {
    expect(stepLabels(['a', ' ', '\n', null], 4)).toEqual(['a', '␣', '↵', '?']);
    expect(stepLabels(null, 3)).toEqual(['0', '1', '2']);
  });

  it('reads the real top predictions after a step, most likely first', () => {
    const lstm = decoded('lstm');
    const { indices, probabilities } = lstm.predictions.top_k;
    const top = topAt(indices, probabilities, lstm.predictions.labels, 4);
    expect(top).toHaveLength(3);
    expect(top[0].probability).toBeGreaterThanOrEqual(top[1].probability);
    const sum = top.reduce((s, p) => s + p.probability, 0);
    expect(sum).toBeCloseTo(1, 5); // a vocabulary of 3: the top 3 are all of it
    expect(new Set(top.map(p => p.label))).toEqual(new Set(['(', ')', 'a']));
  });

  it('splits a match into its context and span', () => {
    expect(splitMatch('…if (a[b(c)]) x…')).toEqual({
      before: '…if (a',
      span: 'b(c)',
      after: ') x…'
    });
    expect(splitMatch(null)).toEqual({ before: '', span: '', after: '' });
  });

  it('scales memory bars and says how far back they reach', () => {
    expect(shares([1, 4, 2, 0])).toEqual([0.25, 1, 0.5, 0]);
    expect(memoryReach([0.05, 0.2, 1, 3, 10, 0], 4)).toEqual({ first: 0.005, steps: 2 });
    expect(memoryReach([2, 1, 1, 4], 3)).toEqual({ first: 0.5, steps: 3 });
  });
});

describe('requests', () => {
  it('asks rnn.inspect of a run at an epoch, or of a notebook model with its params', () => {
    expect(inspectParams('run-1', 3, { index: 7 })).toEqual({
      run: 'run-1',
      epoch: 3,
      input: { index: 7, variable: '' }
    });
    const base = { model: 'net', input: { vocabulary: 'chars', variable: '' }, max_steps: 50 };
    expect(inspectParams(null, -1, { text: 'ab' }, base)).toEqual({
      model: 'net',
      max_steps: 50,
      run: '',
      epoch: -1,
      step: -1,
      input: { index: 0, text: 'ab', vocabulary: 'chars' }
    });
  });

  it('asks rnn.units for the same sequence with the span and the search', () => {
    const inspect = { run: 'r', epoch: -1, input: { index: 2 }, step: -1 };
    expect(unitsParams(inspect, 1, 0, { start: 3, end: 6 }, 0.4, true)).toEqual({
      run: 'r',
      epoch: -1,
      input: { index: 2 },
      layer: 1,
      direction: 0,
      start: 3,
      end: 6,
      threshold: 0.4,
      off_outside: true
    });
  });
});
