import {
  addProgress,
  cellSize,
  clampEpoch,
  classProfile,
  codeFor,
  curvesFromHistory,
  divergingColor,
  drawingToPixels,
  emptyCurves,
  epochAxisMax,
  filterOrder,
  formatCount,
  formatPercent,
  formatSeconds,
  gapPath,
  histogram,
  histogramBars,
  imageToPixels,
  inkBox,
  inspectParams,
  linePath,
  linearScale,
  maxAbs,
  niceTicks,
  pythonLiteral,
  pythonNumber,
  pythonRepr,
  pythonString,
  rankPredictions,
  resizeGrid,
  rgbaToInk,
  rowShares,
  sequentialColor,
  seriesDomain,
  toDataScale,
  trainingLine,
  valueRange
} from '../../labextension/src/cnnLogic';
import { viewFor } from '../../labextension/src/logic';

describe('colour maps', () => {
  it('diverging map is blue for the negative limit, light grey at zero, red for the positive limit', () => {
    expect(divergingColor(-2, 2)).toEqual([33, 102, 172]);
    expect(divergingColor(0, 2)).toEqual([247, 247, 247]);
    expect(divergingColor(2, 2)).toEqual([178, 24, 43]);
  });

  it('diverging map clamps values beyond the limit and halfway mixes two stops', () => {
    expect(divergingColor(10, 1)).toEqual([178, 24, 43]);
    // -0.25 of the limit is halfway between the light blue stop and grey.
    expect(divergingColor(-0.25, 1)).toEqual([197, 222, 235]);
  });

  it('sequential map runs from dark purple at low to yellow at high', () => {
    expect(sequentialColor(0, 0, 10)).toEqual([68, 1, 84]);
    expect(sequentialColor(10, 0, 10)).toEqual([253, 231, 37]);
    expect(sequentialColor(5, 0, 10)).toEqual([33, 145, 140]);
  });

  it('maxAbs and valueRange skip non-finite values', () => {
    expect(maxAbs([1, -3, NaN, 2])).toBe(3);
    expect(valueRange([4, NaN, -1, Infinity, 2])).toEqual([-1, 4]);
    expect(valueRange([])).toEqual([0, 0]);
  });
});

/** A width x height grid with ink (1) where `on(x, y)`. */
function grid(width: number, height: number, on: (x: number, y: number) => boolean) {
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      values[y * width + x] = on(x, y) ? 1 : 0;
    }
  }
  return { width, height, values };
}

describe('drawings and pictures to pixels', () => {
  it('resizeGrid averages each output pixel over its area', () => {
    // Left half ink on a 4x2 grid -> 2x1: [1, 0]; 3 -> 2 splits a pixel between outputs.
    expect(Array.from(resizeGrid(grid(4, 2, x => x < 2), 2, 1).values)).toEqual([1, 0]);
    const thirds = resizeGrid({ width: 3, height: 1, values: new Float32Array([1, 0, 0]) }, 2, 1);
    expect(thirds.values[0]).toBeCloseTo(2 / 3);
    expect(thirds.values[1]).toBeCloseTo(0);
  });

  it('inkBox finds the box around the strokes, null for a blank canvas', () => {
    expect(inkBox(grid(10, 10, (x, y) => x >= 3 && x < 5 && y >= 2 && y < 8))).toEqual({ x0: 3, y0: 2, x1: 5, y1: 8 });
    expect(inkBox(grid(10, 10, () => false))).toBeNull();
  });

  it('a vertical bar drawn in a corner becomes a centred, full-height bar of 8x8 digit pixels', () => {
    // A 160x160 canvas with a thin bar at the top left: the crop centres and enlarges it.
    const drawing = grid(160, 160, (x, y) => x >= 10 && x < 30 && y >= 10 && y < 90);
    const pixels = drawingToPixels(drawing, 8, 8, 0);
    expect(pixels).toHaveLength(8);
    expect(pixels[0]).toHaveLength(8);
    // The bar is 80 px tall and 20 px wide: in a square crop of 80 it takes the middle 2 columns.
    for (const row of pixels) {
      expect(row[3]).toBe(1);
      expect(row[4]).toBe(1);
      expect(row[0]).toBe(0);
      expect(row[7]).toBe(0);
    }
    // In the digits' own 0..16 scale, the ink is 16 and the background 0.
    expect(toDataScale(pixels, [0, 16])[4].slice(2, 6)).toEqual([0, 16, 16, 0]);
  });

  it('a blank drawing gives all-zero pixels', () => {
    expect(drawingToPixels(grid(16, 16, () => false), 4, 4)).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0]
    ]);
  });

  it('rgbaToInk inverts dark strokes on a light page, and keeps light strokes on a dark one', () => {
    // 2 pixels: white page, black stroke.
    const light = rgbaToInk([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255], 3, 1);
    expect(Array.from(light.values)).toEqual([0, 1, 0]);
    const dark = rgbaToInk([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255], 3, 1);
    expect(Array.from(dark.values)).toEqual([0, 1, 0]);
  });

  it('imageToPixels resizes a picture and stretches it to 0..1', () => {
    const ink = { width: 4, height: 4, values: new Float32Array([0.2, 0.2, 0.6, 0.6, 0.2, 0.2, 0.6, 0.6, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]) };
    expect(imageToPixels(ink, 2, 2)).toEqual([
      [0, 1],
      [0, 0]
    ]);
  });
});

describe('chart scales and paths', () => {
  it('linearScale maps the domain ends to the range ends (y flipped)', () => {
    const sy = linearScale([0, 2], [100, 0]);
    expect(sy(0)).toBe(100);
    expect(sy(2)).toBe(0);
    expect(sy(0.5)).toBe(75);
  });

  it('niceTicks picks round steps', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 2.3, 4)).toEqual([0, 1, 2]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('seriesDomain starts at zero for losses and ignores nulls', () => {
    expect(seriesDomain([[2.3, 1.1, null], [null, 0.9]])).toEqual([0, 2.3]);
    expect(seriesDomain([[-1, 1]], false)).toEqual([-1, 1]);
    expect(seriesDomain([[null]])).toEqual([0, 1]);
  });

  it('linePath breaks the line at a missing value', () => {
    const id = (v: number) => v;
    expect(linePath([1, 2, 3, 4], [10, null, 30, 40], id, id)).toBe('M1,10M3,30L4,40');
  });

  it('gapPath shades between validation (upper) and training (lower) loss', () => {
    const id = (v: number) => v;
    expect(gapPath([1, 2], [5, 6], [1, 2], id, id)).toBe('M1,5L2,6L2,2L1,1Z');
    // A single known pair is no area.
    expect(gapPath([1, 2], [5, null], [1, 2], id, id)).toBe('');
  });

  it('histogramBars: the tallest bin fills the height, widths follow the edges', () => {
    const bars = histogramBars([0, 1, 3], [2, 4], 30, 10);
    expect(bars[0]).toEqual({ x: 0, width: 10, y: 5, height: 5 });
    expect(bars[1]).toEqual({ x: 10, width: 20, y: 0, height: 10 });
  });

  it('histogram counts values into equal bins, clamping the ends', () => {
    expect(histogram([0, 0.1, 0.5, 0.99, 1, 7, -3, NaN], 2, 0, 1)).toEqual([3, 4]);
  });
});

describe('training curves from progress events', () => {
  const epochEvent = (epoch: number, trainLoss: number, validationLoss: number | null) => ({
    kind: 'progress',
    phase: 'epoch',
    epoch,
    epochs: 3,
    step: epoch * 10,
    total: 30,
    train_loss: trainLoss,
    train_accuracy: 0.5 + epoch / 10,
    validation_loss: validationLoss,
    validation_accuracy: 0.4 + epoch / 10,
    elapsed: epoch * 1.5
  });

  it('adds one point per finished epoch and ignores mid-epoch events', () => {
    let curves = emptyCurves();
    curves = addProgress(curves, { phase: 'train', epoch: 1, train_loss: 2.0, validation_loss: null });
    expect(curves.epoch).toEqual([]);
    curves = addProgress(curves, epochEvent(1, 1.2, 1.3));
    curves = addProgress(curves, epochEvent(2, 0.8, 1.0));
    expect(curves.epoch).toEqual([1, 2]);
    expect(curves.train_loss).toEqual([1.2, 0.8]);
    expect(curves.validation_accuracy[1]).toBeCloseTo(0.6);
    expect(curves.elapsed).toEqual([1.5, 3]);
  });

  it('a repeated or late event replaces its epoch and keeps epoch order', () => {
    let curves = addProgress(emptyCurves(), epochEvent(2, 0.8, 1.0));
    curves = addProgress(curves, epochEvent(1, 1.2, 1.3));
    curves = addProgress(curves, epochEvent(2, 0.7, null));
    expect(curves.epoch).toEqual([1, 2]);
    expect(curves.train_loss).toEqual([1.2, 0.7]);
    expect(curves.validation_loss).toEqual([1.3, null]);
  });

  it('curvesFromHistory reads the result history, null for a blown-up value', () => {
    const curves = curvesFromHistory({
      epoch: [1, 2],
      train_loss: [1.5, null],
      train_accuracy: [0.5, 0.6],
      validation_loss: [1.6, 1.7],
      validation_accuracy: [0.4, 0.45],
      elapsed: [1, 2]
    });
    expect(curves.epoch).toEqual([1, 2]);
    expect(curves.train_loss).toEqual([1.5, null]);
    expect(curvesFromHistory(null).epoch).toEqual([]);
  });

  it('epochAxisMax shows a short run whole and grows a long run\'s axis in round steps', () => {
    expect(epochAxisMax(0, 8)).toBe(8);
    expect(epochAxisMax(3, 200)).toBe(10);
    expect(epochAxisMax(10, 200)).toBe(20);
    expect(epochAxisMax(57, 200)).toBe(100);
    expect(epochAxisMax(150, 200)).toBe(200);
    expect(epochAxisMax(3, 0)).toBe(3);
  });

  it('trainingLine says the epoch, losses, accuracy and time in words', () => {
    expect(trainingLine(epochEvent(2, 0.81234, 1.0))).toBe(
      'Epoch 2 of 3 · training loss 0.812 · validation loss 1.000 · validation accuracy 60.0% · 3.0 s'
    );
  });

  it('formats seconds, percents and parameter counts for learners', () => {
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(65)).toBe('1m 05s');
    expect(formatPercent(0.9312)).toBe('93.1%');
    expect(formatPercent(null)).toBe('–');
    expect(formatCount(13802)).toBe('13,802');
  });
});

describe('predictions, filters and confusion', () => {
  it('rankPredictions puts the most likely class first', () => {
    const ranked = rankPredictions([0.1, 0.7, 0.2], ['cat', 'dog', 'bird']);
    expect(ranked.map(r => r.label)).toEqual(['dog', 'bird', 'cat']);
    expect(ranked[0].probability).toBeCloseTo(0.7);
  });

  it('filterOrder keeps a valid permutation and falls back to 0..n-1', () => {
    expect(filterOrder([2, 0, 1], 3)).toEqual([2, 0, 1]);
    expect(filterOrder([2, 2, 1], 3)).toEqual([0, 1, 2]);
    expect(filterOrder(undefined, 2)).toEqual([0, 1]);
  });

  it('rowShares turns confusion counts into shares of each true class', () => {
    expect(rowShares([3, 1, 0, 0], 2)).toEqual([
      [0.75, 0.25],
      [0, 0]
    ]);
  });

  it('classProfile averages a filter’s class occurrence map per class', () => {
    // 2 filters, 2 classes, maps of 2 values: filter 1 fires everywhere for class 1 only.
    const data = [0, 0, 0, 0, 0, 0, 1, 1];
    expect(classProfile(data, 1, 2, 2)).toEqual([0, 1]);
    expect(classProfile(data, 0, 2, 2)).toEqual([0, 0]);
  });

  it('cellSize draws small maps large and large maps at two pixels at least', () => {
    expect(cellSize(8)).toBe(4);
    expect(cellSize(4)).toBe(8);
    expect(cellSize(64)).toBe(2);
  });

  it('clampEpoch maps -1 to the last epoch and keeps others in range', () => {
    expect(clampEpoch(-1, 8)).toBe(8);
    expect(clampEpoch(12, 8)).toBe(8);
    expect(clampEpoch(3, 8)).toBe(3);
  });

  it('inspectParams asks for a run, an epoch and an image or a drawing', () => {
    expect(inspectParams('abc', 2, { index: 5 })).toEqual({ run: 'abc', epoch: 2, input: { index: 5, pixels: [] } });
    expect(inspectParams('abc', 0, { pixels: [[0, 1]] })).toEqual({
      run: 'abc',
      epoch: 0,
      input: { index: 0, pixels: [[0, 1]] }
    });
  });
});

describe('notebook code', () => {
  it('writes Python literals as repr does', () => {
    expect(pythonString('plain')).toBe("'plain'");
    expect(pythonString("it's")).toBe('"it\'s"');
    expect(pythonString('a\'b"c\n')).toBe("'a\\'b\"c\\n'");
    expect(pythonNumber(1e-6)).toBe('1e-06');
    expect(pythonNumber(0.003)).toBe('0.003');
    expect(pythonNumber(32)).toBe('32');
    expect(pythonNumber(0.0001)).toBe('0.0001');
    expect(pythonNumber(-0.00001234)).toBe('-1.234e-05');
    expect(pythonNumber(123.5)).toBe('123.5');
    expect(pythonNumber(2.5e20)).toBe('2.5e+20');
    expect(pythonRepr({ a: [true, false, null], b: 'x' })).toBe("{'a': [True, False, None], 'b': 'x'}");
  });

  it('splits a literal over lines only where it is longer than 80 characters', () => {
    expect(pythonLiteral({ units: 64 })).toBe("{'units': 64}");
    const long = { names: ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)] };
    expect(pythonLiteral(long)).toBe(
      "{\n    'names': [\n        '" + 'a'.repeat(30) + "',\n        '" + 'b'.repeat(30) + "',\n        '" + 'c'.repeat(30) + "',\n    ],\n}"
    );
  });

  it('codeFor gives the same cell as dlviz_kernel.code_for', () => {
    // Expected text produced by kernels/dlviz_kernel/notebook.py code_for for these params.
    const params = {
      data: { source: 'digits', x: "my 'images'", validation_fraction: 0.25 },
      blocks: [
        { filters: 8, kernel_size: 3, activation: 'relu', batch_norm: true, pooling: 'max' },
        { filters: 16, kernel_size: 5, activation: 'tanh', batch_norm: false, pooling: 'none' }
      ],
      dense: [],
      training: { learning_rate: 1e-6, epochs: 2, note: null }
    };
    const expected =
      "import dlviz_kernel\n\n# Repeats the run from the dlviz-lab panel: same data, network, settings and seed.\nparams = {\n    'data': {'source': 'digits', 'x': \"my 'images'\", 'validation_fraction': 0.25},\n    'blocks': [\n        {\n            'filters': 8,\n            'kernel_size': 3,\n            'activation': 'relu',\n            'batch_norm': True,\n            'pooling': 'max',\n        },\n        {\n            'filters': 16,\n            'kernel_size': 5,\n            'activation': 'tanh',\n            'batch_norm': False,\n            'pooling': 'none',\n        },\n    ],\n    'dense': [],\n    'training': {'learning_rate': 1e-06, 'epochs': 2, 'note': None},\n}\nmodel, history = dlviz_kernel.train('cnn.train', params)\n";
    expect(codeFor('cnn.train', params)).toBe(expected);
  });
});

describe('which view a run opens', () => {
  it('attention opens its view when it succeeded, never at the start', () => {
    expect(viewFor('transformer.attention', 'started')).toBeNull();
    expect(viewFor('transformer.attention', 'succeeded')).toBe('attention');
  });

  it('a training run opens its monitor at the start and the CNN explorer when it succeeded', () => {
    expect(viewFor('cnn.train', 'started')).toBe('monitor');
    expect(viewFor('cnn.train', 'succeeded')).toBe('cnn');
    expect(viewFor('cnn.inspect', 'succeeded')).toBe('cnn');
    expect(viewFor('rnn.hidden_states', 'succeeded')).toBeNull();
  });
});
