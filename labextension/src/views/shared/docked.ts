/** What every docked view of a run shares: its widget, id, icon and a title set once it loads. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { dlvizIcon } from './icon';

/** A view's content: it loads its run and answers the tab's title. */
export interface IRunContent extends Widget {
  load(): Promise<string>;
}

/** The DOM id of a run's view of one kind (`dlviz-<kind>-<runId>`, safe in CSS selectors). */
export function runViewId(kind: string, runId: string): string {
  return `dlviz-${kind}-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Wrap `content` as a closable main-area view; it starts loading at once. */
export function dockRunView<T extends IRunContent>(
  content: T,
  options: { id: string; className: string; label: string; caption: string }
): MainAreaWidget<T> {
  const widget = new MainAreaWidget({ content });
  widget.id = options.id;
  widget.addClass('dlviz-view');
  widget.addClass(options.className);
  widget.title.label = options.label;
  widget.title.icon = dlvizIcon;
  widget.title.closable = true;
  widget.title.caption = options.caption;
  void content.load().then(title => {
    widget.title.label = title;
  });
  return widget;
}
