/**
 * The RNN explorer's results as it draws them: the generated result types (api/results.ts)
 * with every array decoded, and the comparison run's result (its own view, compareView.ts).
 */
import { RnnInspectResult, RnnUnitsResult } from '../../api/results';
import { Decoded, decodeResult } from '../cnn/cnnResult';

/** One `rnn.inspect` result with its arrays decoded. */
export type RnnInspected = Decoded<RnnInspectResult>;

/** One layer and direction of it. */
export type RnnLayer = RnnInspected['layers'][number];

/** An `rnn.units` result (no arrays). */
export type RnnUnitsFound = RnnUnitsResult;

/** Decode an `rnn.inspect` result. */
export function decodeInspect(result: RnnInspectResult): RnnInspected {
  return decodeResult(result);
}

/** The label of a layer and direction in a picker: "layer 1", "layer 2 ←". */
export function layerName(layer: RnnLayer, bidirectional: boolean): string {
  const arrow = layer.direction === 'backward' ? ' ←' : bidirectional ? ' →' : '';
  return `${layer.layer + 1}${arrow}`;
}
