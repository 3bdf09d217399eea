/**
 * The docked Transformer view of a run: a shell whose part is chosen by the run's task (the
 * registry's `part`): the BertViz attention views (attentionPart.ts), one head step by step
 * (stepsPart.ts), the token map (projectionPart.ts), or, for an attention run with a long
 * input, the attention one layer at a time (longPart.ts).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { isArrayStub } from '../../api/arrays';
import { ApiError, DlvizApi, IRun } from '../../api/client';
import { RUN_GONE_MESSAGE } from '../../api/keptRuns';
import { trans } from '../../i18n';
import { IViewActions, IViewDefinition, partOfEntry } from '../shared/actions';
import { dockRunView } from '../shared/docked';
import { dlvizIcon } from '../shared/icon';
import { RunNotices } from '../shared/notices';
import { AttentionViewKind } from './bertvizViews';
import { BertvizPart, isArrayValue } from './attentionPart';
import { exportButtons, IShown } from './exportPart';
import { loadLong } from './longPart';
import { IPartHost } from './parts';
import { loadProjection } from './projectionPart';
import { loadSteps } from './stepsPart';
import { LONG_INPUT_TOKENS } from './transformerLogic';
import { ShownKind, shownKindOf } from './viewKinds';

/** The body of the view: header, notices and the picture. */
export class AttentionContent extends Widget implements IPartHost {
  readonly runId: string;
  readonly api: DlvizApi;
  readonly header: HTMLElement;
  readonly frameHost: HTMLElement;
  /** What a byte budget left out, and whether the trained model's kernel is gone. */
  readonly notices = new RunNotices();
  private _actions: IViewActions;
  private _bertviz: BertvizPart | null = null;
  private _title = trans.__('Attention');
  /** The picture a preset's `view` asked for (head, model, neuron, projection). */
  private _wanted: ShownKind | null = null;

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this.api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.header = document.createElement('div');
    this.header.className = 'dlviz-view-header';
    this.header.textContent = trans.__('Loading the attention of this run…');
    this.frameHost = document.createElement('div');
    this.frameHost.className = 'dlviz-view-frame-host';
    this.node.appendChild(this.header);
    this.node.appendChild(this.notices.node);
    this.node.appendChild(this.frameHost);
  }

  /** Fetch the run and draw the part its task says. Resolves with the tab title to use. */
  async load(kind: AttentionViewKind = 'head'): Promise<string> {
    let run: IRun;
    try {
      run = await this.api.getRun(this.runId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.showMessage(RUN_GONE_MESSAGE);
        return trans.__('Attention (run gone)');
      }
      this.showMessage(trans.__('Cannot load this run: %1', (error as Error).message));
      return trans.__('Attention');
    }
    if (run.status !== 'succeeded' || !run.result) {
      this.showMessage(
        run.status === 'failed'
          ? trans.__('This run failed: %1', run.error ?? trans.__('no reason given'))
          : trans.__('This run has no result (it is %1).', run.status)
      );
      return trans.__('Attention');
    }
    this._title = await this._loadPart(run, kind);
    return this._title;
  }

  private async _loadPart(run: IRun, kind: AttentionViewKind): Promise<string> {
    // which attention result this is (a trained run's snapshots, one long input, ...): the
    // parts read it through their task's typed result
    const result = (run.result ?? {}) as {
      snapshots?: { attention?: unknown };
      attention?: unknown;
      tokens?: unknown;
    };
    const part = partOfEntry(this._actions.entryOf(run.task), run.params);
    if (part === 'steps') {
      return loadSteps(this, run);
    }
    if (part === 'projection') {
      return loadProjection(this, run);
    }
    const trained = !!result.snapshots && isArrayValue(result.snapshots.attention);
    if (
      part !== 'attention' ||
      !(trained || isArrayValue(result.attention)) ||
      !Array.isArray(result.tokens)
    ) {
      this.showMessage(trans.__('This run has no attention to show.'));
      return trans.__('Attention');
    }
    const attention = result.attention;
    if (
      !trained &&
      isArrayStub(attention) &&
      attention.shape.length === 4 &&
      attention.shape[2] > LONG_INPUT_TOKENS
    ) {
      return loadLong(this, run);
    }
    this._bertviz = new BertvizPart(this, run);
    const title = await this._bertviz.load(this._wanted ?? kind);
    if (this._wanted && this._wanted !== this._bertviz.kind) {
      await this.showPart(this._wanted); // asked for while the run loaded
    } else if (this._wanted) {
      this.node.setAttribute('data-shown-part', this._wanted);
    }
    return title;
  }

  /**
   * Open on one picture (a preset's `view`): `head`, `model`, `neuron`, or a trained run's
   * `projection`. Other names are not pictures of this view: ignored. Other parts of the view
   * (steps, projection of a pretrained model, long input) come from the run's task.
   */
  async showPart(part: string): Promise<void> {
    const kind = shownKindOf(part);
    if (!kind) {
      return;
    }
    this._wanted = kind;
    if (this._bertviz && this._bertviz.kinds.includes(kind)) {
      await this._bertviz.showKind(kind);
      this.node.setAttribute('data-shown-part', kind);
    }
  }

  /** Draw (again) the picture with the current theme's colors, e.g. after a theme change. */
  redraw(): void {
    this._bertviz?.redraw();
  }

  exportButtons(): HTMLElement {
    return exportButtons(() => this._shown());
  }

  /** What the export buttons save. */
  private _shown(): IShown {
    const bertviz = this._bertviz;
    return {
      header: this.header,
      frameHost: this.frameHost,
      title: bertviz ? bertviz.title : this._title,
      doc: bertviz ? bertviz.doc : '',
      kind: bertviz ? bertviz.kind : ''
    };
  }

  showFrameMessage(text: string): void {
    const message = document.createElement('div');
    message.className = 'dlviz-view-message';
    message.textContent = text;
    this.frameHost.replaceChildren(message);
  }

  showMessage(text: string): void {
    const message = document.createElement('div');
    message.className = 'dlviz-view-message';
    message.textContent = text;
    this.header.replaceChildren(message);
    this.frameHost.replaceChildren();
  }
}

export type AttentionView = MainAreaWidget<AttentionContent>;

/** The DOM id of a run's view (one view per run). */
export function viewId(runId: string): string {
  return `dlviz-view-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The Transformer view: opened once a Transformer run succeeded. */
export const transformerView: IViewDefinition = {
  kind: 'attention',
  get title(): string {
    return trans.__('attention view');
  },
  command: 'dlviz-lab:open-view',
  get label(): string {
    return trans.__('Open the view of a DL Viz run');
  },
  namespace: 'dlviz-lab-view',
  icon: dlvizIcon,
  id: viewId,
  create: (api, runId, actions) => {
    const widget = dockRunView(new AttentionContent(api, runId, actions), {
      id: viewId(runId),
      className: 'dlviz-attention-view',
      label: trans.__('Attention'),
      caption: trans.__('Attention of run %1', runId)
    });
    return widget;
  }
};
