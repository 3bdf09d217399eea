/**
 * The Transformer view of a `transformer.projection` run (or `transformer.inspect` with view
 * "projection"): every token's vector in 2-D, layer by layer.
 */
import { decodeArray, isEncodedArray } from '../../api/arrays';
import { IRun } from '../../api/client';
import { resultOf, TransformerProjectionFields } from '../../api/results';
import { trans } from '../../i18n';
import { firstWords } from '../shared/format';
import { IPartHost, partBody, partHeader } from './parts';
import { renderProjection } from './projectionView';

/** What a learner reads above the token map. */
export function projectionExplanation(): string {
  return trans.__(
    "Every token's vector squeezed to two numbers (PCA): tokens the layer sees alike sit close. Move the layer slider to follow them through the layers, the epoch slider to watch training arrange them."
  );
}

/** Draw the token map of `run`; returns the tab title. */
export function loadProjection(host: IPartHost, run: IRun): string {
  // A projection run, or an inspect run with view "projection" (the registry sends only these).
  const result = resultOf(
    run,
    run.task as 'transformer.projection' | 'transformer.inspect'
  ) as TransformerProjectionFields;
  const coordinates = isEncodedArray(result.coordinates) ? decodeArray(result.coordinates) : null;
  if (!coordinates) {
    host.showMessage(trans.__('This run has no coordinates to show.'));
    return trans.__('Projection');
  }
  partHeader(
    host,
    trans.__(
      'Model: %1 · %2 tokens · %3 layers (embeddings included)',
      String(result.model ?? ''),
      result.tokens.length,
      coordinates.shape[0]
    ),
    projectionExplanation()
  );
  const body = partBody(host, 'dlviz-projection-host');
  renderProjection(body, {
    tokens: result.tokens,
    sentence: result.sentence ?? [],
    layers: result.layers ?? [],
    coordinates,
    explainedVariance: result.explained_variance ?? null
  });
  return trans.__('Token map: %1', firstWords(String(run.params?.text ?? result.tokens.join(' '))));
}
