/**
 * The panel's course presets: the picker (shown when any preset exists), the chosen preset's
 * title and instruction above the form with a note when the server enforces it, and the
 * "Copy preset" button that puts the current form, as preset JSON, on the clipboard and in a
 * dialog.
 */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import React from 'react';

import { trans } from '../i18n';
import { IPreset, isEnforced, presetLabel } from './presets';

export interface IPresetPickerProps {
  presets: IPreset[];
  presetName: string | null;
  onChange: (name: string | null) => void;
}

/** The preset picker: "No preset" and every preset, titled, with where it comes from. */
export function PresetPicker(props: IPresetPickerProps): JSX.Element | null {
  const { presets, presetName, onChange } = props;
  if (!presets.length) {
    return null;
  }
  return (
    <label className="dlviz-field">
      <span>{trans.__('Preset')}</span>
      <select
        className="jp-mod-styled"
        data-testid="dlviz-preset"
        value={presetName ?? ''}
        onChange={event => onChange(event.target.value || null)}
      >
        <option value="">{trans.__('No preset')}</option>
        {presets.map(preset => (
          <option key={preset.name} value={preset.name}>
            {presetLabel(preset)}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface IPresetHeaderProps {
  preset: IPreset | null;
  /** A preset a link asked for that is not known (yet). */
  waitingFor: string | null;
  problems: string[];
}

/** What the chosen preset says above the form, and what went wrong with presets. */
export function PresetHeader(props: IPresetHeaderProps): JSX.Element | null {
  const { preset, waitingFor, problems } = props;
  if (!preset && !waitingFor && !problems.length) {
    return null;
  }
  return (
    <div className="dlviz-preset" data-testid="dlviz-preset-header">
      {preset && preset.title && (
        <h3 className="dlviz-preset-title" data-testid="dlviz-preset-title">
          {preset.title}
        </h3>
      )}
      {preset && preset.instruction && (
        <p className="dlviz-preset-instruction" data-testid="dlviz-preset-instruction">
          {preset.instruction}
        </p>
      )}
      {preset && isEnforced(preset) && (
        <p className="dlviz-notice" data-testid="dlviz-preset-enforced">
          {trans.__(
            'This course fixes the greyed-out fields: the server refuses runs that change them.'
          )}
        </p>
      )}
      {preset && preset.problem && (
        <p className="dlviz-error">{trans.__('This preset is not valid: %1', preset.problem)}</p>
      )}
      {waitingFor && (
        <p className="dlviz-notice" data-testid="dlviz-preset-waiting">
          {trans.__(
            'Waiting for the preset %1: it may come with a notebook that is still opening.',
            waitingFor
          )}
        </p>
      )}
      {problems.map(problem => (
        <p key={problem} className="dlviz-error">
          {problem}
        </p>
      ))}
    </div>
  );
}

/** "Copy preset": the JSON on the clipboard, and shown in a dialog to select and paste. */
export async function showPresetJson(preset: { [key: string]: unknown }): Promise<void> {
  const text = JSON.stringify(preset, null, 2);
  Clipboard.copyToSystem(text);
  await showDialog({
    title: trans.__('Preset'),
    body: (
      <div className="dlviz-preset-copy">
        <p>
          {trans.__(
            'Copied to the clipboard. Paste it into the presets of the settings (DL Viz presets) or of a notebook (metadata dlviz.presets).'
          )}
        </p>
        <textarea
          readOnly
          className="dlviz-preset-json"
          data-testid="dlviz-preset-json"
          rows={Math.min(20, text.split('\n').length)}
          style={{ width: '100%', fontFamily: 'var(--jp-code-font-family)' }}
          value={text}
        />
      </div>
    ),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}
