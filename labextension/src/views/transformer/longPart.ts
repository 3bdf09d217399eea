/**
 * The Transformer view of an attention run with a long input: the attention stays on the
 * server and comes one layer at a time (a matrix per head and the strongest links only).
 */
import { IRun } from '../../api/client';
import { resultOf, TransformerAttentionFields } from '../../api/results';
import { SliceSource } from '../../api/slices';
import { trans } from '../../i18n';
import { firstWords } from '../shared/format';
import { renderLongAttention } from './longView';
import { IPartHost, partBody, partHeader } from './parts';

/** Draw the long attention of `run`; resolves with the tab title. */
export async function loadLong(host: IPartHost, run: IRun): Promise<string> {
  // An attention run (or an inspect run's attention view): the shell sends only those here.
  const result = resultOf(
    run,
    run.task as 'transformer.attention' | 'transformer.inspect'
  ) as TransformerAttentionFields;
  const [layers, heads, n] = result.attention.shape;
  const model = String(result.model ?? run.params?.model ?? '');
  partHeader(
    host,
    result.truncated
      ? trans.__(
          'Model: %1 · %2 tokens · %3 layers × %4 heads · text cut to fit',
          model,
          n,
          layers,
          heads
        )
      : trans.__('Model: %1 · %2 tokens · %3 layers × %4 heads', model, n, layers, heads),
    trans.__(
      'A long input: with %1 tokens every head has %2 weights, too many lines to draw. Left: the whole attention matrix of one head (row = the token that looks, column = the token it looks at; bright = much attention). Right: only the links above the threshold you set.',
      n,
      n * n
    )
  );
  const body = partBody(host, 'dlviz-steps-host');
  const source = new SliceSource(
    result.attention,
    (href, index, dtype) => host.api.array(href, index, dtype),
    {
      dtype: 'float16',
      capacity: 3
    }
  );
  try {
    await renderLongAttention(body, { tokens: result.tokens, layers: source, numHeads: heads });
  } catch (error) {
    host.showFrameMessage(trans.__('Cannot fetch the attention: %1', (error as Error).message));
  }
  return trans.__('Attention (long input): %1', firstWords(String(run.params?.text ?? '')));
}
