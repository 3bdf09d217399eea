/**
 * Decoder of the arrays that travel in dlviz-lab results (see docs/protocol.md, "Arrays"):
 * `{"dtype", "shape", "data": <base64, little-endian, C order>, "scale"?, "offset"?}`.
 *
 * Kept free of JupyterLab imports so that it can be unit-tested and reused anywhere.
 */

/** An array as the kernel encodes it. */
export interface IEncodedArray {
  dtype: string;
  shape: number[];
  data: string;
  /** Quantized uint8 only: value = offset + scale * byte. */
  scale?: number;
  offset?: number;
}

/** The typed arrays a decoded array can hold. */
export type NumericData =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array;

/** A nested JS array of numbers (what BertViz and JSON want). */
export type Nested = number | Nested[];

/** Bytes per element of each dtype name the kernel may send. */
const ITEM_SIZE: { [dtype: string]: number } = {
  bool: 1,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  float16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  uint64: 8,
  int64: 8,
  float64: 8
};

/** True for an object that has the shape of an encoded array. */
export function isEncodedArray(value: unknown): value is IEncodedArray {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const v = value as { [key: string]: unknown };
  return (
    typeof v.dtype === 'string' &&
    Array.isArray(v.shape) &&
    typeof v.data === 'string' &&
    v.dtype in ITEM_SIZE
  );
}

/** Base64 text to bytes, in the browser (atob) and in node (Buffer). */
export function base64ToBytes(text: string): Uint8Array {
  if (typeof atob === 'function') {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const buffer = (globalThis as any).Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** IEEE 754 half precision bits to a number. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) {
    // Subnormal numbers (and zero): no implicit leading one.
    return sign * fraction * Math.pow(2, -24);
  }
  if (exponent === 0x1f) {
    return fraction ? NaN : sign * Infinity;
  }
  return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** C-order strides, in elements. */
function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis];
  }
  return strides;
}

/**
 * A decoded n-dimensional array: a flat typed array plus its shape, in C order.
 * float16 and quantized uint8 come out as Float32Array; 64-bit integers as Float64Array
 * (exact up to 2^53, which is more than any count or index a result holds).
 */
export class NDArray {
  readonly data: NumericData;
  readonly shape: number[];
  readonly strides: number[];

  constructor(data: NumericData, shape: number[]) {
    if (product(shape) !== data.length) {
      throw new Error(`array of ${data.length} values cannot have shape [${shape.join(', ')}]`);
    }
    this.data = data;
    this.shape = shape.slice();
    this.strides = stridesOf(this.shape);
  }

  /** Number of values. */
  get size(): number {
    return this.data.length;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The value at a full index, e.g. `attention.get(layer, head, i, j)`. */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new Error(
        `need ${this.shape.length} indices for shape [${this.shape.join(', ')}], got ${index.length}`
      );
    }
    let flat = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[axis]) {
        throw new RangeError(
          `index ${i} out of range for axis ${axis} of size ${this.shape[axis]}`
        );
      }
      flat += i * this.strides[axis];
    }
    return this.data[flat];
  }

  /** The sub-array at index `i` of the first axis (one layer of an attention array), without copying. */
  slice(i: number): NDArray {
    if (this.shape.length === 0) {
      throw new Error('cannot slice a 0-d array');
    }
    if (!Number.isInteger(i) || i < 0 || i >= this.shape[0]) {
      throw new RangeError(`index ${i} out of range for axis 0 of size ${this.shape[0]}`);
    }
    const step = this.strides[0];
    return new NDArray(
      this.data.subarray(i * step, (i + 1) * step) as NumericData,
      this.shape.slice(1)
    );
  }

  /**
   * Nested JS arrays of numbers. `digits` rounds each value (BertViz gets its data as JSON;
   * four decimals keep an attention weight readable and the document small).
   */
  toNested(digits?: number): Nested {
    const factor = digits === undefined ? 0 : Math.pow(10, digits);
    const round =
      digits === undefined ? (x: number) => x : (x: number) => Math.round(x * factor) / factor;
    const build = (axis: number, start: number): Nested => {
      if (axis === this.shape.length) {
        return round(this.data[start]);
      }
      const out: Nested[] = new Array(this.shape[axis]);
      for (let i = 0; i < this.shape[axis]; i++) {
        out[i] = build(axis + 1, start + i * this.strides[axis]);
      }
      return out;
    };
    return build(0, 0);
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decode one encoded array. Throws on an unknown dtype or a size that does not fit the shape. */
export function decodeArray(encoded: IEncodedArray): NDArray {
  const { dtype, shape } = encoded;
  const itemSize = ITEM_SIZE[dtype];
  if (itemSize === undefined) {
    throw new Error(`unknown dtype ${JSON.stringify(dtype)}`);
  }
  const bytes = base64ToBytes(encoded.data);
  const count = product(shape);
  if (bytes.length !== count * itemSize) {
    throw new Error(
      `${dtype} array of shape [${shape.join(', ')}] needs ${count * itemSize} bytes, got ${bytes.length}`
    );
  }
  // A fresh, aligned buffer: typed-array views need offsets that are multiples of the item size.
  const buffer = bytes.slice().buffer;
  const view = new DataView(buffer);
  let data: NumericData;
  switch (dtype) {
    case 'uint8':
    case 'bool':
      if (typeof encoded.scale === 'number') {
        const scale = encoded.scale;
        const offset = typeof encoded.offset === 'number' ? encoded.offset : 0;
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) {
          out[i] = offset + scale * bytes[i];
        }
        data = out;
      } else {
        data = new Uint8Array(buffer);
      }
      break;
    case 'int8':
      data = new Int8Array(buffer);
      break;
    case 'float16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        out[i] = float16ToNumber(view.getUint16(i * 2, true));
      }
      data = out;
      break;
    }
    case 'uint64':
    case 'int64': {
      const out = new Float64Array(count);
      const signed = dtype === 'int64';
      for (let i = 0; i < count; i++) {
        const low = view.getUint32(i * 8, true);
        const high = signed ? view.getInt32(i * 8 + 4, true) : view.getUint32(i * 8 + 4, true);
        out[i] = high * 4294967296 + low;
      }
      data = out;
      break;
    }
    default: {
      data = typedFromLittleEndian(dtype, buffer, view, count);
    }
  }
  return new NDArray(data, shape);
}

/** 16/32/64-bit types: a direct view on little-endian hosts, a DataView copy elsewhere. */
function typedFromLittleEndian(
  dtype: string,
  buffer: ArrayBuffer,
  view: DataView,
  count: number
): NumericData {
  type Ctor = { new (buffer: ArrayBuffer): NumericData; new (length: number): NumericData };
  const table: { [dtype: string]: [Ctor, (offset: number) => number] } = {
    uint16: [Uint16Array, o => view.getUint16(o, true)],
    int16: [Int16Array, o => view.getInt16(o, true)],
    uint32: [Uint32Array, o => view.getUint32(o, true)],
    int32: [Int32Array, o => view.getInt32(o, true)],
    float32: [Float32Array, o => view.getFloat32(o, true)],
    float64: [Float64Array, o => view.getFloat64(o, true)]
  };
  const [Ctor, read] = table[dtype];
  if (LITTLE_ENDIAN_HOST) {
    return new Ctor(buffer);
  }
  const out = new Ctor(count);
  const size = ITEM_SIZE[dtype];
  for (let i = 0; i < count; i++) {
    out[i] = read(i * size);
  }
  return out;
}

/**
 * Walk a result (objects and lists) and replace every encoded array with its NDArray.
 * Returns a new structure; the input is left as it was.
 */
export function decodeArrays<T = unknown>(value: T): any {
  if (isEncodedArray(value)) {
    return decodeArray(value);
  }
  if (Array.isArray(value)) {
    return value.map(item => decodeArrays(item));
  }
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const [key, item] of Object.entries(value as object)) {
      out[key] = decodeArrays(item);
    }
    return out;
  }
  return value;
}

/** A large array the server kept: `GET runs/{id}` sends this instead (no `data`). */
export interface IArrayStub {
  dtype: string;
  shape: number[];
  bytes: number;
  href: string;
}

/** Whether a value is a stub of a large array (protocol.md, "Large arrays: stubs and slices"). */
export function isArrayStub(value: unknown): value is IArrayStub {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const v = value as { [key: string]: unknown };
  return (
    typeof v.dtype === 'string' &&
    Array.isArray(v.shape) &&
    typeof v.href === 'string' &&
    !('data' in v)
  );
}

/** A copy of `value` with every array stub replaced by what `fetch` returns for its href. */
export async function resolveStubs<T>(
  value: T,
  fetch: (href: string) => Promise<IEncodedArray>
): Promise<T> {
  if (isArrayStub(value)) {
    return (await fetch(value.href)) as unknown as T;
  }
  if (Array.isArray(value)) {
    return (await Promise.all(value.map(item => resolveStubs(item, fetch)))) as unknown as T;
  }
  if (value && typeof value === 'object' && !isEncodedArray(value)) {
    const entries = await Promise.all(
      Object.entries(value as { [key: string]: unknown }).map(
        async ([key, item]) => [key, await resolveStubs(item, fetch)] as const
      )
    );
    return Object.fromEntries(entries) as T;
  }
  return value;
}

/** The query of a slice request: `?index=k&dtype=...` (empty for the whole array as sent). */
export function sliceQuery(
  index?: number | null,
  dtype?: 'float16' | 'float32' | 'uint8' | null
): string {
  const parts: string[] = [];
  if (typeof index === 'number') {
    if (!Number.isInteger(index) || index < 0) {
      throw new Error(`index must be a whole number >= 0, not ${index}`);
    }
    parts.push(`index=${index}`);
  }
  if (dtype) {
    parts.push(`dtype=${dtype}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}
