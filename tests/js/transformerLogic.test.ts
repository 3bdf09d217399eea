/** Pure logic of the step-by-step, projection and long-input views, with real values. */
import {
  cellShape,
  cellSize,
  defaultThreshold,
  finiteRange,
  formatValue,
  robustLimit,
  scatterScale,
  sentenceColor,
  showNumbers,
  strongestLinks,
  transpose
} from '../../labextension/src/views/transformer/transformerLogic';

describe('formatValue', () => {
  it('keeps three significant digits and writes masked scores as −∞', () => {
    expect(formatValue(0.123456)).toBe('0.123');
    expect(formatValue(-2.71828)).toBe('−2.72');
    expect(formatValue(42.42)).toBe('42.4');
    expect(formatValue(-Infinity)).toBe('−∞');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(12345)).toBe('1.2e+4');
  });
});

describe('matrix sizes', () => {
  it('prints numbers for small matrices only', () => {
    expect(showNumbers(13, 13)).toBe(true);
    expect(showNumbers(13, 32)).toBe(false);
  });
  it('fits cells into the space and keeps wide rows readable', () => {
    expect(cellSize(13, 384)).toBe(1);
    expect(cellSize(10, 10)).toBe(24);
    expect(cellShape(13, 384)).toEqual([1, 16]);
  });
  it('finds the finite range and a robust colour limit', () => {
    expect(finiteRange([-Infinity, 2, -3, 5])).toEqual([-3, 5]);
    const values = Array.from({ length: 100 }, (_, i) => (i === 99 ? 1000 : i % 10));
    expect(robustLimit(values)).toBe(9);
  });
  it('transposes row-major matrices', () => {
    expect(Array.from(transpose([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('scatterScale', () => {
  it('fits points with equal units per pixel on both axes, y up, centred', () => {
    // x spans 0..4, y spans 0..2; 200x200 pixels, pad 0: 4 units over 200 px.
    const scale = scatterScale([0, 0, 4, 2], 200, 200, 0);
    expect(scale.unitsPerPixel).toBeCloseTo(0.02);
    expect(scale.x(0)).toBeCloseTo(0);
    expect(scale.x(4)).toBeCloseTo(200);
    expect(scale.y(1)).toBeCloseTo(100);
    expect(scale.y(2)).toBeCloseTo(50);
  });
  it('keeps a single point in the middle', () => {
    const scale = scatterScale([3, 3], 100, 60);
    expect(scale.x(3)).toBeCloseTo(50);
    expect(scale.y(3)).toBeCloseTo(30);
  });
  it('colours sentences apart', () => {
    expect(new Set([sentenceColor(0), sentenceColor(1), sentenceColor(-1)]).size).toBe(3);
  });
});

describe('strongestLinks', () => {
  const m = [0.7, 0.2, 0.1, 0.05, 0.9, 0.05, 0.3, 0.3, 0.4];
  it('keeps links at or above the threshold, strongest first', () => {
    expect(strongestLinks(m, 3, 0.3)).toEqual([
      { from: 1, to: 1, weight: 0.9 },
      { from: 0, to: 0, weight: 0.7 },
      { from: 2, to: 2, weight: 0.4 },
      { from: 2, to: 0, weight: 0.3 },
      { from: 2, to: 1, weight: 0.3 }
    ]);
  });
  it('caps the number of links', () => {
    expect(strongestLinks(m, 3, 0, 2).map(l => l.weight)).toEqual([0.9, 0.7]);
  });
  it('sets a threshold above the uniform share', () => {
    expect(defaultThreshold(512)).toBe(0.05);
    expect(defaultThreshold(40)).toBe(0.1);
  });
});
