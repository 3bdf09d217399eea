import {
  decodeArray,
  decodeArrays,
  float16ToNumber,
  isEncodedArray,
  NDArray
} from '../../labextension/src/api/arrays';
import { encode, float32 } from './helpers';

describe('decodeArray', () => {
  it('decodes float32 little-endian values in C order with their shape', () => {
    const values = [0.5, -1.25, 3, 1e-3, 7.75, -0];
    const array = decodeArray(float32([2, 3], values));
    expect(array.data).toBeInstanceOf(Float32Array);
    expect(array.shape).toEqual([2, 3]);
    expect(Array.from(array.data)).toEqual(values.map(v => Math.fround(v)));
    expect(array.get(1, 0)).toBeCloseTo(1e-3, 7);
    expect(array.get(0, 2)).toBe(3);
  });

  it('converts float16 bits, subnormals and infinities included, to a Float32Array', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x3555 ~ 0.33325, 0x0001 = 2^-24, 0x7c00 = +inf, 0x7bff = 65504
    const bits = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x7bff];
    const array = decodeArray(
      encode('float16', [6], bits, (v, o, x) => v.setUint16(o, x, true), 2)
    );
    expect(array.data).toBeInstanceOf(Float32Array);
    const out = Array.from(array.data);
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(-2);
    expect(out[2]).toBeCloseTo(0.33325, 4);
    expect(out[3]).toBe(Math.pow(2, -24));
    expect(out[4]).toBe(Infinity);
    expect(out[5]).toBe(65504);
    expect(float16ToNumber(0x7e00)).toBeNaN();
  });

  it('dequantizes uint8 with scale and offset: value = offset + scale * byte', () => {
    const bytes = [0, 1, 128, 255];
    const array = decodeArray(
      encode('uint8', [2, 2], bytes, (v, o, x) => v.setUint8(o, x), 1, { scale: 0.5, offset: -1 })
    );
    expect(array.data).toBeInstanceOf(Float32Array);
    expect(Array.from(array.data)).toEqual([-1, -0.5, 63, 126.5]);
    expect(array.get(1, 1)).toBe(126.5);
  });

  it('keeps plain uint8 (no scale) as bytes', () => {
    const array = decodeArray(encode('uint8', [3], [7, 0, 255], (v, o, x) => v.setUint8(o, x), 1));
    expect(array.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(array.data)).toEqual([7, 0, 255]);
  });

  it('decodes int64 (negative and above 2^32) exactly as numbers', () => {
    const values = [0, -1, 5_000_000_000, -5_000_000_123, 2 ** 53 - 1];
    const array = decodeArray(
      encode('int64', [5], values, (v, o, x) => v.setBigInt64(o, BigInt(x), true), 8)
    );
    expect(Array.from(array.data)).toEqual(values);
  });

  it('decodes int32 and float64', () => {
    const ints = decodeArray(
      encode('int32', [3], [-7, 0, 2 ** 31 - 1], (v, o, x) => v.setInt32(o, x, true), 4)
    );
    expect(ints.data).toBeInstanceOf(Int32Array);
    expect(Array.from(ints.data)).toEqual([-7, 0, 2 ** 31 - 1]);
    const doubles = decodeArray(
      encode('float64', [2], [Math.PI, -1e300], (v, o, x) => v.setFloat64(o, x, true), 8)
    );
    expect(Array.from(doubles.data)).toEqual([Math.PI, -1e300]);
  });

  it('refuses data whose size does not fit the shape, and unknown dtypes', () => {
    expect(() => decodeArray(float32([2, 2], [1, 2, 3]))).toThrow(/needs 16 bytes, got 12/);
    expect(() => decodeArray({ dtype: 'complex64', shape: [1], data: '' })).toThrow(
      /unknown dtype/
    );
  });
});

describe('NDArray', () => {
  const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const array = decodeArray(float32([2, 3, 4], values));

  it('gets a value by full index in C order', () => {
    expect(array.get(1, 2, 3)).toBe(23);
    expect(array.get(0, 1, 0)).toBe(4);
    expect(() => array.get(2, 0, 0)).toThrow(RangeError);
    expect(() => array.get(0, 0)).toThrow(/need 3 indices/);
  });

  it('slices one layer along the first axis without copying', () => {
    const layer = array.slice(1);
    expect(layer.shape).toEqual([3, 4]);
    expect(layer.get(0, 0)).toBe(12);
    expect(layer.get(2, 3)).toBe(23);
    expect(layer.data.buffer).toBe(array.data.buffer);
  });

  it('turns into nested arrays, optionally rounded', () => {
    const small = new NDArray(new Float32Array([0.123456, 1, 2, 3]), [2, 2]);
    expect(small.toNested(3)).toEqual([
      [0.123, 1],
      [2, 3]
    ]);
  });
});

describe('decodeArrays', () => {
  it('replaces every encoded array in a result and leaves the rest as it was', () => {
    const result = {
      model: 'm',
      tokens: ['a', 'b'],
      attention: float32([1, 1, 2, 2], [1, 0, 0.5, 0.5]),
      nested: [{ weights: float32([2], [1, 2]) }]
    };
    const out = decodeArrays(result);
    expect(out.model).toBe('m');
    expect(out.tokens).toEqual(['a', 'b']);
    expect(out.attention).toBeInstanceOf(NDArray);
    expect(out.attention.get(0, 0, 1, 0)).toBe(0.5);
    expect(out.nested[0].weights.shape).toEqual([2]);
    expect(isEncodedArray(result.attention)).toBe(true);
    expect(isEncodedArray({ dtype: 'float32', shape: [1] })).toBe(false);
  });
});
