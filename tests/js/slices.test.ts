/** Entries along axis 0 of inline arrays and stubs: one fetch per entry, cached, LRU. */
import { IEncodedArray } from '../../labextension/src/api/arrays';
import { SliceSource } from '../../labextension/src/api/slices';
import { float32 } from './helpers';

/** A [3, 2, 2] array whose values are 100*k + position. */
const VALUES = Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 4) + (i % 4));

describe('SliceSource', () => {
  it('slices an inline array without fetching', async () => {
    const source = new SliceSource(float32([3, 2, 2], VALUES), null);
    expect(source.remote).toBe(false);
    const entry = await source.get(2);
    expect(entry.shape).toEqual([2, 2]);
    expect(Array.from(entry.data)).toEqual([200, 201, 202, 203]);
  });

  it('fetches a stub one entry at a time, once, with the asked dtype', async () => {
    const calls: string[] = [];
    const fetch = async (
      href: string,
      index: number,
      dtype?: string | null
    ): Promise<IEncodedArray> => {
      calls.push(`${href}?index=${index}&dtype=${dtype}`);
      return float32([2, 2], VALUES.slice(index * 4, index * 4 + 4)) as IEncodedArray;
    };
    const stub = {
      dtype: 'float32',
      shape: [3, 2, 2],
      bytes: 48,
      href: 'runs/r1/arrays/snapshots.attention'
    };
    const source = new SliceSource(stub, fetch, { dtype: 'float16' });
    expect(source.remote).toBe(true);
    const [a, b] = await Promise.all([source.get(1), source.get(1)]);
    expect(a).toBe(b);
    expect(a.get(1, 0)).toBe(102);
    expect(calls).toEqual(['runs/r1/arrays/snapshots.attention?index=1&dtype=float16']);
    await source.get(1);
    expect(source.fetches).toBe(1);
  });

  it('forgets the least recently used entry beyond its capacity', async () => {
    const fetch = async (_: string, index: number) =>
      float32([2, 2], VALUES.slice(index * 4, index * 4 + 4)) as IEncodedArray;
    const source = new SliceSource(
      { dtype: 'float32', shape: [3, 2, 2], bytes: 48, href: 'h' },
      fetch,
      { capacity: 2 }
    );
    await source.get(0);
    await source.get(1);
    await source.get(0); // 0 is now the most recent
    await source.get(2); // drops 1
    expect(source.cachedIndices()).toEqual([0, 2]);
    expect(source.fetches).toBe(3);
  });

  it('refuses an index out of range and a wrong shape from the server', async () => {
    const fetch = async () => float32([4], [1, 2, 3, 4]) as IEncodedArray;
    const source = new SliceSource(
      { dtype: 'float32', shape: [3, 2, 2], bytes: 48, href: 'h' },
      fetch
    );
    await expect(source.get(3)).rejects.toThrow(/out of range 0..2/);
    await expect(source.get(0)).rejects.toThrow(/expected \[2, 2\]/);
    // The failed entry is not cached: a second call fetches again.
    await expect(source.get(0)).rejects.toThrow();
    expect(source.fetches).toBe(2);
  });
});

describe('resolveStubs', () => {
  it('replaces every stub, at any depth, with the fetched array and leaves the rest alone', async () => {
    const { resolveStubs } = await import('../../labextension/src/api/arrays');
    const fetched: string[] = [];
    const whole = { dtype: 'uint8', shape: [2], data: 'AQI=' };
    const result = {
      name: 'conv',
      inline: { dtype: 'float32', shape: [1], data: 'AACAPw==' },
      snapshots: [
        {
          filters: {
            dtype: 'float32',
            shape: [9, 4],
            bytes: 144,
            href: 'runs/r/arrays/snapshots.0.filters'
          }
        }
      ]
    };
    const out = await resolveStubs(result, async href => {
      fetched.push(href);
      return whole;
    });
    expect(fetched).toEqual(['runs/r/arrays/snapshots.0.filters']);
    expect(out.snapshots[0].filters).toBe(whole);
    expect(out.inline).toEqual(result.inline);
    expect(out.name).toBe('conv');
    expect((result.snapshots[0].filters as any).href).toBeDefined(); // the input is not changed
  });
});
