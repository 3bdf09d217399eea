/**
 * dlviz-lab's JupyterLab plugins: the DL Viz side panel (with its command, palette entry and
 * launcher card), the docked views of runs (one command and one layout restorer per view of the
 * registry, so they come back on reload) and the renderer of `dlviz_lab.show` outputs.
 */
import {
  ILabShell,
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  IThemeManager,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { DlvizApi } from './api/client';
import { setTranslator, trans } from './i18n';
import { DlvizPanel } from './panel/panelWidget';
import { presetFromQuery } from './panel/presets';
import { mimeExtension } from './views/notebookOutput';
import { classGlanceWidget } from './views/glance/classView';
import { entryOf, VIEWS, viewFor, viewOfRun } from './views/registry';
import { IViewActions, IViewContent, IViewDefinition } from './views/shared/actions';
import { dlvizIcon } from './views/shared/icon';
import { revealPart } from './views/shared/sections';

/** Command ids of the panel and of notebook code; each view's own command is in the registry. */
export namespace CommandIDs {
  export const openPanel = 'dlviz-lab:open-panel';
  export const insertCode = 'dlviz-lab:insert-code';
  export const openClass = 'dlviz-lab:open-class';
}

/** The settings of course presets (schema/presets.json): the admin's overrides.json fills it. */
const PRESETS_SETTINGS = 'dlviz-lab:presets';

type RunView = MainAreaWidget<IViewContent>;

/** The dock views of runs, restored after a page reload. */
const viewsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'dlviz-lab:views',
  description:
    'Dock views of dlviz-lab runs (Transformer views, training monitor, CNN and RNN explorers, RNN comparison, MLP playground), restored on reload.',
  autoStart: true,
  optional: [ILayoutRestorer, INotebookTracker, IThemeManager, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    themes: IThemeManager | null,
    translator: ITranslator | null
  ) => {
    setTranslator(translator);
    const api = new DlvizApi(app.serviceManager.serverSettings);

    /** Dock a view beside the notebook the learner is working in, so both stay in sight. */
    const dock = (widget: Widget, activate: boolean, ref?: string) => {
      const notebook: NotebookPanel | null = notebooks?.currentWidget ?? null;
      if (ref) {
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

    /** The DOM id of another open view of the same run (its monitor, its explorer), if any. */
    const sibling = (view: IViewDefinition, runId: string): string | undefined =>
      VIEWS.filter(other => other !== view)
        .map(other => other.id(runId))
        .find(id => !!document.getElementById(id));

    const actions: IViewActions = {
      insertCode: code => void app.commands.execute(CommandIDs.insertCode, { code }),
      openExplorer: (runId, task) => {
        const view = task ? viewFor(task, 'succeeded') : null;
        if (view) {
          void app.commands.execute(view.command, { runId });
        }
      },
      entryOf
    };

    const trackers: WidgetTracker<RunView>[] = [];
    for (const view of VIEWS) {
      const tracker = new WidgetTracker<RunView>({ namespace: view.namespace });
      trackers.push(tracker);
      app.commands.addCommand(view.command, {
        // A function: read when a menu shows it, so each view's label is in JupyterLab's language.
        label: () => view.label,
        icon: view.icon,
        execute: args => {
          const runId = String(args.runId ?? '');
          if (!runId) {
            throw new Error(`${view.command} needs a runId`);
          }
          let widget = tracker.find(one => one.id === view.id(runId));
          if (widget) {
            app.shell.activateById(widget.id);
          } else {
            widget = view.create(api, runId, actions);
            void tracker.add(widget);
            // `ref`: a view to open beside, as a tab (the class at a glance flips through runs)
            const ref =
              args.ref && document.getElementById(String(args.ref)) ? String(args.ref) : undefined;
            dock(widget, args.activate !== false, sibling(view, runId) ?? ref);
          }
          if (args.part) {
            // a preset's `view`: the part to open on
            const content = widget.content;
            const part = String(args.part);
            void (content.showPart ? content.showPart(part) : revealPart(content.node, part));
          }
          return widget;
        }
      });
      if (restorer) {
        void restorer.restore(tracker, {
          command: view.command,
          args: widget => ({ runId: widget.content.runId, activate: false }),
          name: widget => widget.content.runId
        });
      }
    }

    // The class at a glance: the runs grouped by preset; the views it opens share one tab area.
    let glance: MainAreaWidget | null = null;
    let shown: string | undefined;
    const glances = new WidgetTracker<MainAreaWidget>({ namespace: 'dlviz-lab-class' });
    app.commands.addCommand(CommandIDs.openClass, {
      label: trans.__('Open the class at a glance'),
      caption: trans.__('The runs of this server grouped by preset, to flip through their views'),
      execute: args => {
        if (!glance || glance.isDisposed) {
          glance = classGlanceWidget(api, {
            canShow: run => viewOfRun(run) !== null,
            open: async run => {
              const view = viewOfRun(run);
              if (view) {
                const opened = await app.commands.execute(view.command, {
                  runId: run.id,
                  ref: shown
                });
                shown = (opened as Widget | undefined)?.id ?? shown;
              }
            }
          });
          void glances.add(glance);
          app.shell.add(glance, 'main', { mode: 'split-left' });
        }
        if (args.activate !== false) {
          app.shell.activateById(glance.id);
        }
        return glance;
      }
    });
    if (restorer) {
      // open again after a page reload, where it was
      void restorer.restore(glances, {
        command: CommandIDs.openClass,
        args: () => ({ activate: false }),
        name: () => 'class'
      });
    }

    app.commands.addCommand(CommandIDs.insertCode, {
      label: trans.__('Insert the code of a DL Viz run into the notebook'),
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
          Notification.success(
            trans.__('Inserted the code of this run into %1.', notebook.title.label),
            {
              autoClose: 4000
            }
          );
          return;
        }
        Clipboard.copyToSystem(code);
        Notification.info(
          trans.__('No notebook is open: the code of this run is on the clipboard.'),
          { autoClose: 5000 }
        );
      }
    });

    // Views drawn in iframes cannot read the theme's CSS variables: they redraw themselves.
    if (themes) {
      themes.themeChanged.connect(() => {
        for (const tracker of trackers) {
          tracker.forEach(widget => widget.content.redraw?.());
        }
      });
    }
  }
};

/** The DL Viz side panel. */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'dlviz-lab:panel',
  description: 'The DL Viz side panel: run a task in a kernel and see the model.',
  autoStart: true,
  optional: [
    ILabShell,
    INotebookTracker,
    ICommandPalette,
    ILauncher,
    ILayoutRestorer,
    ITranslator,
    ISettingRegistry,
    IRouter
  ],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    settings: ISettingRegistry | null,
    router: IRouter | null
  ) => {
    // First: the panel below asks the server for the task catalog in this language.
    setTranslator(translator);
    const api = new DlvizApi(app.serviceManager.serverSettings);
    const panel = new DlvizPanel(api, (runId, task, moment, part) => {
      const view = viewFor(task, moment);
      if (view) {
        // `part`: the part of the view a preset names (views that know it open on it).
        void app.commands.execute(view.command, part ? { runId, part } : { runId });
      }
    });

    // Course presets from the settings: the admin's overrides.json reaches every user this way.
    if (settings) {
      settings
        .load(PRESETS_SETTINGS)
        .then(loaded => {
          const read = () => {
            panel.settingsPresets = loaded.composite.presets ?? [];
          };
          loaded.changed.connect(read);
          read();
        })
        .catch(reason => console.warn('dlviz-lab: cannot read the preset settings', reason));
    }

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
          kernelId: current.sessionContext.session?.kernel?.id ?? null,
          // Presets that travel with the lesson: metadata.dlviz.presets, read once it has loaded.
          presets: current.context.isReady
            ? current.model?.getMetadata('dlviz')?.presets
            : undefined
        };
      };
      let watched: NotebookPanel | null = null;
      const watch = () => {
        if (watched) {
          watched.sessionContext.kernelChanged.disconnect(follow);
          watched.sessionContext.statusChanged.disconnect(follow);
          watched.title.changed.disconnect(follow);
          watched.model?.metadataChanged.disconnect(follow);
        }
        const now = (watched = notebooks.currentWidget);
        if (now) {
          now.sessionContext.kernelChanged.connect(follow);
          now.sessionContext.statusChanged.connect(follow);
          now.title.changed.connect(follow);
          void now.context.ready.then(() => {
            if (watched === now && !now.isDisposed) {
              now.model?.metadataChanged.connect(follow);
              follow();
            }
          });
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
      label: args => (args.isLauncher ? trans.__('DL Viz') : trans.__('Open DL Viz panel')),
      caption: trans.__('Run a deep-learning task in a kernel and see the model'),
      icon: args => (args.isLauncher ? dlvizIcon : undefined),
      execute: () => {
        if (labShell) {
          labShell.expandRight();
        }
        app.shell.activateById(panel.id);
      }
    });
    if (palette) {
      palette.addItem({ command: CommandIDs.openPanel, category: trans.__('DL Viz') });
      palette.addItem({ command: CommandIDs.openClass, category: trans.__('DL Viz') });
    }
    if (launcher) {
      // No category: the card goes into the launcher's "Other" section, named in JupyterLab's language.
      launcher.add({ command: CommandIDs.openPanel, rank: 10, args: { isLauncher: true } });
    }

    // A preset link (lab/tree/lesson.ipynb?dlviz-preset=<name>, /lab?dlviz-preset=<name>) opens
    // the panel on that preset, once the layout is restored; a notebook's preset comes when it
    // has loaded, and the panel waits for it. Read now: the router may rewrite the address later.
    let asked = presetFromQuery(window.location.search) ?? presetFromQuery(router?.current.search);
    const openOnPreset = (name: string) => {
      void app.restored.then(() => {
        panel.choosePreset(name);
        void app.commands.execute(CommandIDs.openPanel);
      });
    };
    if (asked) {
      openOnPreset(asked);
    }
    router?.routed.connect((_, location) => {
      const name = presetFromQuery(location.search);
      if (name && name !== asked) {
        asked = name;
        openOnPreset(name);
      }
    });
  }
};

/**
 * The notebook outputs of `dlviz_lab.show`: a MIME extension (IRenderMime.IExtension) whose
 * renderer factory goes into the application's rendermime registry at start, before any
 * notebook clones the registry, so saved outputs draw again when a notebook is reopened.
 */
const rendermimePlugin: JupyterFrontEndPlugin<void> = {
  id: 'dlviz-lab:rendermime',
  description:
    'Draws the outputs of dlviz_lab.show (BertViz head, model and neuron views) offline.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    translator: ITranslator | null
  ) => {
    setTranslator(translator);
    const extension = mimeExtension(new DlvizApi(app.serviceManager.serverSettings));
    rendermime.addFactory(extension.rendererFactory, extension.rank);
  }
};

const plugins: JupyterFrontEndPlugin<void>[] = [viewsPlugin, panelPlugin, rendermimePlugin];
export default plugins;
