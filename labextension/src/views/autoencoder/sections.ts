/**
 * The sections of the autoencoder explorer, in reading order, and what fills each of them.
 */
import { NDArray } from '../../api/arrays';
import { trans } from '../../i18n';
import { SectionSpec } from '../rnn/layout';
import { PixelRange } from './aeDraw';
import { AeInspected, AeRun, modelName } from './aeRun';
import { CompareSection, CurvesSection } from './compareSection';
import { DrawSection } from './drawSection';
import { EXPLAIN } from './explanations';
import { LatentSection } from './latentSection';
import {
  GridSection,
  IInterpolation,
  InterpolationSection,
  ReconstructionsSection
} from './stripSections';

export interface ISectionEvents {
  decode(code: number[]): Promise<NDArray | null>;
  encode(pixels: number[]): void;
  interpolate(wish: IInterpolation): void;
  grid(size: number): void;
  status(text: string): void;
}

type Encoded = Extract<AeInspected, { action: 'encode' }>;
type Compared = Extract<AeInspected, { action: 'compare' }>;

export class AeSections {
  readonly latent: LatentSection;
  readonly draw: DrawSection;
  readonly reconstructions = new ReconstructionsSection();
  readonly interpolation: InterpolationSection;
  readonly grid: GridSection;
  readonly compare = new CompareSection();
  readonly curves = new CurvesSection();

  constructor(events: ISectionEvents) {
    this.interpolation = new InterpolationSection(wish => events.interpolate(wish));
    this.latent = new LatentSection({
      decode: code => events.decode(code),
      pick: index => this.latent.showPicked(this.interpolation.pick(index)),
      status: text => events.status(text)
    });
    this.draw = new DrawSection({ encode: pixels => events.encode(pixels) });
    this.grid = new GridSection(size => events.grid(size));
  }

  specs(): SectionSpec[] {
    return [
      ['latent', trans.__('Latent space'), EXPLAIN.latent, this.latent.node],
      ['draw', trans.__('Draw and encode'), EXPLAIN.draw, this.draw.node],
      [
        'reconstructions',
        trans.__('Reconstructions per epoch'),
        EXPLAIN.reconstructions,
        this.reconstructions.node
      ],
      ['interpolation', trans.__('Interpolation'), EXPLAIN.interpolation, this.interpolation.node],
      ['grid', trans.__('Latent grid'), EXPLAIN.grid, this.grid.node],
      ['compare', trans.__('Network against PCA'), EXPLAIN.compare, this.compare.node],
      ['curves', trans.__('Errors per epoch'), EXPLAIN.curves, this.curves.node]
    ];
  }

  /** Everything the run itself holds. */
  show(run: AeRun): void {
    if (run.latent) {
      this.latent.show(run.latent, run.classes, run.range);
      this.interpolation.setCount(run.latent.points.shape[0]);
    }
    this.draw.setShape(run.shape);
    const t = run.trained;
    if (t) {
      const s = t.samples;
      this.reconstructions.show(s.epochs, s.images, s.reconstructions, run.range);
      this.compare.showNumbers({
        networkName: modelName(t.model.kind, t.model.layout),
        networkMse: t.test_mse,
        pcaMse: t.pca.test_mse,
        components: t.pca.components,
        explained: t.pca.explained_variance
      });
      this.curves.show(t.errors.validation_mse, t.errors.validation_kl, t.pca.test_mse);
    }
  }

  showEncoded(answer: Encoded, range: PixelRange): void {
    this.latent.showEncoded(answer.code, answer.sigma);
    this.draw.showEncoded(answer.image, answer.reconstruction, answer.code, answer.sigma, range);
  }

  showCompared(answer: Compared, networkName: string, range: PixelRange): void {
    this.compare.showNumbers({
      networkName,
      networkMse: answer.network_mse,
      pcaMse: answer.pca_mse,
      components: answer.components,
      explained: answer.explained_variance
    });
    this.compare.showPictures(answer.images, answer.network, answer.pca, networkName, range);
  }
}
