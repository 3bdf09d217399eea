/** The training monitor's extras for sequence models: gradient through time and bits/char. */
import { NDArray } from '../../labextension/src/api/arrays';
import {
  addBits,
  addTimeGradients,
  emptyTimeGradients,
  timeGradientsFromArray,
  vanishingRatio
} from '../../labextension/src/views/training/sequenceLogic';

const epochEvent = (epoch: number, norms: number[][], extra: object = {}) => ({
  kind: 'progress',
  phase: 'epoch',
  epoch,
  time_gradient_norms: norms,
  ...extra
});

describe('gradient through time', () => {
  it('adds one epoch per event, in epoch order, replacing a repeated epoch', () => {
    let tg = emptyTimeGradients();
    tg = addTimeGradients(tg, epochEvent(2, [[0.1, 0.2]]));
    tg = addTimeGradients(tg, epochEvent(1, [[0.3, 0.4]]));
    tg = addTimeGradients(tg, epochEvent(2, [[0.5, 0.6]]));
    expect(tg.epochs).toEqual([1, 2]);
    expect(tg.norms).toEqual([[[0.3, 0.4]], [[0.5, 0.6]]]);
  });

  it('ignores mid-epoch events and events without norms', () => {
    const tg = emptyTimeGradients();
    expect(addTimeGradients(tg, { phase: 'train', epoch: 1, time_gradient_norms: [[1]] })).toBe(tg);
    expect(addTimeGradients(tg, { phase: 'epoch', epoch: 1 })).toBe(tg);
    expect(addTimeGradients(tg, epochEvent(1, [[1, 'x' as unknown as number]]))).toBe(tg);
  });

  it('reads the result array [E+1, L, T] epoch by epoch, layer by layer', () => {
    // 2 epochs, 2 layers, 3 steps: value = 100 e + 10 l + t
    const data = new Float32Array(12).map((_, i) => {
      const e = Math.floor(i / 6);
      const l = Math.floor((i % 6) / 3);
      return 100 * e + 10 * l + (i % 3);
    });
    const tg = timeGradientsFromArray([0, 1, 2], new NDArray(data, [2, 2, 3]));
    expect(tg.epochs).toEqual([0, 1]);
    expect(tg.norms[1][1]).toEqual([110, 111, 112]);
    expect(tg.norms[0][0]).toEqual([0, 1, 2]);
  });

  it('says how much weaker the first step is than the last', () => {
    expect(vanishingRatio([0.001, 0.01, 0.1])).toBeCloseTo(100);
    expect(vanishingRatio([0, 0.02, 0.2])).toBeCloseTo(10); // a step with no gradient is skipped
    expect(vanishingRatio([0, 0])).toBeNull();
  });
});

describe('bits per character', () => {
  it('collects both curves from epoch events that carry them', () => {
    let bits = { epoch: [] as number[], train: [], validation: [] } as ReturnType<typeof addBits>;
    bits = addBits(bits, epochEvent(1, [[1]], { train_bits_per_character: 3.1 }));
    bits = addBits(bits, epochEvent(2, [[1]], { validation_bits_per_character: 2.5 }));
    const same = addBits(bits, epochEvent(3, [[1]]));
    expect(same).toBe(bits); // no bits in the event: nothing changes
    expect(bits.epoch).toEqual([1, 2]);
    expect(bits.train).toEqual([3.1, null]);
    expect(bits.validation).toEqual([null, 2.5]);
  });
});
