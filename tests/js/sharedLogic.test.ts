/** The colour scales and chart logic every family's views share. */
import {
  divergingColor,
  maxAbs,
  sequentialColor,
  valueRange
} from '../../labextension/src/views/shared/colors';
import {
  gapPath,
  histogram,
  histogramBars,
  linePath,
  linearScale,
  niceTicks,
  seriesDomain
} from '../../labextension/src/views/shared/chartLogic';

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
    expect(
      seriesDomain([
        [2.3, 1.1, null],
        [null, 0.9]
      ])
    ).toEqual([0, 2.3]);
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
