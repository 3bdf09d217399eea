/**
 * The autoencoder explorer's sections drawn in jsdom from real results
 * (autoencoderSections.fixture.json: a VAE with a 2-D latent space trained 2 epochs on the
 * digits, and the kernel's `encode` of a drawn "1", `compare` of 4 images and `interpolate`
 * on it). Canvases stay blank in jsdom (no 2-D context); the numbers and structure are checked.
 */
import * as fs from 'fs';
import * as path from 'path';

import { IRun } from '../../labextension/src/api/client';
import { decodeArrays } from '../../labextension/src/api/arrays';
import { AeInspected, AeRun } from '../../labextension/src/views/autoencoder/aeRun';
import { AeSections } from '../../labextension/src/views/autoencoder/sections';

HTMLCanvasElement.prototype.getContext = (() => null) as any;

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'autoencoderSections.fixture.json'), 'utf8')
) as { [key: string]: any };

function trainingRun(): IRun {
  return {
    id: 'vae2',
    task: 'autoencoder.train',
    status: 'succeeded',
    kernel_id: 'k1',
    params: fixture.train.params,
    result: fixture.train
  } as unknown as IRun;
}

function sections() {
  const asked: { [key: string]: unknown[] } = { encode: [], interpolate: [], grid: [] };
  const s = new AeSections({
    decode: async () => null,
    encode: pixels => asked.encode.push(pixels),
    interpolate: wish => asked.interpolate.push(wish),
    grid: size => asked.grid.push(size),
    status: () => undefined
  });
  return { s, asked };
}

const answer = (name: string) => decodeArrays(fixture[name]) as AeInspected;

describe('the run behind the explorer', () => {
  it('reads the training run: a VAE of latent size 2 on 8x8 digits, and its inspect params', () => {
    const run = new AeRun();
    run.useTraining(trainingRun());
    expect(run.vae).toBe(true);
    expect(run.latentSize).toBe(2);
    expect(run.shape).toEqual([1, 8, 8]);
    expect(run.latent!.method).toBe('identity');
    expect(run.latent!.points.shape).toEqual([fixture.train.dataset.validation_size, 2]);
    expect(run.params('decode', { codes: [[0, 0]] })).toEqual({
      run: 'vae2',
      action: 'decode',
      codes: [[0, 0]]
    });
    const facts = Object.fromEntries(run.facts());
    expect(facts['Model']).toBe('Variational autoencoder (dense)');
    expect(facts['Test MSE']).toBe(fixture.train.test_mse.toFixed(4));
    expect(facts['PCA MSE']).toBe(fixture.train.pca.test_mse.toFixed(4));
  });

  it('reads an inspect run: the same model, on its kernel', () => {
    const run = new AeRun();
    run.useInspect({
      id: 'i1',
      task: 'autoencoder.inspect',
      kernel_id: 'k2',
      params: { run: 'vae2', epoch: 1, action: 'grid', size: 5 }
    } as unknown as IRun);
    expect(run.sourceRun).toBe('vae2');
    expect(run.kernelId).toBe('k2');
    expect(run.params('latent')).toEqual({ run: 'vae2', epoch: 1, action: 'latent' });
  });
});

describe('the sections', () => {
  const run = new AeRun();
  run.useTraining(trainingRun());

  it('show every validation image, the classes present, epochs, PCA and the VAE curves', () => {
    const { s } = sections();
    s.show(run);
    const latent = s.latent.node;
    expect(latent.getAttribute('data-points')).toBe(String(fixture.train.dataset.validation_size));
    expect(latent.getAttribute('data-method')).toBe('identity');
    expect(latent.querySelectorAll('.dlviz-legend-item')).toHaveLength(10);
    // reconstructions: epochs 0, 1, 2; the slider starts at the last
    const recon = s.reconstructions.node;
    expect(recon.getAttribute('data-epoch')).toBe('2');
    expect(recon.querySelectorAll('canvas')).toHaveLength(16);
    s.reconstructions.slider.value = '0';
    s.reconstructions.slider.dispatchEvent(new Event('input'));
    expect(recon.getAttribute('data-epoch')).toBe('0');
    expect(recon.textContent).toContain('before training');
    // the numbers against PCA, from the training run
    const compare = s.compare.node;
    expect(compare.getAttribute('data-network-mse')).toBe(fixture.train.test_mse.toFixed(6));
    expect(compare.getAttribute('data-pca-mse')).toBe(fixture.train.pca.test_mse.toFixed(6));
    expect(compare.textContent).toContain('PCA, 2 components');
    // a VAE has both curves, one point per epoch
    expect(
      s.curves.node.querySelector('[data-testid="dlviz-ae-mse-chart"]')!.getAttribute('data-points')
    ).toBe('2');
    expect(
      s.curves.node.querySelector('[data-testid="dlviz-ae-kl-chart"]')!.getAttribute('data-points')
    ).toBe('2');
    expect(s.curves.node.querySelectorAll('path.dlviz-chart-line')).toHaveLength(3);
  });

  it("marks an encoded drawing at the kernel's code, with its σ", () => {
    const { s } = sections();
    s.show(run);
    const encoded = answer('encode');
    if (encoded.action !== 'encode') {
      throw new Error('not an encode answer');
    }
    s.showEncoded(encoded, run.range);
    // a 2-D latent space is drawn as it is: the mark is the code itself
    const [x, y] = s.latent.node.getAttribute('data-encoded')!.split(',').map(Number);
    expect(x).toBeCloseTo(encoded.code[0], 4);
    expect(y).toBeCloseTo(encoded.code[1], 4);
    expect(encoded.sigma).toHaveLength(2);
    expect(s.draw.node.textContent).toContain('σ (');
    expect(s.draw.node.querySelectorAll('.dlviz-ae-encoded canvas')).toHaveLength(2);
  });

  it('puts the pictures against PCA in three rows and the interpolation in one strip', () => {
    const { s } = sections();
    s.show(run);
    const compared = answer('compare');
    if (compared.action !== 'compare') {
      throw new Error('not a compare answer');
    }
    s.showCompared(compared, 'VAE', run.range);
    const pictures = s.compare.node.querySelector('.dlviz-ae-compare-pictures')!;
    expect(pictures.getAttribute('data-images')).toBe('4');
    expect(pictures.querySelectorAll('canvas')).toHaveLength(12);
    expect(s.compare.node.getAttribute('data-pca-mse')).toBe(compared.pca_mse.toFixed(6));
    const path = answer('interpolate');
    if (path.action !== 'interpolate') {
      throw new Error('not an interpolate answer');
    }
    s.interpolation.show(path.images, path.fractions, 'linear', run.range);
    const strip = s.interpolation.node.querySelector(
      '[data-testid="dlviz-ae-interpolation-strip"]'
    )!;
    expect(strip.getAttribute('data-images')).toBe('5');
    expect(strip.textContent).toBe('t=0.00t=0.25t=0.50t=0.75t=1.00');
  });

  it('asks for what the learner wants: a drawing, two picked images, a grid size', () => {
    const { s, asked } = sections();
    s.show(run);
    (s.draw.node.querySelector('[data-testid="dlviz-ae-encode"]') as HTMLButtonElement).click();
    expect(asked.encode).toHaveLength(1);
    expect((asked.encode[0] as number[]).length).toBe(64);
    // clicks on the scatter pick A, then B
    expect(s.interpolation.pick(7)).toEqual([7, 1]);
    expect(s.interpolation.pick(12)).toEqual([7, 12]);
    (
      s.interpolation.node.querySelector(
        '[data-testid="dlviz-ae-interpolate"]'
      ) as HTMLButtonElement
    ).click();
    expect(asked.interpolate).toEqual([{ index: 7, indexB: 12, path: 'linear', steps: 9 }]);
    (s.grid.node.querySelector('[data-testid="dlviz-ae-grid-draw"]') as HTMLButtonElement).click();
    expect(asked.grid).toEqual([10]);
  });
});
