/**
 * The unit explorer's search: ask `rnn.units` on the explorer's kernel for the units on across
 * the brushed span, show them and the matches, and pick the strongest unit.
 */
import { trans } from '../../i18n';
import { unitsParams } from './rnnLogic';
import { RnnKernel } from './rnnKernel';
import { IRnnState, layerOf } from './rnnState';
import { UnitsSection } from './unitsSection';

export async function searchUnits(
  state: IRnnState | null,
  kernel: RnnKernel,
  units: UnitsSection,
  threshold: number,
  offOutside: boolean,
  pick: (unit: number) => void
): Promise<void> {
  if (!state?.span) {
    return;
  }
  const layer = layerOf(state);
  const params = unitsParams(
    kernel.params,
    layer.layer,
    layer.direction === 'backward' ? 1 : 0,
    state.span,
    threshold,
    offOutside
  );
  units.status(trans.__('Searching the data set…'));
  try {
    const found = await kernel.units(params);
    if (found) {
      units.show(found, state.unit);
      if (found.units.length) {
        pick(found.units[0]);
      }
    }
  } catch (error) {
    units.status(trans.__('The kernel could not search: %1', (error as Error).message));
  }
}
