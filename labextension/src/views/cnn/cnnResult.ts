/**
 * The CNN explorer's results as it draws them: the generated result types (api/results.ts) with
 * every array already decoded (`decodeArrays`) into an NDArray.
 */
import { decodeArrays, NDArray } from '../../api/arrays';
import { CnnInspectResult, CnnViewFields, ImageDataset, ResultArray } from '../../api/results';

/** `T` with each array of the result (inline or a stub resolved) decoded. */
export type Decoded<T> = T extends ResultArray
  ? NDArray
  : T extends object
    ? { [K in keyof T]: Decoded<T[K]> }
    : T;

/** What one `cnn.inspect` run says about an input (a training run's `final` has the same fields). */
export type CnnInspected = Decoded<CnnViewFields> & {
  source?: CnnInspectResult['source'];
  dataset?: ImageDataset;
};

/** A result (or its `final` part) with its arrays decoded. */
export function decodeResult<T>(value: T): Decoded<T> {
  return decodeArrays(value) as Decoded<T>;
}
