/**
 * What a view may ask of the application, and what the registry says about a task: the types
 * that views, the registry and index.ts share, so a view never imports the registry.
 */
import type { MainAreaWidget } from '@jupyterlab/apputils';
import type { LabIcon } from '@jupyterlab/ui-components';

import type { DlvizApi } from '../../api/client';
import type { IRunContent } from './docked';

/** What the views ask of the application: notebook cells, other views, the registry. */
export interface IViewActions {
  /** Add a cell with `code` below the active cell of the current notebook (or copy it). */
  insertCode(code: string): void;
  /** Open the view a run of `task` opens once it succeeded (the training run's explorer). */
  openExplorer(runId: string, task?: string): void;
  /** The registry's entry of a task (undefined for a task no view knows). */
  entryOf(task: string): ITaskEntry | undefined;
}

/** A docked view's body: it loads its run; the Transformer view also redraws on a theme change. */
export interface IViewContent extends IRunContent {
  readonly runId: string;
  redraw?(): void;
  /**
   * Open on one part (a preset's `view`): views without this open the section of that name
   * (`revealPart`).
   */
  showPart?(part: string): void;
}

/** One kind of docked view: how to make it, find it again, and restore it after a reload. */
export interface IViewDefinition {
  /** A short name (`attention`, `monitor`, `cnn`). */
  kind: string;
  /**
   * What a learner calls it ("CNN explorer"): the training monitor's button opens it by this name.
   * Write it (and `label`) as a getter that returns a `trans.__` call: the definition is made when
   * the module loads, before JupyterLab's translator is set.
   */
  readonly title: string;
  /** The command that opens it for `{runId}`; kept stable so saved layouts still restore. */
  command: string;
  /** The command's label in menus and the palette (a getter, like `title`). */
  readonly label: string;
  /** The layout restorer's namespace for it; kept stable for the same reason. */
  namespace: string;
  icon: LabIcon;
  /** The DOM id of a run's view of this kind (one per run). */
  id(runId: string): string;
  /** A new view of a run; it starts loading at once. */
  create(api: DlvizApi, runId: string, actions: IViewActions): MainAreaWidget<IViewContent>;
}

/** Which part of the Transformer view a result fills. */
export type TransformerPart = 'attention' | 'steps' | 'projection';

/** The registry's entry of one task. */
export interface ITaskEntry {
  task: string;
  /** Opened as soon as the run is created (the live training monitor), if any. */
  started?: IViewDefinition;
  /** Opened once the run succeeded, if any; a training run's "explorer". */
  succeeded?: IViewDefinition;
  /** The part of the Transformer view its result fills (may depend on the run's params). */
  part?: TransformerPart | ((params: { [key: string]: unknown }) => TransformerPart);
  /** A training task: whether it reports accuracy (the monitor draws a second chart then). */
  accuracy?: boolean;
}

/** The part of the Transformer view a run fills, from its task's entry and its params. */
export function partOfEntry(
  entry: ITaskEntry | undefined,
  params: { [key: string]: unknown } | null | undefined
): TransformerPart | null {
  const part = entry?.part;
  return typeof part === 'function' ? part(params ?? {}) : (part ?? null);
}
