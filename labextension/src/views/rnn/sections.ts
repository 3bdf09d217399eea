/**
 * The sections of the RNN explorer, in reading order, and drawing one state into all of them.
 */
import { trans } from '../../i18n';
import { EXPLAIN } from './explanations';
import { GatesSection } from './gatesSection';
import { HeatmapSection, Select } from './heatmapSection';
import { SectionSpec } from './layout';
import { PlotsSection } from './plotsSection';
import { stepLabels } from './rnnLogic';
import { IRnnState, layerOf, stepsOf } from './rnnState';
import { TextSection } from './textSection';
import { IUnitsEvents, UnitsSection } from './unitsSection';

export class RnnSections {
  readonly heatmap: HeatmapSection;
  readonly text: TextSection;
  readonly gates: GatesSection;
  readonly units: UnitsSection;
  readonly plots: PlotsSection;
  /** Times the sections were drawn from an inspect result (browser tests wait on it). */
  updates = 0;

  constructor(select: Select, onText: (text: string) => void, units: Omit<IUnitsEvents, 'select'>) {
    this.heatmap = new HeatmapSection(select);
    this.text = new TextSection(select, onText);
    this.gates = new GatesSection(select);
    this.units = new UnitsSection({ ...units, select });
    this.plots = new PlotsSection(select);
  }

  specs(): SectionSpec[] {
    return [
      ['hidden-states', trans.__('Hidden states'), EXPLAIN.heatmap, this.heatmap.node],
      ['text', trans.__('Text coloured by a unit'), EXPLAIN.text, this.text.node],
      ['units', trans.__('Unit explorer'), EXPLAIN.units, this.units.node],
      ['gates', trans.__('Gates'), EXPLAIN.gates, this.gates.gates],
      ['saturation', trans.__('Gate saturation'), EXPLAIN.saturation, this.gates.saturation],
      [
        'predictions',
        trans.__('Predictions step by step'),
        EXPLAIN.predictions,
        this.plots.predictions
      ],
      ['memory', trans.__('Memory'), EXPLAIN.memory, this.plots.memory],
      ['trajectory', trans.__('Hidden-state trajectory'), EXPLAIN.trajectory, this.plots.trajectory]
    ];
  }

  /** Draw everything; `fresh` when the state holds a new inspect result. */
  render(state: IRnnState, canType: boolean, fresh: boolean): void {
    this.heatmap.render(state);
    this.text.render(state, canType);
    this.gates.render(state);
    this.plots.render(state);
    this.units.showSpan(state.span, stepLabels(state.result.input.characters, stepsOf(state)));
    this.units.setSaved(state.saved);
    if (fresh) {
      this.updates += 1;
      this.heatmap.node.setAttribute('data-updated', String(this.updates));
    }
    this.heatmap.node.setAttribute('data-unit', String(state.unit));
    this.heatmap.node.setAttribute('data-step', String(state.step));
    this.heatmap.node.setAttribute('data-layer', String(layerOf(state).layer));
    this.heatmap.node.setAttribute('data-source', state.saved ? 'saved' : 'kernel');
  }
}
