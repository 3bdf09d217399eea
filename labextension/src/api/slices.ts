/**
 * Entries along axis 0 of a result's array (one epoch of training snapshots, one layer of a long
 * input's attention), whether the array came inline or as a stub: a stub's entries are fetched
 * one at a time (`GET <href>?index=k[&dtype=...]`, protocol.md "Large arrays") and cached, so
 * moving a slider back and forth does not fetch again. Pure logic: the fetch is passed in.
 */
import { trans } from '../i18n';
import { decodeArray, IEncodedArray, isArrayStub, isEncodedArray, NDArray } from './arrays';

/** Fetches entry `index` of the array at `href` (an encoded array), e.g. DlvizApi.array. */
export type SliceFetcher = (
  href: string,
  index: number,
  dtype?: 'float16' | 'float32' | 'uint8' | null
) => Promise<IEncodedArray>;

export class SliceSource {
  /** Shape of the whole array. */
  readonly shape: number[];
  /** Whether entries come from the server (the array was a stub). */
  readonly remote: boolean;
  /** How many entries were fetched from the server so far (for tests and the status line). */
  fetches = 0;
  private _whole: NDArray | null = null;
  private _href: string | null = null;
  private _fetch: SliceFetcher | null;
  private _dtype: 'float16' | 'float32' | 'uint8' | null;
  private _capacity: number;
  private _cache = new Map<number, Promise<NDArray>>();

  constructor(
    value: unknown,
    fetch: SliceFetcher | null,
    options: { dtype?: 'float16' | 'float32' | 'uint8' | null; capacity?: number } = {}
  ) {
    this._fetch = fetch;
    this._dtype = options.dtype ?? null;
    this._capacity = Math.max(1, options.capacity ?? 8);
    if (isEncodedArray(value)) {
      this._whole = decodeArray(value);
      this.shape = this._whole.shape;
      this.remote = false;
    } else if (isArrayStub(value)) {
      this._href = value.href;
      this.shape = value.shape.slice();
      this.remote = true;
    } else {
      throw new Error(trans.__('not an array: neither inline data nor a stub with an href'));
    }
  }

  /** Number of entries along axis 0. */
  get length(): number {
    return this.shape[0];
  }

  /** Entry `index` along axis 0 (shape = shape[1:]). */
  get(index: number): Promise<NDArray> {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      return Promise.reject(
        new RangeError(trans.__('index %1 is out of range 0..%2', index, this.length - 1))
      );
    }
    if (this._whole) {
      return Promise.resolve(this._whole.slice(index));
    }
    const cached = this._cache.get(index);
    if (cached) {
      // Most recently used goes last.
      this._cache.delete(index);
      this._cache.set(index, cached);
      return cached;
    }
    if (!this._fetch || !this._href) {
      return Promise.reject(
        new Error(trans.__('this array is on the server and there is no way to fetch it'))
      );
    }
    this.fetches++;
    const promise = this._fetch(this._href, index, this._dtype).then(encoded => {
      const array = decodeArray(encoded);
      const expected = this.shape.slice(1);
      if (array.shape.join(',') !== expected.join(',')) {
        throw new Error(
          trans.__(
            'entry %1 has shape [%2], expected [%3]',
            index,
            array.shape.join(', '),
            expected.join(', ')
          )
        );
      }
      return array;
    });
    // A failed fetch is not kept: the next call tries again.
    promise.catch(() => this._cache.delete(index));
    this._cache.set(index, promise);
    while (this._cache.size > this._capacity) {
      const oldest = this._cache.keys().next().value as number;
      this._cache.delete(oldest);
    }
    return promise;
  }

  /** The indices kept, oldest first. */
  cachedIndices(): number[] {
    return [...this._cache.keys()];
  }
}
