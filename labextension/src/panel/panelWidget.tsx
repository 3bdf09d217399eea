/**
 * The side panel as a JupyterLab widget: it holds what the plugin tells it (the notebook in
 * focus with its presets, the presets of the settings, a preset a link asked for) and draws the
 * React panel with it.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { DlvizApi } from '../api/client';
import { dlvizIcon } from '../views/shared/icon';
import { INotebookInfo } from './formLogic';
import { DlvizPanelComponent, IPanelProps } from './panel';
import { IPresetRequest } from './presetState';

/** The side panel widget; `notebook` is updated from the notebook tracker. */
export class DlvizPanel extends ReactWidget {
  private _api: DlvizApi;
  private _notebook: INotebookInfo | null = null;
  private _settingsPresets: unknown = [];
  private _request: IPresetRequest | null = null;
  private _openView: IPanelProps['openView'];

  constructor(api: DlvizApi, openView: IPanelProps['openView']) {
    super();
    this._api = api;
    this._openView = openView;
    this.id = 'dlviz-lab-panel';
    this.addClass('dlviz-panel');
    this.title.icon = dlvizIcon;
    this.title.caption = 'DL Viz';
  }

  get notebook(): INotebookInfo | null {
    return this._notebook;
  }

  set notebook(value: INotebookInfo | null) {
    const old = this._notebook;
    if (
      old?.name === value?.name &&
      old?.kernelId === value?.kernelId &&
      JSON.stringify(old?.presets ?? null) === JSON.stringify(value?.presets ?? null)
    ) {
      return;
    }
    this._notebook = value;
    this.update();
  }

  /** The `presets` of the `dlviz-lab:presets` settings (the admin's overrides.json included). */
  set settingsPresets(value: unknown) {
    if (JSON.stringify(value) === JSON.stringify(this._settingsPresets)) {
      return;
    }
    this._settingsPresets = value;
    this.update();
  }

  /** Open the panel on a preset (a `?dlviz-preset=<name>` link); it waits until it is known. */
  choosePreset(name: string): void {
    this._request = { name, serial: (this._request?.serial ?? 0) + 1 };
    this.update();
  }

  render(): JSX.Element {
    return (
      <DlvizPanelComponent
        api={this._api}
        notebook={this._notebook}
        openView={this._openView}
        settingsPresets={this._settingsPresets}
        presetRequest={this._request}
      />
    );
  }
}
