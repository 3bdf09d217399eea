/**
 * One renderer per `view` of a `dlviz_lab.show` payload (the attention views and the model
 * summary are drawn by notebookOutput.ts itself). A renderer fills `node` or throws an Error
 * whose message says what is missing.
 */
import { renderBoundary } from './boundaryOutput';
import { renderCurves } from './curvesOutput';
import { renderFilters } from './filtersOutput';
import { renderHiddenStates } from './hiddenStatesOutput';
import { renderLatent } from './latentOutput';

export type OutputRenderer = (payload: { [key: string]: any }, node: HTMLElement) => void;

export const OUTPUT_RENDERERS: { [view: string]: OutputRenderer } = {
  filters: renderFilters,
  hidden_states: renderHiddenStates,
  decision_boundary: renderBoundary,
  latent_space: renderLatent,
  training_curves: renderCurves
};

/** The renderer of a payload's view, or null for a view this version does not know. */
export function rendererFor(view: unknown): OutputRenderer | null {
  return typeof view === 'string' && Object.prototype.hasOwnProperty.call(OUTPUT_RENDERERS, view)
    ? OUTPUT_RENDERERS[view]
    : null;
}
