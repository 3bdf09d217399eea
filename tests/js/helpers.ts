import { NDArray } from '../../labextension/src/api/arrays';

/** Encode values the way the kernel does (little-endian, base64), by hand with DataView. */
export function encode(
  dtype: string,
  shape: number[],
  values: number[],
  write: (view: DataView, offset: number, value: number) => void,
  itemSize: number,
  extra: { [key: string]: number } = {}
): { dtype: string; shape: number[]; data: string; [key: string]: any } {
  const buffer = new ArrayBuffer(values.length * itemSize);
  const view = new DataView(buffer);
  values.forEach((v, i) => write(view, i * itemSize, v));
  return { dtype, shape, data: toBase64(new Uint8Array(buffer)), ...extra };
}

/** Bytes to base64 with btoa (jsdom has it), independent of the code under test. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  bytes.forEach(b => (binary += String.fromCharCode(b)));
  return btoa(binary);
}

export function float32(shape: number[], values: number[]) {
  return encode('float32', shape, values, (v, o, x) => v.setFloat32(o, x, true), 4);
}

/** Attention-like [layers, heads, n, m] where value = layer*1000 + head*100 + i*10 + j. */
export function grid(layers: number, heads: number, n: number, m: number = n): NDArray {
  const data = new Float32Array(layers * heads * n * m);
  let k = 0;
  for (let l = 0; l < layers; l++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          data[k++] = l * 1000 + h * 100 + i * 10 + j;
        }
      }
    }
  }
  return new NDArray(data, [layers, heads, n, m]);
}
