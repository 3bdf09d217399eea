/**
 * What the autoencoder explorer knows about the run it shows: the training run (or the inspect
 * run and the training run it names), its kernel, the latent space to draw, and the params of
 * the next `autoencoder.inspect` request. No DOM.
 */
import { NDArray } from '../../api/arrays';
import { IRun } from '../../api/client';
import { AutoencoderInspectResult, AutoencoderTrainResult, resultOf } from '../../api/results';
import { trans } from '../../i18n';
import { Decoded, decodeResult } from '../cnn/cnnResult';
import { PixelRange } from './aeDraw';

export type AeTrained = Decoded<AutoencoderTrainResult>;
export type AeInspected = Decoded<AutoencoderInspectResult>;
export type AeAction = 'latent' | 'decode' | 'encode' | 'interpolate' | 'grid' | 'compare';

/** The latent space as the scatter draws it. */
export interface ILatentSpace {
  /** [N, D] codes (a VAE's means) and σ (VAE only). */
  codes: NDArray;
  sigma: NDArray | null;
  labels: number[] | null;
  /** [N, 2] points of the picture and the mapping back to codes. */
  points: NDArray;
  method: 'identity' | 'pca';
  mean: number[];
  axes: number[][];
}

/** The params of the inspect request that reads the same model (no action yet). */
type Params = { [key: string]: unknown };

export class AeRun {
  trainRun: IRun | null = null;
  trained: AeTrained | null = null;
  kernelId: string | null = null;
  latent: ILatentSpace | null = null;
  vae = false;
  latentSize = 0;
  classes: string[] = [];
  range: PixelRange = [0, 1];
  /** [C, H, W] of the images (known from the training run or the first answer). */
  shape: [number, number, number] = [1, 8, 8];
  validationSize = 0;
  private _base: Params = {};

  /** A succeeded `autoencoder.train` run (its arrays resolved). */
  useTraining(run: IRun): void {
    const result = resultOf(run, 'autoencoder.train');
    if (!result) {
      throw new Error(trans.__('this training run has no result'));
    }
    const trained = decodeResult(result);
    this.trainRun = run;
    this.trained = trained;
    this.kernelId = run.kernel_id;
    this._base = { run: run.id };
    this.vae = trained.model.kind === 'vae';
    this.latentSize = trained.model.latent;
    this.classes = trained.dataset.classes;
    const [low, high] = trained.dataset.pixel_range;
    this.range = [low ?? 0, high ?? 1];
    const [c, h, w] = trained.dataset.input_shape;
    this.shape = [c, h, w];
    this.validationSize = trained.dataset.validation_size;
    const latent = trained.latent;
    this.latent = {
      codes: latent.codes,
      sigma: latent.sigma,
      labels: latent.labels,
      points: latent.projection.points,
      method: latent.projection.method,
      mean: latent.projection.mean,
      axes: latent.projection.axes
    };
  }

  /** An `autoencoder.inspect` run: the same model (run or notebook pair) and its kernel. */
  useInspect(run: IRun): void {
    const params = run.params ?? {};
    this.kernelId = run.kernel_id;
    const keep = ['run', 'epoch', 'encoder', 'decoder', 'x', 'y', 'max_images'];
    this._base = Object.fromEntries(keep.filter(k => k in params).map(k => [k, params[k]]));
  }

  /** The name of the training run behind an inspect run, if any. */
  get sourceRun(): string | null {
    const run = this._base.run;
    return typeof run === 'string' && run ? run : null;
  }

  /** The latent space from a `latent` answer (an inspect run of a notebook encoder). */
  useLatent(answer: AeInspected): void {
    if (answer.action !== 'latent') {
      return;
    }
    this.vae = !!answer.vae;
    this.latentSize = answer.latent_size ?? answer.codes.shape[1];
    this.latent = {
      codes: answer.codes,
      sigma: answer.sigma,
      labels: answer.labels,
      points: answer.projection.points,
      method: answer.projection.method,
      mean: answer.projection.mean,
      axes: answer.projection.axes
    };
    const s = answer.images.shape;
    this.shape = [s[1] ?? 1, s[2] ?? 1, s[3] ?? 1];
    this.validationSize = answer.codes.shape[0];
    if (!this.classes.length && answer.labels) {
      const top = Math.max(0, ...answer.labels);
      this.classes = Array.from({ length: top + 1 }, (_, k) => String(k));
    }
  }

  /** The params of an inspect request for `action`. */
  params(action: AeAction, extra: Params = {}): Params {
    return { ...this._base, action, ...extra };
  }

  /** The facts above the explorer: the data, the network, its error beside PCA's. */
  facts(): [string, string][] {
    const items: [string, string][] = [];
    const t = this.trained;
    if (t) {
      items.push([
        trans.__('Data'),
        trans.__(
          '%1, %2 images of %3x%4',
          t.dataset.name,
          t.dataset.size,
          t.dataset.input_shape[1],
          t.dataset.input_shape[2]
        )
      ]);
      items.push([trans.__('Model'), modelName(t.model.kind, t.model.layout)]);
      items.push([trans.__('Latent size'), String(t.model.latent)]);
      items.push([trans.__('Test MSE'), t.test_mse.toFixed(4)]);
      items.push([trans.__('PCA MSE'), t.pca.test_mse.toFixed(4)]);
    } else if (this.latentSize) {
      items.push([trans.__('Latent size'), String(this.latentSize)]);
    }
    return items;
  }
}

/** "Variational autoencoder (dense)". */
export function modelName(kind: string, layout: string): string {
  const name =
    kind === 'vae'
      ? trans.__('Variational autoencoder')
      : kind === 'denoising'
        ? trans.__('Denoising autoencoder')
        : trans.__('Autoencoder');
  return layout === 'conv' ? trans.__('%1 (convolutional)', name) : trans.__('%1 (dense)', name);
}
