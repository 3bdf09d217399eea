/**
 * dlviz-lab's JupyterLab plugins: the DL Viz side panel (with its command, palette entry and
 * launcher card) and the dock views of runs (tracked, so they come back on reload): the BertViz
 * attention view, the training monitor and the CNN explorer.
 */
import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  IThemeManager,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { DlvizApi } from './api';
import { dlvizIcon } from './icon';
import { RunMoment, viewFor } from './logic';
import { mimeExtension } from './mime';
import { DlvizPanel } from './panel';
import { AttentionView, createAttentionView, viewId } from './views/attentionView';
import { CnnView, cnnViewId, createCnnView } from './views/cnnView';
import { createMonitorView, IViewActions, monitorId, MonitorView } from './views/monitorView';

/** Command ids. */
export namespace CommandIDs {
  export const openPanel = 'dlviz-lab:open-panel';
  export const openView = 'dlviz-lab:open-view';
  export const openMonitor = 'dlviz-lab:open-monitor';
  export const openCnn = 'dlviz-lab:open-cnn';
  export const insertCode = 'dlviz-lab:insert-code';
}

const CATEGORY = 'DL Viz';

/** The dock views of finished runs, restored after a page reload. */
const viewsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'dlviz-lab:views',
  description: 'Dock views of dlviz-lab runs (BertViz attention, training monitor, CNN explorer), restored on reload.',
  autoStart: true,
  optional: [ILayoutRestorer, INotebookTracker, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    themes: IThemeManager | null
  ) => {
    const api = new DlvizApi(app.serviceManager.serverSettings);
    const tracker = new WidgetTracker<AttentionView>({ namespace: 'dlviz-lab-view' });
    const monitors = new WidgetTracker<MonitorView>({ namespace: 'dlviz-lab-monitor' });
    const explorers = new WidgetTracker<CnnView>({ namespace: 'dlviz-lab-cnn' });

    /** Dock a view beside the notebook the learner is working in, so both stay in sight. */
    const dock = (widget: Widget, activate: boolean, ref?: string) => {
      const notebook: NotebookPanel | null = notebooks?.currentWidget ?? null;
      if (ref && document.getElementById(ref)) {
        // A second view of the same run goes into the first one's area, as a tab.
        app.shell.add(widget, 'main', { mode: 'tab-after', ref });
      } else if (notebook && notebook.isAttached) {
        app.shell.add(widget, 'main', { mode: 'split-right', ref: notebook.id });
      } else {
        app.shell.add(widget, 'main', { mode: 'split-right' });
      }
      // A view restored on page load must not take the focus from what the user does first.
      if (activate) {
        app.shell.activateById(widget.id);
      }
    };

    const actions: IViewActions = {
      insertCode: code => void app.commands.execute(CommandIDs.insertCode, { code }),
      openExplorer: (runId, task) =>
        void app.commands.execute(task?.startsWith('transformer.') ? CommandIDs.openView : CommandIDs.openCnn, { runId })
    };

    app.commands.addCommand(CommandIDs.openView, {
      label: 'Open the view of a DL Viz run',
      icon: dlvizIcon,
      execute: args => {
        const runId = String(args.runId ?? '');
        if (!runId) {
          throw new Error(`${CommandIDs.openView} needs a runId`);
        }
        const open = tracker.find(widget => widget.id === viewId(runId));
        if (open) {
          app.shell.activateById(open.id);
          return open;
        }
        const widget = createAttentionView(api, runId);
        void tracker.add(widget);
        // A trained run's attention goes beside its training monitor, as a tab.
        dock(widget, args.activate !== false, monitorId(runId));
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.openMonitor, {
      label: 'Open the training monitor of a DL Viz run',
      icon: dlvizIcon,
      execute: args => {
        const runId = String(args.runId ?? '');
        if (!runId) {
          throw new Error(`${CommandIDs.openMonitor} needs a runId`);
        }
        const open = monitors.find(widget => widget.id === monitorId(runId));
        if (open) {
          app.shell.activateById(open.id);
          return open;
        }
        const widget = createMonitorView(api, runId, actions);
        void monitors.add(widget);
        dock(widget, args.activate !== false, cnnViewId(runId));
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.openCnn, {
      label: 'Open the CNN explorer of a DL Viz run',
      icon: dlvizIcon,
      execute: args => {
        const runId = String(args.runId ?? '');
        if (!runId) {
          throw new Error(`${CommandIDs.openCnn} needs a runId`);
        }
        const open = explorers.find(widget => widget.id === cnnViewId(runId));
        if (open) {
          app.shell.activateById(open.id);
          return open;
        }
        const widget = createCnnView(api, runId, actions);
        void explorers.add(widget);
        dock(widget, args.activate !== false, monitorId(runId));
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.insertCode, {
      label: 'Insert the code of a DL Viz run into the notebook',
      execute: args => {
        const code = String(args.code ?? '');
        const notebook = notebooks?.currentWidget ?? null;
        if (notebook && !notebook.isDisposed && notebook.content.model) {
          // A new code cell below the active one, holding the code; the learner runs it.
          NotebookActions.insertBelow(notebook.content);
          const cell = notebook.content.activeCell;
          if (cell) {
            cell.model.sharedModel.setSource(code);
          }
          app.shell.activateById(notebook.id);
          Notification.success(`Inserted the code of this run into ${notebook.title.label}.`, { autoClose: 4000 });
          return;
        }
        Clipboard.copyToSystem(code);
        Notification.info('No notebook is open: the code of this run is on the clipboard.', { autoClose: 5000 });
      }
    });

    // The attention views are iframes that cannot read the theme's CSS variables: redraw them.
    if (themes) {
      themes.themeChanged.connect(() => {
        tracker.forEach(widget => widget.content.redraw());
      });
    }

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openView,
        args: widget => ({ runId: widget.content.runId, activate: false }),
        name: widget => widget.content.runId
      });
      void restorer.restore(monitors, {
        command: CommandIDs.openMonitor,
        args: widget => ({ runId: widget.content.runId, activate: false }),
        name: widget => widget.content.runId
      });
      void restorer.restore(explorers, {
        command: CommandIDs.openCnn,
        args: widget => ({ runId: widget.content.runId, activate: false }),
        name: widget => widget.content.runId
      });
    }
  }
};

/** The DL Viz side panel. */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'dlviz-lab:panel',
  description: 'The DL Viz side panel: run a task in a kernel and see the model.',
  autoStart: true,
  optional: [ILabShell, INotebookTracker, ICommandPalette, ILauncher, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null
  ) => {
    const api = new DlvizApi(app.serviceManager.serverSettings);
    const panel = new DlvizPanel(api, (runId, task, moment) => {
      const command = viewCommand(task, moment);
      if (command) {
        void app.commands.execute(command, { runId });
      }
    });

    // Follow the notebook in focus and its kernel, for the kernel picker.
    if (notebooks) {
      const follow = () => {
        const current = notebooks.currentWidget;
        if (!current || current.isDisposed) {
          panel.notebook = null;
          return;
        }
        panel.notebook = {
          name: current.title.label || current.context.localPath,
          kernelId: current.sessionContext.session?.kernel?.id ?? null
        };
      };
      let watched: NotebookPanel | null = null;
      const watch = () => {
        if (watched) {
          watched.sessionContext.kernelChanged.disconnect(follow);
          watched.sessionContext.statusChanged.disconnect(follow);
          watched.title.changed.disconnect(follow);
        }
        watched = notebooks.currentWidget;
        if (watched) {
          watched.sessionContext.kernelChanged.connect(follow);
          watched.sessionContext.statusChanged.connect(follow);
          watched.title.changed.connect(follow);
        }
        follow();
      };
      notebooks.currentChanged.connect(watch);
      watch();
    }

    app.shell.add(panel, 'right', { rank: 700 });
    if (restorer) {
      restorer.add(panel, 'dlviz-lab-panel');
    }

    app.commands.addCommand(CommandIDs.openPanel, {
      label: args => (args.isLauncher ? 'DL Viz' : 'Open DL Viz panel'),
      caption: 'Run a deep-learning task in a kernel and see the model',
      icon: args => (args.isLauncher ? dlvizIcon : undefined),
      execute: () => {
        if (labShell) {
          labShell.expandRight();
        }
        app.shell.activateById(panel.id);
      }
    });
    if (palette) {
      palette.addItem({ command: CommandIDs.openPanel, category: CATEGORY });
    }
    if (launcher) {
      launcher.add({ command: CommandIDs.openPanel, category: 'Other', rank: 10, args: { isLauncher: true } });
    }
  }
};

/** The command that opens a view of a run (see `viewFor` in logic.ts). */
function viewCommand(task: string, moment: RunMoment): string | null {
  const view = viewFor(task, moment);
  return view === 'attention'
    ? CommandIDs.openView
    : view === 'monitor'
      ? CommandIDs.openMonitor
      : view === 'cnn'
        ? CommandIDs.openCnn
        : null;
}

/**
 * The notebook outputs of `dlviz_lab.show`: a MIME extension (IRenderMime.IExtension) whose
 * renderer factory goes into the application's rendermime registry at start, before any
 * notebook clones the registry, so saved outputs draw again when a notebook is reopened.
 */
const rendermimePlugin: JupyterFrontEndPlugin<void> = {
  id: 'dlviz-lab:rendermime',
  description: 'Draws the outputs of dlviz_lab.show (BertViz head, model and neuron views) offline.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry) => {
    const extension = mimeExtension(new DlvizApi(app.serviceManager.serverSettings));
    rendermime.addFactory(extension.rendererFactory, extension.rank);
  }
};

const plugins: JupyterFrontEndPlugin<any>[] = [viewsPlugin, panelPlugin, rendermimePlugin];
export default plugins;
