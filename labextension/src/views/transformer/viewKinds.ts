/**
 * The pictures of attention a learner can pick (BertViz's head, model and neuron views, and a
 * trained run's token map), their names, and the scripts a BertViz view inlines. Shared by the
 * docked Transformer view and the notebook outputs of `dlviz_lab.show`.
 */
import { DlvizApi } from '../../api/client';
import { trans } from '../../i18n';
import { AttentionViewKind, IViewScripts, viewScriptAsset } from './bertvizViews';

/** What the Transformer view's selector can show: the three BertViz views and the token map. */
export type ShownKind = AttentionViewKind | 'projection';

/** The name of each picture, in the selector and in a downloaded page's title (read when shown). */
export const KIND_LABELS: { readonly [kind in ShownKind]: string } = {
  get head(): string {
    return trans.__('Head view');
  },
  get model(): string {
    return trans.__('Model view');
  },
  get neuron(): string {
    return trans.__('Neuron view');
  },
  get projection(): string {
    return trans.__('Token map (projection)');
  }
};

/** The picture a preset's `view` names, or null when it names none. */
export function shownKindOf(part: string): ShownKind | null {
  return Object.prototype.hasOwnProperty.call(KIND_LABELS, part) ? (part as ShownKind) : null;
}

/** The picture to draw first: the one asked for where this run has it, else the head view. */
export function firstKind(asked: ShownKind, kinds: readonly ShownKind[]): ShownKind {
  return kinds.includes(asked) ? asked : 'head';
}

/** Loads d3, jQuery, require.js and a BertViz view script from the server's assets. */
export async function loadViewScripts(
  api: DlvizApi,
  kind: AttentionViewKind
): Promise<IViewScripts> {
  const [d3, jquery, requirejs, view] = await Promise.all([
    api.asset('d3.min.js'),
    api.asset('jquery.min.js'),
    api.asset('require.js'),
    api.asset(viewScriptAsset(kind))
  ]);
  return { d3, jquery, requirejs, view };
}

/** The name of each picture inside a sentence ("Cannot draw the neuron view: …"). */
export function viewNameInText(kind: ShownKind): string {
  switch (kind) {
    case 'head':
      return trans.__('head view');
    case 'model':
      return trans.__('model view');
    case 'neuron':
      return trans.__('neuron view');
    case 'projection':
      return trans.__('token map');
  }
}
