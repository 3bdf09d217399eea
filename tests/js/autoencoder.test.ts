/**
 * The autoencoder explorer's pure logic: the latent plane to pixels and back, points to codes
 * and codes to points (checked on a real kernel result, tests/js/autoencoder.fixture.json: a
 * VAE with a 3-D latent space on the digits, its PCA projection, and a 3x3 grid whose codes the
 * kernel's `decode` turned into the same images as its `grid`), a VAE's Gaussian as an ellipse,
 * images as pixels, the drawing brush, an uploaded picture brought down to 8x8, and the
 * "latest wins" pacing of hover requests.
 */
import * as fs from 'fs';
import * as path from 'path';

import {
  boundsOf,
  brush,
  classColor,
  codeOf,
  imageRgba,
  inkFromPicture,
  IPlot,
  LatestWins,
  nearestPoint,
  pointOf,
  projectedEllipse,
  toPixel,
  toPlane
} from '../../labextension/src/views/autoencoder/aeLogic';

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'autoencoder.fixture.json'), 'utf8')
) as {
  codes: number[][];
  sigma: number[][];
  points: number[][];
  mean: number[];
  axes: number[][];
  method: string;
  grid: { xs: number[]; ys: number[]; decoded_codes: number[][] };
};

describe('the latent plane in pixels', () => {
  const plot: IPlot = { width: 420, height: 300, margin: 10 };
  const points = [-2, -1, 3, 4, 0.5, 0];
  const bounds = boundsOf(points, 3, 0);

  it('takes the bounds of the points, widened by the pad', () => {
    expect(bounds).toEqual({ xMin: -2, xMax: 3, yMin: -1, yMax: 4 });
    const padded = boundsOf(points, 3, 0.1);
    expect(padded.xMin).toBeCloseTo(-2.5);
    expect(padded.xMax).toBeCloseTo(3.5);
    // nothing finite: a unit square, not NaN
    expect(boundsOf([NaN, NaN], 1)).toEqual({ xMin: -1, xMax: 1, yMin: -1, yMax: 1 });
  });

  it('puts the corners at the margins, y upwards', () => {
    expect(toPixel(bounds, plot, -2, -1)).toEqual([10, 290]);
    expect(toPixel(bounds, plot, 3, 4)).toEqual([410, 10]);
    const [px, py] = toPixel(bounds, plot, 0.5, 1.5);
    expect(px).toBeCloseTo(210);
    expect(py).toBeCloseTo(150);
  });

  it('maps pixels back to the same point', () => {
    for (const [x, y] of [
      [0, 0],
      [-1.7, 3.2],
      [2.9, -0.4]
    ]) {
      const [px, py] = toPixel(bounds, plot, x, y);
      const [bx, by] = toPlane(bounds, plot, px, py);
      expect(bx).toBeCloseTo(x, 10);
      expect(by).toBeCloseTo(y, 10);
    }
  });

  it('finds the point nearest the pointer', () => {
    expect(nearestPoint(points, 3, 2.8, 3.5)).toBe(1);
    expect(nearestPoint(points, 3, 0.4, 0.2)).toBe(2);
    expect(nearestPoint([], 0, 0, 0)).toBe(-1);
  });
});

describe("codes and points, against the kernel's projection", () => {
  it('is a PCA projection of a 3-D latent space', () => {
    expect(fixture.method).toBe('pca');
    expect(fixture.axes).toHaveLength(2);
    expect(fixture.axes[0]).toHaveLength(3);
  });

  it('places each code where the kernel placed it', () => {
    fixture.codes.forEach((code, i) => {
      const [x, y] = pointOf(code, fixture.mean, fixture.axes);
      expect(x).toBeCloseTo(fixture.points[i][0], 4);
      expect(y).toBeCloseTo(fixture.points[i][1], 4);
    });
  });

  it("turns the grid's points into the codes the kernel decoded to the grid's images", () => {
    const { xs, ys, decoded_codes } = fixture.grid;
    let k = 0;
    for (const y of ys) {
      for (const x of xs) {
        const code = codeOf([x, y], fixture.mean, fixture.axes);
        code.forEach((v, j) => expect(v).toBeCloseTo(decoded_codes[k][j], 4));
        k += 1;
      }
    }
  });

  it('is the code itself for a 2-D latent space (identity mapping)', () => {
    const eye = [
      [1, 0],
      [0, 1]
    ];
    expect(codeOf([0.25, -3], [0, 0], eye)).toEqual([0.25, -3]);
    expect(pointOf([0.25, -3], [0, 0], eye)).toEqual([0.25, -3]);
  });
});

describe("a VAE's Gaussian as an ellipse", () => {
  it('has the σ of each axis as radii for a 2-D latent space', () => {
    const e = projectedEllipse(
      [0.5, 0.2],
      [
        [1, 0],
        [0, 1]
      ]
    );
    expect(e.rx).toBeCloseTo(0.5);
    expect(e.ry).toBeCloseTo(0.2);
    expect(e.angle).toBeCloseTo(0);
  });

  it('turns with the axes, and its area is that of the projected covariance', () => {
    const c = Math.SQRT1_2;
    const axes = [
      [c, c],
      [-c, c]
    ];
    const e = projectedEllipse([1, 0.1], axes);
    // the long side along the first latent direction: 45° from the picture's x axis, down
    expect(Math.abs(Math.cos(e.angle))).toBeCloseTo(c, 5);
    expect(e.rx).toBeCloseTo(1, 5);
    expect(e.ry).toBeCloseTo(0.1, 5);
  });

  it("projects the fixture's σ onto its PCA axes with a positive size", () => {
    const e = projectedEllipse(fixture.sigma[0], fixture.axes);
    expect(e.rx).toBeGreaterThan(0);
    expect(e.rx).toBeGreaterThanOrEqual(e.ry);
    // no larger than the largest σ (the axes are unit vectors)
    expect(e.rx).toBeLessThanOrEqual(Math.max(...fixture.sigma[0]) + 1e-6);
  });
});

describe('images as pixels', () => {
  it('draws one channel as grey between the range, black to white', () => {
    const values = [0, 0.5, 1, 2, /* next image */ 1, 1, 1, 1];
    const rgba = imageRgba(values, 0, [1, 2, 2]);
    expect(Array.from(rgba)).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255
    ]);
    const second = imageRgba(values, 4, [1, 2, 2]);
    expect(second[0]).toBe(255);
  });

  it('reads three channels as colour and uses the data range', () => {
    // one pixel, channels first: r = -1, g = 0, b = 1 on a [-1, 1] range
    const rgba = imageRgba([-1, 0, 1], 0, [3, 1, 1], -1, 1);
    expect(Array.from(rgba)).toEqual([0, 128, 255, 255]);
  });

  it('colours classes apart and unknown ones grey', () => {
    expect(classColor(0)).not.toBe(classColor(1));
    expect(classColor(10)).toBe(classColor(0));
    expect(classColor(null)).toBe('#888888');
  });
});

describe('drawing', () => {
  it('inks the cell under the pen fully and its four neighbours a little', () => {
    const ink = new Float32Array(16);
    brush(ink, 4, 4, 1.5, 2.2);
    expect(ink[2 * 4 + 1]).toBe(1);
    expect(ink[1 * 4 + 1]).toBeCloseTo(0.35);
    expect(ink[2 * 4 + 2]).toBeCloseTo(0.35);
    expect(ink[1 * 4 + 2]).toBe(0); // diagonal
    brush(ink, 4, 4, 1.5, 2.2);
    expect(ink[2 * 4 + 1]).toBe(1); // never above 1
    brush(ink, 4, 4, 0, 0);
    expect(ink[0]).toBe(1); // a corner: no neighbour outside
  });

  it('brings a dark digit on white paper down to ink 1 on background 0', () => {
    // 16x16 white picture, a black vertical bar in columns 6..9
    const w = 16;
    const rgba = new Uint8ClampedArray(w * w * 4).fill(255);
    for (let y = 2; y < 14; y++) {
      for (let x = 6; x < 10; x++) {
        rgba.set([0, 0, 0, 255], 4 * (y * w + x));
      }
    }
    const ink = inkFromPicture(rgba, w, w, 8, 8);
    expect(ink[4 * 8 + 3]).toBeCloseTo(1);
    expect(ink[4 * 8 + 4]).toBeCloseTo(1);
    expect(ink[4 * 8 + 0]).toBeCloseTo(0);
    expect(ink[0]).toBeCloseTo(0);
    // a white digit on black gives the same ink
    const inverted = rgba.map((v, i) => (i % 4 === 3 ? 255 : 255 - v));
    expect(Array.from(inkFromPicture(inverted, w, w, 8, 8))).toEqual(Array.from(ink));
  });
});

describe('latest wins', () => {
  function deferred<T>() {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>(r => (resolve = r));
    return { promise, resolve };
  }

  it('keeps one request in flight and sends only the latest wish after it', async () => {
    const calls: { value: number; answer: ReturnType<typeof deferred<number>> }[] = [];
    const shown: number[] = [];
    const pacing = new LatestWins<number, number>(
      value => {
        const answer = deferred<number>();
        calls.push({ value, answer });
        return answer.promise;
      },
      answer => shown.push(answer)
    );
    pacing.push(1);
    pacing.push(2);
    pacing.push(3);
    pacing.push(4);
    expect(calls.map(c => c.value)).toEqual([1]);
    expect(pacing.inFlight).toBe(true);
    calls[0].answer.resolve(10);
    await new Promise(r => setTimeout(r, 0));
    expect(shown).toEqual([10]);
    expect(calls.map(c => c.value)).toEqual([1, 4]);
    expect(pacing.dropped).toBe(2);
    calls[1].answer.resolve(40);
    await new Promise(r => setTimeout(r, 0));
    expect(shown).toEqual([10, 40]);
    expect(pacing.inFlight).toBe(false);
    expect(pacing.sent).toBe(2);
  });

  it('goes on after a failed request', async () => {
    const errors: unknown[] = [];
    const shown: number[] = [];
    let first = true;
    const pacing = new LatestWins<number, number>(
      async value => {
        if (first) {
          first = false;
          throw new Error('kernel busy');
        }
        return value * 10;
      },
      answer => shown.push(answer),
      error => errors.push(error)
    );
    pacing.push(1);
    pacing.push(2);
    await new Promise(r => setTimeout(r, 0));
    await new Promise(r => setTimeout(r, 0));
    expect((errors[0] as Error).message).toBe('kernel busy');
    expect(shown).toEqual([20]);
  });
});
