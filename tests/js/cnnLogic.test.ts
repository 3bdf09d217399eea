/** The CNN explorer's pure logic. */
import {
  cellSize,
  clampEpoch,
  classProfile,
  drawingToPixels,
  filterOrder,
  imageToPixels,
  inkBox,
  inspectParams,
  rankPredictions,
  resizeGrid,
  rgbaToInk,
  rowShares,
  toDataScale
} from '../../labextension/src/views/cnn/cnnLogic';

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
    expect(
      Array.from(
        resizeGrid(
          grid(4, 2, x => x < 2),
          2,
          1
        ).values
      )
    ).toEqual([1, 0]);
    const thirds = resizeGrid({ width: 3, height: 1, values: new Float32Array([1, 0, 0]) }, 2, 1);
    expect(thirds.values[0]).toBeCloseTo(2 / 3);
    expect(thirds.values[1]).toBeCloseTo(0);
  });

  it('inkBox finds the box around the strokes, null for a blank canvas', () => {
    expect(inkBox(grid(10, 10, (x, y) => x >= 3 && x < 5 && y >= 2 && y < 8))).toEqual({
      x0: 3,
      y0: 2,
      x1: 5,
      y1: 8
    });
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
    expect(
      drawingToPixels(
        grid(16, 16, () => false),
        4,
        4
      )
    ).toEqual([
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
    const ink = {
      width: 4,
      height: 4,
      values: new Float32Array([
        0.2, 0.2, 0.6, 0.6, 0.2, 0.2, 0.6, 0.6, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2
      ])
    };
    expect(imageToPixels(ink, 2, 2)).toEqual([
      [0, 1],
      [0, 0]
    ]);
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
    expect(inspectParams('abc', 2, { index: 5 })).toEqual({
      run: 'abc',
      epoch: 2,
      input: { index: 5, pixels: [] }
    });
    expect(inspectParams('abc', 0, { pixels: [[0, 1]] })).toEqual({
      run: 'abc',
      epoch: 0,
      input: { index: 0, pixels: [[0, 1]] }
    });
  });
});
