/** The MLP playground's pure logic: the browser's forward pass against the kernel's picture. */
import {
  css,
  discreteTone,
  featureOf,
  ILayerWeights,
  IPlane,
  linkColor,
  linkWidth,
  linspace,
  neuronPictures,
  neuronTone,
  outputPicture,
  outputTone,
  toneColor
} from '../../labextension/src/views/mlp/planeLogic';
import {
  FrameGate,
  History,
  newSeed,
  parseSetup,
  runParams,
  setupJson,
  withRates,
  withSeed
} from '../../labextension/src/views/mlp/setupLogic';
import { parsePresets } from '../../labextension/src/panel/presets';

import * as fixture from './mlpPlayground.fixture.json';

interface ICase {
  name: string;
  features: string[];
  setup: string;
  classes: number | null;
  weights: ILayerWeights[];
  xs: number[];
  ys: number[];
  values: number[][];
}

const cases = (fixture as unknown as { cases: ICase[] }).cases;

function planeOf(c: ICase): IPlane {
  return { xs: c.xs, ys: c.ys, features: c.features, computes: true, fixed: [], shown: [0, 1] };
}

describe("the browser's forward pass over the grid", () => {
  it('has four kernel results to compare with', () => {
    expect(cases.map(c => [c.setup, c.classes])).toEqual([
      ['playground', 2],
      ['pytorch', 2],
      ['pytorch', 4],
      ['playground', null]
    ]);
  });

  it.each(cases.map(c => [c.name, c] as [string, ICase]))(
    'equals the kernel output.values: %s',
    (_name, c) => {
      const pictures = neuronPictures(c.weights, planeOf(c));
      const shown = outputPicture(pictures[pictures.length - 1], c);
      const expected = c.values.flat();
      expect(shown.length).toBe(c.xs.length * c.ys.length);
      expect(expected.length).toBe(2500);
      let worst = 0;
      let differentClass = 0;
      shown.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - expected[i]));
        differentClass += v !== expected[i] ? 1 : 0;
      });
      if (c.classes !== null && c.classes > 2) {
        // the class of each point (weights travel rounded to 5 digits: a tie may flip)
        expect(differentClass).toBeLessThanOrEqual(2);
        expect(new Set(expected).size).toBeGreaterThan(1);
      } else {
        expect(worst).toBeLessThan(2e-4);
      }
    }
  );

  it('gives every neuron a picture, the inputs first', () => {
    const c = cases[0];
    const pictures = neuronPictures(c.weights, planeOf(c));
    expect(pictures.map(layer => layer.length)).toEqual([4, 3, 2, 1]);
    // input x1^2 at the grid's first point (xs[0], ys[0])
    expect(pictures[0][2][0]).toBeCloseTo(c.xs[0] * c.xs[0], 4);
    // row i of a picture is ys[i]: the 51st value is (xs[0], ys[1])
    expect(pictures[0][1][50]).toBeCloseTo(c.ys[1], 5);
    // ReLU neurons are never negative
    expect(Math.min(...pictures[1][0])).toBeGreaterThanOrEqual(0);
  });

  it('reads wider notebook data with the other columns held fixed', () => {
    const plane: IPlane = {
      xs: [1],
      ys: [2],
      features: ['a', 'b', 'c'],
      computes: false,
      fixed: [0, 7, 0],
      shown: [2, 0]
    };
    const layer = { weight: [[1, 10, 100]], bias: [0.5], activation: 'linear' };
    // row = [b=2, fixed 7, a=1]: 2 + 70 + 100 + 0.5
    expect(neuronPictures([layer], plane)[1][0][0]).toBeCloseTo(172.5, 5);
  });
});

describe('features, tones and colours', () => {
  it('computes the seven features', () => {
    expect(['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2'].map(n => featureOf(n, 2, -3))).toEqual([
      2, -3, 4, 9, -6
    ]);
    expect(featureOf('sin(x1)', Math.PI / 2, 0)).toBeCloseTo(1);
    expect(featureOf('sin(x2)', 0, -Math.PI / 2)).toBeCloseTo(-1);
    expect(featureOf('nope', 1, 1)).toBeNaN();
  });

  it("maps outputs to Playground's scale: P(class 1) to 2p - 1", () => {
    const torch2 = { setup: 'pytorch', classes: 2 };
    expect(outputTone(0.75, torch2)).toBeCloseTo(0.5);
    expect(outputTone(0.75, { setup: 'playground', classes: 2 })).toBeCloseTo(0.75);
    expect(outputTone(3, { setup: 'playground', classes: null })).toBe(1);
    expect(discreteTone(0.01)).toBe(1);
    expect(discreteTone(0)).toBe(-1);
    expect(neuronTone('sigmoid', 0.5, 1)).toBeCloseTo(0);
    expect(neuronTone('relu', 2, 4)).toBeCloseTo(0.5);
  });

  it('colours -1 orange, 0 light grey, +1 blue', () => {
    expect(toneColor(-1)).toEqual([245, 147, 34]);
    expect(toneColor(0)).toEqual([232, 234, 235]);
    expect(toneColor(1)).toEqual([8, 119, 189]);
    expect(toneColor(5)).toEqual(toneColor(1));
    expect(css(toneColor(NaN))).toBe('rgb(128, 128, 128)');
  });

  it('draws links by size and sign', () => {
    expect(linkWidth(0)).toBe(0.5);
    expect(linkWidth(-1)).toBe(6);
    expect(linkWidth(3)).toBe(6);
    expect(linkWidth(0.5)).toBeCloseTo(3.25);
    expect(linkColor(-0.8)[0]).toBeGreaterThan(linkColor(-0.8)[2]); // orange
    expect(linkColor(0.8)[2]).toBeGreaterThan(linkColor(0.8)[0]); // blue
    expect(linspace(-6, 6, 3)).toEqual([-6, 0, 6]);
  });
});

describe('the set-up as JSON and the params of each control', () => {
  const params = {
    data: { source: 'spiral', noise: 10, seed: 3 },
    features: ['x1', 'x2', 'sin(x1)'],
    model: { hidden: [{ neurons: 8, activation: 'relu' }], regularization: 'l2' },
    training: { learning_rate: 0.1, epochs: 7, seed: 4 },
    continue_from: 'run-9',
    edits: [{ layer: 0, to: 1, from: -1, value: 2 }]
  };

  it('round-trips the set-up, without the run-specific parts', () => {
    const text = setupJson(params);
    const preset = JSON.parse(text);
    expect(preset.task).toBe('mlp.train');
    // a course preset as it is: the panel's reader takes it whole
    const { presets, problems } = parsePresets([preset], 'notebook');
    expect(problems).toEqual([]);
    const read = presets[0];
    expect(read).toMatchObject({ name: `playground-${params.data.source}`, task: 'mlp.train' });
    expect(read.params).toEqual(JSON.parse(text).params);
    expect(read.locked).toEqual([]);
    const back = parseSetup(text);
    expect(back).toEqual({
      data: params.data,
      features: params.features,
      model: params.model,
      training: params.training
    });
    // bare params are accepted too
    expect(parseSetup(JSON.stringify(back))).toEqual(back);
  });

  it('says what is wrong with a bad set-up', () => {
    expect(() => parseSetup('{nope')).toThrow(/not JSON/);
    expect(() => parseSetup('[1]')).toThrow(/JSON object/);
    expect(() => parseSetup('{"task": "cnn.train", "params": {}}')).toThrow(/cnn\.train/);
    expect(() => parseSetup('{"optimizer": "sgd"}')).toThrow(/optimizer/);
    expect(() => parseSetup('{"data": 3}')).toThrow(/"data"/);
    expect(() => parseSetup('{"features": "x1"}')).toThrow(/features/);
  });

  it('makes play, step, reset and edit params', () => {
    const step = runParams(params, 1, 'run-10');
    expect(step.training.epochs).toBe(1);
    expect(step.continue_from).toBe('run-10');
    expect(step.edits).toBeUndefined();
    const reset = runParams(params, 0, null);
    expect(reset.continue_from).toBeUndefined();
    expect(reset.training.seed).toBe(4);
    const edit = runParams(params, 0, 'run-10', [{ layer: 1, to: 0, from: 2, value: -0.5 }]);
    expect(edit.edits).toEqual([{ layer: 1, to: 0, from: 2, value: -0.5 }]);
    expect(params.training.epochs).toBe(7); // the set-up itself is not changed
    expect(withSeed(params, 11).training.seed).toBe(11);
    expect(newSeed(5, () => 0.5)).toBe(500000);
    expect(newSeed(500000, () => 0.5)).toBe(500001);
  });

  it('changes rates without touching the rest; noise changes the data', () => {
    const lr = withRates(params, { learningRate: 0.3 });
    expect(lr.params.training).toEqual({ ...params.training, learning_rate: 0.3 });
    expect(lr.dataChanged).toBe(false);
    const noise = withRates(params, { noise: 25, regularizationRate: 0.01 });
    expect(noise.dataChanged).toBe(true);
    expect(noise.params.data.noise).toBe(25);
    expect(noise.params.model.regularization_rate).toBe(0.01);
    expect(withRates(params, { noise: 10 }).dataChanged).toBe(false);
  });
});

describe('the history over runs and the frame gate', () => {
  it('numbers the epochs of continued runs after the earlier ones', () => {
    const history = new History();
    history.add({ epoch: 1, train_loss: 0.5, validation_loss: 0.6 });
    history.add({ epoch: 2, train_loss: 0.4, validation_loss: 0.5 });
    history.startRun();
    history.add({ epoch: 1, train_loss: 0.3 });
    history.add({ epoch: 1, train_loss: 0.3 }); // seen twice
    expect(history.epochs).toEqual([1, 2, 3]);
    expect(history.epoch).toBe(3);
    expect(history.testLoss).toEqual([0.6, 0.5, null]);
    expect(history.nearest(2.4)).toBe(1);
    history.clear();
    expect(history.epoch).toBe(0);
    history.addRun({
      epoch: [1, 2],
      train_loss: [0.9, 0.8],
      validation_loss: [1, 0.7],
      validation_accuracy: [0.5, 0.75]
    });
    expect(history.epochs).toEqual([1, 2]);
    expect(history.testAccuracy).toEqual([0.5, 0.75]);
    expect(history.trainAccuracy).toEqual([null, null]);
    history.clear();
    expect(history.nearest(1)).toBe(-1);
  });

  it("fills in from a run's result the epochs no event brought", () => {
    const history = new History();
    history.addRun({ epoch: [1, 2], train_loss: [0.9, 0.8], validation_loss: [1, 0.7] });
    // a one-epoch step that ended before it was listened to: no event, only its result
    history.startRun();
    history.fill({ epoch: [1], train_loss: [0.6], validation_loss: [0.65] });
    expect(history.epochs).toEqual([1, 2, 3]);
    expect(history.trainLoss).toEqual([0.9, 0.8, 0.6]);
    // a run whose first epoch came as an event and whose second did not
    history.startRun();
    history.add({ epoch: 1, train_loss: 0.5 });
    history.fill({ epoch: [1, 2], train_loss: [0.5, 0.4], validation_loss: [0.6, 0.55] });
    expect(history.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(history.trainLoss).toEqual([0.9, 0.8, 0.6, 0.5, 0.4]);
    expect(history.testLoss[3]).toBeNull(); // the event's numbers stay
    expect(history.epoch).toBe(5);
  });

  it('draws every value, one per frame, oldest first; a long backlog drops the oldest', () => {
    const frames: (() => void)[] = [];
    const drawn: number[] = [];
    const gate = new FrameGate<number>(
      v => drawn.push(v),
      callback => frames.push(callback),
      2
    );
    gate.offer(1);
    gate.offer(2);
    expect(frames.length).toBe(1); // one animation frame asked for at a time
    expect(gate.waiting).toBe(2);
    frames.shift()!();
    expect(drawn).toEqual([1]);
    expect(gate.waiting).toBe(1);
    expect(frames.length).toBe(1); // the second waits for the next one
    frames.shift()!();
    expect(drawn).toEqual([1, 2]);
    expect(frames.length).toBe(0);
    // three at once with a backlog of two: the oldest goes
    gate.offer(3);
    gate.offer(4);
    gate.offer(5);
    while (frames.length) {
      frames.shift()!();
    }
    expect(drawn).toEqual([1, 2, 4, 5]);
    expect([gate.drawn, gate.dropped, gate.waiting]).toEqual([4, 1, 0]);
  });
});
