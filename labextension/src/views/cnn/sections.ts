/**
 * The sections of the CNN explorer below its toolbar: their content boxes, their titles and
 * explanations, and drawing an inspect result into all of them at once.
 */
import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { CnnInspected } from './cnnResult';
import { renderConfusion } from './confusionSection';
import { CnnEpochs } from './epochs';
import { EXPLAIN } from './explanations';
import { FeatureMapsSection } from './featureMapsSection';
import { filterLayersOf, renderFilters } from './filtersSection';
import { InputSection } from './inputSection';
import { SectionSpec } from './layout';
import { renderPredictions } from './predictionSection';
import { renderSaliency } from './saliencySection';
import { renderSelectivity } from './selectivitySection';
import { renderSummary } from './summarySection';

/** A section's content box, with the test id the browser tests find it by. */
function box(className: string): HTMLElement {
  const node = el('div', className);
  node.setAttribute('data-testid', className);
  return node;
}

export class ExplorerSections {
  readonly inputs: InputSection;
  readonly featureMaps = new FeatureMapsSection();
  /** Times the feature maps were redrawn from a new inspect result. */
  updates = 0;
  private _predictions = box('dlviz-predictions');
  private _filters = box('dlviz-filters');
  private _saliency = box('dlviz-saliency');
  private _confusion = box('dlviz-confusion');
  private _selectivity = box('dlviz-selectivity');
  private _summary = box('dlviz-summary');

  constructor(inputs: InputSection) {
    this.inputs = inputs;
  }

  /** Input and prediction, side by side at the top. */
  top(): SectionSpec[] {
    return [
      ['input', trans.__('Input'), EXPLAIN.input, this.inputs.node],
      ['prediction', trans.__('Prediction'), EXPLAIN.predictions, this._predictions]
    ];
  }

  /** Every other section, in reading order. */
  rest(): SectionSpec[] {
    return [
      ['feature-maps', trans.__('Feature maps'), EXPLAIN.featureMaps, this.featureMaps.node],
      ['filters', trans.__('Filters'), EXPLAIN.filters, this._filters],
      ['saliency', trans.__('Saliency and Grad-CAM'), EXPLAIN.saliency, this._saliency],
      ['confusion', trans.__('Confusion matrix'), EXPLAIN.confusion, this._confusion],
      ['selectivity', trans.__('Filter selectivity'), EXPLAIN.selectivity, this._selectivity],
      ['summary', trans.__('Model summary'), EXPLAIN.summary, this._summary]
    ];
  }

  /** Draw everything an inspect result holds. */
  apply(run: CnnEpochs, result: CnnInspected): void {
    const classes = run.dataset?.classes ?? [];
    if (!run.snapshots) {
      this.renderFilters(run, result);
    }
    this.inputs.renderPreview(result);
    renderPredictions(this._predictions, result, classes, 'index' in this.inputs.input);
    this.featureMaps.render(result);
    renderSaliency(this._saliency, result, classes);
    renderConfusion(this._confusion, result, classes);
    renderSelectivity(this._selectivity, result, classes);
    renderSummary(this._summary, result);
    this.updates += 1;
    this.featureMaps.node.setAttribute('data-updated', String(this.updates));
  }

  /** Filters per conv layer: from the snapshots at the slider's epoch, else from a result. */
  renderFilters(run: CnnEpochs, result: CnnInspected | null): void {
    const layers = run.snapshots ? run.filterLayers() : result ? filterLayersOf(result) : null;
    if (layers) {
      renderFilters(this._filters, layers);
    }
  }
}
