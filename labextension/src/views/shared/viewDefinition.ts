/** One docked run view's definition from its few particulars (kind, names, words, content). */
import { DlvizApi } from '../../api/client';
import { IViewActions, IViewContent, IViewDefinition } from './actions';
import { dockRunView, runViewId } from './docked';
import { dlvizIcon } from './icon';

export interface IRunViewSpec {
  /** The short name; the DOM id of a run's view is `runViewId(kind, runId)`. */
  kind: string;
  /** The command and restorer namespace: kept stable so saved layouts still restore. */
  command: string;
  namespace: string;
  className: string;
  /** Words, as functions returning `trans.__` calls (the translator is set after loading). */
  title: () => string;
  label: () => string;
  caption: (runId: string) => string;
  /** The tab's label until the view has loaded its run (default: the title). */
  tabLabel?: () => string;
  content: (api: DlvizApi, runId: string, actions: IViewActions) => IViewContent;
}

export function runViewDefinition(spec: IRunViewSpec): IViewDefinition {
  const id = (runId: string) => runViewId(spec.kind, runId);
  return {
    kind: spec.kind,
    get title(): string {
      return spec.title();
    },
    command: spec.command,
    get label(): string {
      return spec.label();
    },
    namespace: spec.namespace,
    icon: dlvizIcon,
    id,
    create: (api, runId, actions) =>
      dockRunView(spec.content(api, runId, actions), {
        id: id(runId),
        className: spec.className,
        label: (spec.tabLabel ?? spec.title)(),
        caption: spec.caption(runId)
      })
  };
}
