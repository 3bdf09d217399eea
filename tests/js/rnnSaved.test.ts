/**
 * The RNN explorer without its kernel: a real `rnn.train` result's saved states turned into an
 * inspect-shaped result (savedStates.ts) and checked against real `rnn.inspect` results of the
 * same run, made in the same kernel session (rnnRuns.fixture.json, written by
 * tests/js/make_rnn_fixture.py: a digits-rows LSTM of 8 units, 3 epochs; a brackets GRU of 6
 * units, 2 epochs). Also the fixed colour scale across epochs.
 */
import * as fs from 'fs';
import * as path from 'path';

import { decodeArrays } from '../../labextension/src/api/arrays';
import { boundedHidden, heatLimit } from '../../labextension/src/views/rnn/rnnLogic';
import { RnnInspected } from '../../labextension/src/views/rnn/rnnResult';
import { carryOver, limitOf } from '../../labextension/src/views/rnn/rnnState';
import {
  bracketDepth,
  pca2d,
  RnnTrained,
  savedInspect
} from '../../labextension/src/views/rnn/savedStates';
import { RnnSections } from '../../labextension/src/views/rnn/sections';

HTMLCanvasElement.prototype.getContext = (() => null) as any;

const runs = JSON.parse(fs.readFileSync(path.join(__dirname, 'rnnRuns.fixture.json'), 'utf8')) as {
  [name: string]: any;
};
const trained = (name: string) => decodeArrays(runs[name].train) as RnnTrained;
const inspected = (name: string, which: 'last' | 'epoch1') =>
  decodeArrays(runs[name][which]) as RnnInspected;

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let out = 0;
  for (let i = 0; i < a.length; i++) {
    out = Math.max(out, Math.abs(a[i] - b[i]));
  }
  return out;
}

describe('the saved states of a digits-rows LSTM', () => {
  const train = trained('digits');

  it('equal the hidden states rnn.inspect computes at the last epoch and at epoch 1', () => {
    expect(train.snapshots.epochs).toEqual([0, 1, 2, 3]);
    const last = savedInspect(train, 3);
    const real = inspected('digits', 'last');
    expect(last.layers[0].hidden.shape).toEqual([8, 8]);
    expect(maxDifference(last.layers[0].hidden.data, real.layers[0].hidden.data)).toBeLessThan(
      1e-5
    );
    const first = savedInspect(train, 1);
    expect(first.source.epoch).toBe(1);
    expect(
      maxDifference(
        first.layers[0].hidden.data,
        inspected('digits', 'epoch1').layers[0].hidden.data
      )
    ).toBeLessThan(1e-5);
  });

  it('give the class probabilities after each row, summing to 1, as rnn.inspect does', () => {
    const saved = savedInspect(train, 3).predictions;
    const real = inspected('digits', 'last').predictions;
    expect(saved.kind).toBe('after_each_step');
    expect(saved.labels).toEqual(real.labels);
    expect(saved.probabilities!.shape).toEqual([8, 10]);
    expect(maxDifference(saved.probabilities!.data, real.probabilities!.data)).toBeLessThan(1e-5);
    for (let t = 0; t < 8; t++) {
      const row = Array.from(saved.probabilities!.data.slice(t * 10, t * 10 + 10));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(Array.from(saved.top_k!.indices.data)).toEqual(Array.from(real.top_k!.indices.data));
  });

  it('project the trajectory on the same two directions as the kernel’s PCA', () => {
    const saved = savedInspect(train, 3).layers[0].trajectory;
    const real = inspected('digits', 'last').layers[0].trajectory;
    expect(saved.variance[0]).toBeCloseTo(real.variance[0], 4);
    expect(saved.variance[1]).toBeCloseTo(real.variance[1], 4);
    expect(maxDifference(saved.points.data, real.points.data)).toBeLessThan(1e-3);
  });

  it('draw the heat map and prediction bars, and say the rest needs the kernel', () => {
    const sections = new RnnSections(
      () => undefined,
      () => undefined,
      { find: () => undefined, jump: () => undefined }
    );
    const root = document.createElement('div');
    for (const [, , , ...nodes] of sections.specs()) {
      root.append(...nodes);
    }
    const state = { ...carryOver(null, savedInspect(train, 3)), saved: true };
    sections.render(state, false, true);
    const host = root.querySelector('.dlviz-rnn-map-host')!;
    expect(host.getAttribute('data-units')).toBe('8');
    expect(host.getAttribute('data-steps')).toBe('8');
    expect(
      root.querySelector('[data-testid="dlviz-rnn-heatmap"]')!.getAttribute('data-source')
    ).toBe('saved');
    const bars = Array.from(
      root.querySelectorAll<HTMLElement>('.dlviz-rnn-prediction-bars .dlviz-bar-row')
    );
    expect(bars).toHaveLength(10);
    const sum = bars.reduce((s, b) => s + Number(b.dataset.probability), 0);
    expect(sum).toBeCloseTo(1, 5);
    // gates, saturation, memory and the unit search say why they are empty
    expect(root.querySelectorAll('[data-testid="dlviz-rnn-needs-kernel"]')).toHaveLength(4);
    expect(root.querySelector<HTMLButtonElement>('[data-testid="dlviz-rnn-find"]')!.disabled).toBe(
      true
    );
  });
});

describe('the saved states of a brackets GRU (a character model)', () => {
  const train = trained('brackets');
  const saved = savedInspect(train, 2);
  const real = inspected('brackets', 'last');

  it('read the sample’s characters and their nesting depth as the kernel counts it', () => {
    expect(saved.input.characters).toEqual(real.input.characters);
    expect(saved.input.signals.depth).toEqual(real.input.signals.depth);
    expect(bracketDepth(['(', '(', 'a', ')'])).toEqual([1, 2, 2, 1]);
  });

  it('list the top next characters at every step as rnn.inspect does', () => {
    expect(saved.predictions.kind).toBe('per_step');
    expect(saved.predictions.top_k!.indices.shape).toEqual(real.predictions.top_k!.indices.shape);
    expect(Array.from(saved.predictions.top_k!.indices.data)).toEqual(
      Array.from(real.predictions.top_k!.indices.data)
    );
    expect(
      maxDifference(
        saved.predictions.top_k!.probabilities.data,
        real.predictions.top_k!.probabilities.data
      )
    ).toBeLessThan(1e-5);
    expect(maxDifference(saved.layers[0].hidden.data, real.layers[0].hidden.data)).toBeLessThan(
      1e-5
    );
  });
});

describe('PCA of a trajectory', () => {
  it('puts points on a line along one direction with all the variance', () => {
    // three points on the line (1, 2) * s, s = -1, -1, 2 (already centred); the axis points
    // toward the most extreme one, s = 2
    const { points, variance } = pca2d([-1, -2, -1, -2, 2, 4], 3, 2);
    expect(variance[0]).toBeCloseTo(1, 6);
    expect(variance[1]).toBeCloseTo(0, 6);
    expect(Array.from(points).filter((_, i) => i % 2 === 0)).toEqual([
      expect.closeTo(-Math.sqrt(5), 5),
      expect.closeTo(-Math.sqrt(5), 5),
      expect.closeTo(2 * Math.sqrt(5), 5)
    ]);
  });
});

describe('the colour scale of the hidden states', () => {
  it('is ±1 at every epoch for bounded cells, each epoch’s own largest |h| per epoch', () => {
    const train = trained('digits');
    const before = carryOver(null, savedInspect(train, 0));
    const after = carryOver(before, savedInspect(train, 3));
    expect(boundedHidden('lstm', 0)).toBe(true);
    expect(boundedHidden('rnn_relu', 0)).toBe(false);
    expect(boundedHidden('lstm', 4)).toBe(false);
    expect(limitOf(before)).toBe(1);
    expect(limitOf(after)).toBe(1);
    const own = (s: typeof after) =>
      Math.max(...Array.from(s.result.layers[0].hidden.data, Math.abs));
    expect(limitOf({ ...before, perEpoch: true })).toBeCloseTo(own(before), 6);
    expect(limitOf({ ...after, perEpoch: true })).toBeCloseTo(own(after), 6);
    expect(own(before)).not.toBeCloseTo(own(after), 2);
    // the toggle is kept from epoch to epoch
    expect(carryOver({ ...after, perEpoch: true }, savedInspect(train, 1)).perEpoch).toBe(true);
  });

  it('keeps the largest |h| seen for an unbounded cell', () => {
    expect(heatLimit([0.5, -2], false, false, 3)).toBe(3);
    expect(heatLimit([0.5, -4], false, false, 3)).toBe(4);
    expect(heatLimit([0.5, -2], true, false, 3)).toBe(2);
    expect(heatLimit([0, 0], true, true, 0)).toBe(1e-6);
  });
});
