/**
 * The Transformer view of an attention run with a long input: the attention stays on the
 * server and comes one layer at a time (a matrix per head and the strongest links only).
 */
import { IRun } from '../../api/client';
import { SliceSource } from '../../api/slices';
import { firstWords } from '../shared/format';
import { renderLongAttention } from './longView';
import { IPartHost, partBody, partHeader } from './parts';

/** Draw the long attention of `run`; resolves with the tab title. */
export async function loadLong(host: IPartHost, run: IRun): Promise<string> {
  const result = run.result!;
  const [layers, heads, n] = result.attention.shape as number[];
  partHeader(
    host,
    `Model: ${String(result.model ?? run.params?.model ?? '')} · ${n} tokens · ${layers} layers × ${heads} heads` +
      (result.truncated ? ' · text cut to fit' : ''),
    `A long input: with ${n} tokens every head has ${n * n} weights, too many lines to draw. ` +
      'Left: the whole attention matrix of one head (row = the token that looks, column = the token it looks at; ' +
      'bright = much attention). Right: only the links above the threshold you set.'
  );
  const body = partBody(host, 'dlviz-steps-host');
  const source = new SliceSource(result.attention, (href, index, dtype) => host.api.array(href, index, dtype), {
    dtype: 'float16',
    capacity: 3
  });
  try {
    await renderLongAttention(body, { tokens: result.tokens, layers: source, numHeads: heads });
  } catch (error) {
    host.showFrameMessage(`Cannot fetch the attention: ${(error as Error).message}`);
  }
  return `Attention (long input): ${firstWords(String(run.params?.text ?? ''))}`;
}
