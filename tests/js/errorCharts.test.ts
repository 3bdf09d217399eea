/**
 * The training monitor's autoencoder extras: reconstruction error beside PCA and, for a VAE, the
 * KL term, live from epoch events and then from the result. Real numbers: the VAE of
 * autoencoderSections.fixture.json (latent 2, 2 epochs on the digits), whose epoch events carried
 * the same `errors` the result holds (tests/kernel/test_autoencoder.py checks that identity).
 */
import * as fs from 'fs';
import * as path from 'path';

import { ErrorCharts } from '../../labextension/src/views/training/errorCharts';
import {
  addErrors,
  emptyErrorCurves,
  errorsFromResult,
  hasKl
} from '../../labextension/src/views/training/errorLogic';

const train = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'autoencoderSections.fixture.json'), 'utf8')
).train as { [key: string]: any };

/** The epoch events of that run, as ErrorWatch sends them (plus the engine's own fields). */
function epochEvents(errors: { [key: string]: (number | null)[] | null }) {
  return errors.validation_mse!.map((mse, i) => ({
    phase: 'epoch',
    epoch: i + 1,
    epochs: 2,
    train_loss: train.history.train_loss[i],
    validation_loss: train.history.validation_loss[i],
    train_mse: errors.train_mse![i],
    train_kl: errors.train_kl ? errors.train_kl[i] : null,
    validation_mse: mse,
    validation_kl: errors.validation_kl ? errors.validation_kl[i] : null
  }));
}

describe('reconstruction and KL curves', () => {
  it('live events give the same curves as the result, in epoch order, replacing a repeated epoch', () => {
    const events = epochEvents(train.errors);
    let curves = emptyErrorCurves();
    for (const event of [events[1], events[0], events[1]]) {
      curves = addErrors(curves, event);
    }
    expect(curves).toEqual(errorsFromResult(train.errors));
    expect(curves.epoch).toEqual([1, 2]);
    expect(curves.validationKl[0]).toBeCloseTo(train.errors.validation_kl[0], 12);
    expect(hasKl(curves)).toBe(true);
  });

  it('ignores events that are not finished epochs or carry no reconstruction error', () => {
    const empty = emptyErrorCurves();
    expect(addErrors(empty, { phase: 'train', epoch: 1, validation_mse: 0.1 })).toBe(empty);
    expect(addErrors(empty, { phase: 'epoch', epoch: 1, train_loss: 0.3 })).toBe(empty);
    expect(addErrors(empty, { phase: 'epoch', epoch: 1, validation_mse: NaN })).toBe(empty);
  });

  it('the VAE loss is the reconstruction plus beta times KL per pixel, as the curves split it', () => {
    const pixels = train.dataset.input_shape.reduce((a: number, b: number) => a * b, 1);
    const beta = train.params.model.beta;
    const curves = errorsFromResult(train.errors);
    curves.epoch.forEach((_, i) => {
      const loss = curves.validationMse[i]! + (beta * curves.validationKl[i]!) / pixels;
      expect(loss).toBeCloseTo(train.history.validation_loss[i], 5);
    });
  });

  it('draws the KL chart for a VAE only, and the PCA line once the result is in', () => {
    const charts = new ErrorCharts();
    expect(charts.node.style.display).toBe('none');
    for (const event of epochEvents(train.errors)) {
      charts.onProgress(event);
    }
    const recon = charts.node.querySelector('[data-testid="dlviz-recon-chart"]')!;
    const kl = charts.node.querySelector('[data-testid="dlviz-kl-chart"]')!;
    expect(charts.node.style.display).toBe('');
    expect(recon.getAttribute('data-epochs')).toBe('2');
    expect(kl.getAttribute('data-epochs')).toBe('2');
    expect(recon.querySelectorAll('path').length).toBeGreaterThanOrEqual(2);
    const before = recon.querySelectorAll('path').length;
    charts.fromResult(train as any);
    expect(recon.querySelectorAll('path').length).toBe(before + 1);

    const ae = { ...train.errors, train_kl: null, validation_kl: null };
    const plain = new ErrorCharts();
    for (const event of epochEvents(ae)) {
      plain.onProgress(event);
    }
    const plainKl = plain.node.querySelector('[data-testid="dlviz-kl-chart"]')!;
    expect((plainKl.parentNode as HTMLElement).style.display).toBe('none');
    expect(hasKl(errorsFromResult(ae))).toBe(false);
  });
});
