/** The training monitor's curves, fed by progress events. */
import {
  formatCount,
  formatPercent,
  formatSeconds
} from '../../labextension/src/views/shared/format';
import {
  addProgress,
  curvesFromHistory,
  emptyCurves,
  epochAxisMax,
  trainingLine
} from '../../labextension/src/views/training/trainingLogic';

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
    curves = addProgress(curves, {
      phase: 'train',
      epoch: 1,
      train_loss: 2.0,
      validation_loss: null
    });
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

  it("epochAxisMax shows a short run whole and grows a long run's axis in round steps", () => {
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
