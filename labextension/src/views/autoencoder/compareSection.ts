/**
 * The network against PCA of the same size (numbers from the training run, pictures from the
 * kernel's `compare`), and the validation error per epoch (with a VAE's KL term).
 */
import { NDArray } from '../../api/arrays';
import { trans } from '../../i18n';
import { drawChart, el, legend, SERIES_COLORS, svgEl } from '../shared/draw';
import { flexRow, imageStrip, PixelRange, rowLabel } from './aeDraw';

export interface ICompared {
  networkName: string;
  networkMse: number;
  pcaMse: number;
  components: number;
  explained: number;
}

export class CompareSection {
  readonly node = el('div', 'dlviz-ae-compare');
  private _table = el('table', 'dlviz-ae-compare-table');
  private _pictures = el('div', 'dlviz-ae-compare-pictures');

  constructor() {
    this.node.setAttribute('data-testid', 'dlviz-ae-compare');
    this.node.append(this._table, this._pictures);
  }

  /** The numbers: test MSE of each, and how much of the variance PCA keeps. */
  showNumbers(n: ICompared): void {
    const row = (name: string, mse: number, note: string) =>
      el(
        'tr',
        undefined,
        undefined,
        el('th', undefined, name),
        el('td', undefined, mse.toFixed(4)),
        el('td', undefined, note)
      );
    const ratio = n.pcaMse > 0 ? n.networkMse / n.pcaMse : NaN;
    this._table.replaceChildren(
      el(
        'tr',
        undefined,
        undefined,
        el('th', undefined, ''),
        el('th', undefined, trans.__('Test MSE')),
        el('th', undefined, '')
      ),
      row(
        n.networkName,
        n.networkMse,
        Number.isFinite(ratio) ? trans.__('%1× the error of PCA', ratio.toFixed(2)) : ''
      ),
      row(
        trans.__('PCA, %1 components', n.components),
        n.pcaMse,
        trans.__('keeps %1% of the variance', (n.explained * 100).toFixed(1))
      )
    );
    this.node.setAttribute('data-network-mse', n.networkMse.toFixed(6));
    this.node.setAttribute('data-pca-mse', n.pcaMse.toFixed(6));
  }

  /** The same images, the network's and PCA's reconstructions, row under row. */
  showPictures(
    images: NDArray,
    network: NDArray,
    pca: NDArray,
    networkName: string,
    range: PixelRange
  ): void {
    this._pictures.replaceChildren(
      flexRow('', rowLabel(trans.__('Originals')), imageStrip(images, 48, [], range)),
      flexRow('', rowLabel(networkName), imageStrip(network, 48, [], range)),
      flexRow('', rowLabel(trans.__('PCA')), imageStrip(pca, 48, [], range))
    );
    this._pictures.setAttribute('data-images', String(images.shape[0]));
  }

  status(text: string): void {
    this._pictures.replaceChildren(el('div', 'dlviz-view-message', text));
  }
}

/** Validation MSE per epoch beside PCA's (a flat line), and a VAE's KL per epoch. */
export class CurvesSection {
  readonly node = el('div', 'dlviz-ae-curves');
  private _mse = svgEl('svg', { class: 'dlviz-chart' }) as SVGSVGElement;
  private _kl = svgEl('svg', { class: 'dlviz-chart' }) as SVGSVGElement;

  constructor() {
    this._mse.setAttribute('data-testid', 'dlviz-ae-mse-chart');
    this._kl.setAttribute('data-testid', 'dlviz-ae-kl-chart');
  }

  show(mse: number[], kl: (number | null)[] | null, pcaMse: number): void {
    const epochs = mse.map((_, i) => i + 1);
    const network = { label: trans.__('network'), values: mse, color: SERIES_COLORS[0] };
    const pca = {
      label: trans.__('PCA'),
      values: mse.map(() => pcaMse),
      color: SERIES_COLORS[1],
      dashed: true
    };
    drawChart(this._mse, epochs, [network, pca], {
      title: trans.__('Reconstruction error (validation MSE per pixel)'),
      width: 420,
      height: 220
    });
    this._mse.setAttribute('data-points', String(mse.length));
    const charts: Node[] = [el('div', undefined, undefined, this._mse, legend([network, pca]))];
    if (kl) {
      const series = { label: trans.__('KL term'), values: kl, color: SERIES_COLORS[2] };
      drawChart(this._kl, epochs, [series], {
        title: trans.__('KL divergence from N(0, I) per image'),
        width: 420,
        height: 220
      });
      this._kl.setAttribute('data-points', String(kl.length));
      charts.push(el('div', undefined, undefined, this._kl, legend([series])));
    }
    this.node.replaceChildren(flexRow('', ...charts));
  }
}
