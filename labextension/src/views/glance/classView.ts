/**
 * The class at a glance: an instructor's view of the runs of this server, grouped by the preset
 * each came from, with Previous / Next to flip through their views while projecting. It reads
 * the run list again every few seconds while it shows, so the runs of a lesson appear as they
 * start.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { DlvizApi, IRun } from '../../api/client';
import { shortId } from '../../api/keptRuns';
import { statusWord } from '../../api/runStatus';
import { languageCode, trans } from '../../i18n';
import { el } from '../shared/draw';
import { dlvizIcon } from '../shared/icon';
import { createdAt, flipOrder, flipTo, groupRuns, IRunGroup } from './glanceLogic';

/** How often the list is read again while the view shows. */
const REFRESH_MS = 5000;

/** What the view needs from the lab: whether a run has a view, and opening it. */
export interface IGlanceActions {
  canShow(run: IRun): boolean;
  open(run: IRun): Promise<void> | void;
}

export class ClassGlance extends Widget {
  private _list = el('div', 'dlviz-glance-groups');
  private _count = el('span', 'dlviz-glance-count');
  private _message = el('p', 'dlviz-view-message');
  private _runs: IRun[] = [];
  private _groups: IRunGroup[] = [];
  private _current: string | null = null;
  private _titles = new Map<string, string>();
  private _tasks = new Map<string, string>();
  private _timer = 0;

  constructor(
    private _api: DlvizApi,
    private _actions: IGlanceActions
  ) {
    super();
    this.addClass('dlviz-glance');
    this.node.dataset.testid = 'dlviz-glance';
    const button = (label: string, testid: string, onClick: () => void) => {
      const node = el('button', 'jp-Button jp-mod-styled dlviz-glance-button', label);
      node.dataset.testid = testid;
      node.onclick = onClick;
      return node;
    };
    this._message.hidden = true;
    this.node.appendChild(
      el(
        'div',
        'dlviz-view-scroll',
        undefined,
        el('h2', 'dlviz-glance-title', trans.__('Class at a glance')),
        el(
          'p',
          'dlviz-glance-explanation',
          trans.__(
            'The runs of this server, grouped by the preset they came from. Open one, or flip through their views with Previous and Next.'
          )
        ),
        el(
          'div',
          'dlviz-glance-toolbar',
          undefined,
          button(trans.__('Previous'), 'dlviz-glance-previous', () => this.flip(-1)),
          button(trans.__('Next'), 'dlviz-glance-next', () => this.flip(1)),
          button(trans.__('Refresh'), 'dlviz-glance-refresh', () => void this.refresh()),
          this._count
        ),
        this._message,
        this._list
      )
    );
  }

  /** Read the presets' titles and the tasks' names once, then the runs. */
  async load(): Promise<void> {
    const [presets, catalog] = await Promise.all([
      this._api.presets().catch(() => ({ presets: [] as unknown[] })),
      this._api.catalog(languageCode()).catch(() => ({ tasks: [] }))
    ]);
    for (const preset of presets.presets as { name?: string; title?: string }[]) {
      if (preset?.name && preset.title) {
        this._titles.set(preset.name, preset.title);
      }
    }
    for (const task of catalog.tasks) {
      this._tasks.set(task.id, task.title);
    }
    await this.refresh();
    this._timer = window.setInterval(() => {
      if (this.isVisible) {
        void this.refresh();
      }
    }, REFRESH_MS);
  }

  dispose(): void {
    window.clearInterval(this._timer);
    super.dispose();
  }

  /** Read the run list again and draw it. */
  async refresh(): Promise<void> {
    try {
      this._runs = await this._api.listRuns();
      this._message.hidden = true;
    } catch (error) {
      this._message.textContent = trans.__('Cannot read the runs: %1', (error as Error).message);
      this._message.hidden = false;
      return;
    }
    this._groups = groupRuns(this._runs);
    this._draw();
  }

  /** Open the view of the run after (1) or before (-1) the one opened last. */
  flip(step: 1 | -1): void {
    const run = flipTo(flipOrder(this._groups), this._current, step, this._actions.canShow);
    if (run) {
      this._openRun(run);
    }
  }

  private _openRun(run: IRun): void {
    this._current = run.id;
    this.node.dataset.current = run.id;
    void this._actions.open(run);
    this._draw();
  }

  private _draw(): void {
    this._count.textContent = trans.__('Runs: %1', this._runs.length);
    this._list.replaceChildren();
    if (!this._groups.length) {
      this._list.appendChild(
        el(
          'p',
          'dlviz-glance-empty',
          trans.__('No runs yet: they appear here as soon as they start from the DL Viz panel.')
        )
      );
      return;
    }
    for (const group of this._groups) {
      this._list.appendChild(this._drawGroup(group));
    }
  }

  private _drawGroup(group: IRunGroup): HTMLElement {
    const name = group.preset;
    const heading = name
      ? this._titles.has(name)
        ? trans.__('%1 (preset %2)', this._titles.get(name)!, name)
        : trans.__('Preset %1', name)
      : trans.__('Without a preset');
    const body = el('tbody');
    for (const run of group.runs) {
      const open = el('button', 'jp-Button jp-mod-styled dlviz-glance-open', trans.__('Open'));
      open.disabled = !this._actions.canShow(run);
      open.onclick = () => this._openRun(run);
      const row = el(
        'tr',
        run.id === this._current ? 'dlviz-glance-run dlviz-mod-current' : 'dlviz-glance-run',
        undefined,
        el('td', '', timeOf(run)),
        el('td', '', this._tasks.get(run.task) ?? run.task),
        el('td', 'dlviz-glance-status', statusWord(run.status)),
        el('td', 'dlviz-glance-id', shortId(run.id)),
        el('td', '', undefined, open)
      );
      row.dataset.run = run.id;
      row.dataset.status = run.status;
      body.appendChild(row);
    }
    const section = el(
      'section',
      'dlviz-glance-group',
      undefined,
      el(
        'h3',
        '',
        heading,
        el('span', 'dlviz-glance-count', trans.__('Runs: %1', group.runs.length))
      ),
      el('table', 'dlviz-glance-table', undefined, body)
    );
    section.dataset.preset = name ?? '';
    return section;
  }
}

/** When a run started, as the learner's clock shows it. */
function timeOf(run: IRun): string {
  const at = createdAt(run);
  return at ? new Date(at).toLocaleTimeString() : '';
}

/** The docked class at a glance (one per lab). */
export function classGlanceWidget(api: DlvizApi, actions: IGlanceActions): MainAreaWidget {
  const content = new ClassGlance(api, actions);
  const widget = new MainAreaWidget({ content });
  widget.id = 'dlviz-class-glance';
  widget.title.label = trans.__('Class at a glance');
  widget.title.icon = dlvizIcon;
  widget.title.closable = true;
  void content.load();
  return widget;
}
