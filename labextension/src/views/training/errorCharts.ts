/**
 * The training monitor's extras for autoencoders (`autoencoder.train`): the reconstruction
 * error per epoch beside the PCA baseline (once known), and for a VAE the KL term, the price of
 * a latent space close to a standard Gaussian. Live from the progress events, then from the result.
 */
import { AutoencoderTrainResult } from '../../api/results';
import { trans } from '../../i18n';
import { drawChart, el, ISeries, section, svgEl } from '../shared/draw';
import { addErrors, emptyErrorCurves, errorsFromResult, hasKl, IErrorCurves } from './errorLogic';
import { ProgressEvent } from './trainingLogic';

const TRAIN_COLOR = 'var(--jp-brand-color1, #1976d2)';
const VALIDATION_COLOR = 'var(--jp-warn-color1, #f57c00)';

function chart(label: string, testId: string): SVGElement {
  const svg = svgEl('svg', { class: 'dlviz-chart', role: 'img', 'aria-label': label });
  svg.setAttribute('data-testid', testId);
  return svg;
}

export class ErrorCharts {
  readonly node: HTMLElement;
  private _curves: IErrorCurves = emptyErrorCurves();
  private _pca: number | null = null;
  private _mseChart = chart(trans.__('Reconstruction error'), 'dlviz-recon-chart');
  private _klChart = chart(trans.__('KL term'), 'dlviz-kl-chart');
  private _klFigure: HTMLElement;
  private _epochs = 0;

  constructor() {
    this._klFigure = el('figure', 'dlviz-figure', undefined, this._klChart as unknown as Node);
    this._klFigure.style.display = 'none';
    this.node = section(
      trans.__('Reconstruction'),
      trans.__(
        'Reconstruction error: the mean squared difference per pixel between an image and its reconstruction; the dotted line is PCA with as many components as the latent size. KL term (VAE only): how far the codes of an image are from a standard Gaussian, per image; the loss adds β times it, so a lower KL buys a smoother latent space with blurrier reconstructions.'
      ),
      el(
        'div',
        'dlviz-chart-row',
        undefined,
        el('figure', 'dlviz-figure', undefined, this._mseChart as unknown as Node),
        this._klFigure
      )
    );
    this.node.classList.add('dlviz-error-extras');
    this.node.style.display = 'none';
  }

  /** The epochs the run will have, so the axis does not jump while it grows. */
  set epochs(value: number) {
    this._epochs = value;
  }

  onProgress(event: ProgressEvent): void {
    const next = addErrors(this._curves, event);
    if (next !== this._curves) {
      this._curves = next;
      this.draw();
    }
  }

  fromResult(result: AutoencoderTrainResult): void {
    this._curves = errorsFromResult(result.errors);
    this._pca = result.pca?.test_mse ?? null;
    this.draw();
  }

  draw(): void {
    const curves = this._curves;
    this.node.style.display = curves.epoch.length ? '' : 'none';
    if (!curves.epoch.length) {
      return;
    }
    const xDomain: [number, number] = [1, Math.max(2, this._epochs, ...curves.epoch)];
    const mse: ISeries[] = [
      { label: trans.__('training'), values: curves.trainMse, color: TRAIN_COLOR },
      {
        label: trans.__('validation'),
        values: curves.validationMse,
        color: VALIDATION_COLOR,
        dashed: true
      }
    ];
    if (this._pca !== null) {
      mse.push({
        label: trans.__('PCA, same size'),
        values: curves.epoch.map(() => this._pca),
        color: 'var(--jp-ui-font-color2, #888)',
        dashed: true
      });
    }
    drawChart(this._mseChart, curves.epoch, mse, {
      title: trans.__('Reconstruction error (MSE per pixel)'),
      xDomain
    });
    this._mseChart.setAttribute('data-epochs', String(curves.epoch.length));
    const vae = hasKl(curves);
    this._klFigure.style.display = vae ? '' : 'none';
    if (vae) {
      drawChart(
        this._klChart,
        curves.epoch,
        [
          { label: trans.__('training'), values: curves.trainKl, color: TRAIN_COLOR },
          {
            label: trans.__('validation'),
            values: curves.validationKl,
            color: VALIDATION_COLOR,
            dashed: true
          }
        ],
        { title: trans.__('KL term per image'), xDomain }
      );
      this._klChart.setAttribute('data-epochs', String(curves.epoch.length));
    }
  }
}
