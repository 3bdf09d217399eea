/**
 * The pictures of attention a learner can pick (BertViz's head, model and neuron views, and a
 * trained run's token map), their names, and the scripts a BertViz view inlines. Shared by the
 * docked Transformer view and the notebook outputs of `dlviz_lab.show`.
 */
import { DlvizApi } from '../../api/client';
import { AttentionViewKind, IViewScripts, viewScriptAsset } from './bertvizViews';

/** What the Transformer view's selector can show: the three BertViz views and the token map. */
export type ShownKind = AttentionViewKind | 'projection';

/** The name of each picture, in the selector and in a downloaded page's title. */
export const KIND_LABELS: { [kind in ShownKind]: string } = {
  head: 'Head view',
  model: 'Model view',
  neuron: 'Neuron view',
  projection: 'Token map (projection)'
};

/** Loads d3, jQuery, require.js and a BertViz view script from the server's assets. */
export async function loadViewScripts(api: DlvizApi, kind: AttentionViewKind): Promise<IViewScripts> {
  const [d3, jquery, requirejs, view] = await Promise.all([
    api.asset('d3.min.js'),
    api.asset('jquery.min.js'),
    api.asset('require.js'),
    api.asset(viewScriptAsset(kind))
  ]);
  return { d3, jquery, requirejs, view };
}
