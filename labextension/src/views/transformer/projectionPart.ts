/**
 * The Transformer view of a `transformer.projection` run (or `transformer.inspect` with view
 * "projection"): every token's vector in 2-D, layer by layer.
 */
import { decodeArray, isEncodedArray } from '../../api/arrays';
import { IRun } from '../../api/client';
import { firstWords } from '../shared/format';
import { IPartHost, partBody, partHeader } from './parts';
import { renderProjection } from './projectionView';

/** What a learner reads above the token map. */
export const PROJECTION_EXPLANATION =
  'Every token\'s vector squeezed to two numbers (PCA): tokens the layer sees alike sit close. ' +
  'Move the layer slider to follow them through the layers, the epoch slider to watch training arrange them.';

/** Draw the token map of `run`; returns the tab title. */
export function loadProjection(host: IPartHost, run: IRun): string {
  const result = run.result!;
  const coordinates = isEncodedArray(result.coordinates) ? decodeArray(result.coordinates) : null;
  if (!coordinates) {
    host.showMessage('This run has no coordinates to show.');
    return 'Projection';
  }
  partHeader(
    host,
    `Model: ${String(result.model ?? '')} · ${result.tokens.length} tokens · ${coordinates.shape[0]} layers (embeddings included)`,
    PROJECTION_EXPLANATION
  );
  const body = partBody(host, 'dlviz-projection-host');
  renderProjection(body, {
    tokens: result.tokens,
    sentence: result.sentence ?? [],
    layers: result.layers ?? [],
    coordinates,
    explainedVariance: result.explained_variance ?? null
  });
  return `Token map: ${firstWords(String(run.params?.text ?? result.tokens.join(' ')))}`;
}
