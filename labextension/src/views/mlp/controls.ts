/**
 * The playground's controls: play / pause, one step, reset (same first weights or new ones),
 * the learning rate, regularisation and noise (they apply while it plays), and the set-up as
 * JSON: "Copy set-up" puts it on the clipboard, "Open set-up" starts again from a pasted one;
 * "Insert code" adds a notebook cell that gets the network from the kernel (`get_model`).
 */
import { Clipboard } from '@jupyterlab/apputils';

import { trans } from '../../i18n';
import { el } from '../shared/draw';
import { IRates, Params, parseSetup, setupJson } from './setupLogic';

/** What the controls ask of the playground. */
export interface IControlActions {
  play(): void;
  pause(): void;
  step(): void;
  reset(newWeights: boolean): void;
  setRates(rates: IRates): void;
  openSetup(params: Params): void;
  /** Add the cell that gets the network as it is now (below the notebook's active cell). */
  insertCode(): void;
  /** The set-up as it is now (the params of the next run). */
  params(): Params;
}

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

export class Controls {
  readonly node = el('div', 'dlviz-mlp-controls');
  private _play = button('dlviz-mlp-play', '');
  private _step = button('dlviz-mlp-step', trans.__('Step'));
  private _reset = button('dlviz-mlp-reset', trans.__('Reset'));
  private _fresh = button('dlviz-mlp-new-weights', trans.__('New weights'));
  private _rate = select(
    'dlviz-mlp-learning-rate',
    LEARNING_RATES.map(v => [String(v), String(v)])
  );
  private _kind = select('dlviz-mlp-regularization', [
    ['none', trans.__('None')],
    ['l1', 'L1'],
    ['l2', 'L2']
  ]);
  private _regRate = select(
    'dlviz-mlp-regularization-rate',
    REGULARIZATION_RATES.map(v => [String(v), String(v)])
  );
  private _noise = el('input', 'dlviz-mlp-noise');
  private _noiseLabel = el('span', 'dlviz-mlp-noise-label');
  private _copy = button('dlviz-mlp-copy-setup', trans.__('Copy set-up'));
  private _open = button('dlviz-mlp-open-setup', trans.__('Open set-up…'));
  private _paste = el('textarea', 'dlviz-mlp-setup-text');
  private _load = button('dlviz-mlp-load-setup', trans.__('Start from this set-up'));
  private _insert = button('dlviz-insert-code', trans.__('Insert code'));
  private _pasteBox: HTMLElement;
  private _message = el('span', 'dlviz-mlp-message');
  private _playing = false;

  constructor(private _actions: IControlActions) {
    this._play.onclick = () => (this._playing ? _actions.pause() : _actions.play());
    this._step.onclick = () => _actions.step();
    this._reset.onclick = () => _actions.reset(false);
    this._reset.title = trans.__('Back to the same first weights');
    this._fresh.onclick = () => _actions.reset(true);
    this._fresh.title = trans.__('Start again from new random weights');
    this._rate.onchange = () => _actions.setRates({ learningRate: Number(this._rate.value) });
    this._kind.onchange = () => _actions.setRates({ regularization: this._kind.value });
    this._regRate.onchange = () =>
      _actions.setRates({ regularizationRate: Number(this._regRate.value) });
    this._noise.type = 'range';
    this._noise.min = '0';
    this._noise.max = '50';
    this._noise.step = '5';
    this._noise.setAttribute('data-testid', 'dlviz-mlp-noise');
    this._noise.setAttribute('aria-label', trans.__('Noise (%)'));
    this._noise.oninput = () => (this._noiseLabel.textContent = `${this._noise.value}%`);
    this._noise.onchange = () => _actions.setRates({ noise: Number(this._noise.value) });
    this._copy.onclick = () => this._onCopy();
    this._open.onclick = () => (this._pasteBox.hidden = !this._pasteBox.hidden);
    this._paste.setAttribute('data-testid', 'dlviz-mlp-setup-text');
    this._paste.rows = 8;
    this._paste.placeholder = trans.__('Paste a set-up (the JSON of "Copy set-up")');
    this._load.onclick = () => this._onLoad();
    this._insert.onclick = () => _actions.insertCode();
    this._insert.title = trans.__(
      'Add a notebook cell that gets this network from the kernel (dlviz_kernel.get_model) below the active cell'
    );
    this._insert.disabled = true;
    this._pasteBox = el('div', 'dlviz-mlp-paste', undefined, this._paste, this._load);
    this._pasteBox.hidden = true;
    this._message.setAttribute('data-testid', 'dlviz-mlp-message');
    this._message.setAttribute('aria-live', 'polite');
    this.node.append(
      el('div', 'dlviz-mlp-buttons', undefined, this._play, this._step, this._reset, this._fresh),
      field(trans.__('Learning rate'), this._rate),
      field(trans.__('Regularization'), this._kind),
      field(trans.__('Regularization rate'), this._regRate),
      field(trans.__('Noise'), this._noise, this._noiseLabel),
      el('div', 'dlviz-mlp-buttons', undefined, this._copy, this._open, this._insert),
      this._pasteBox,
      this._message
    );
    this.setState(false, false);
  }

  /** Show the set-up's values (after a result or an opened set-up). */
  showParams(params: Params): void {
    pick(this._rate, params.training?.learning_rate ?? 0.03);
    this._kind.value = params.model?.regularization ?? 'none';
    pick(this._regRate, params.model?.regularization_rate ?? 0);
    this._noise.value = String(params.data?.noise ?? 0);
    this._noiseLabel.textContent = `${this._noise.value}%`;
    // notebook data has no noise to change
    this._noise.disabled = params.data?.source === 'notebook';
  }

  setState(playing: boolean, busy: boolean): void {
    this._playing = playing;
    this._play.textContent = playing ? trans.__('Pause') : trans.__('Play');
    this._play.setAttribute('aria-pressed', String(playing));
    this.node.setAttribute('data-state', playing ? 'playing' : busy ? 'busy' : 'idle');
  }

  /** Whether a network is there for "Insert code" (a run's result arrived). */
  setCodeReady(ready: boolean): void {
    this._insert.disabled = !ready;
  }

  say(message: string): void {
    this._message.textContent = message;
  }

  private _onCopy(): void {
    const text = setupJson(this._actions.params());
    Clipboard.copyToSystem(text);
    this._paste.value = text;
    this.node.setAttribute('data-copied', text);
    this.say(trans.__('The set-up is on the clipboard.'));
  }

  private _onLoad(): void {
    try {
      const params = parseSetup(this._paste.value);
      this._actions.openSetup(params);
      this._pasteBox.hidden = true;
      this.say(trans.__('Starting from the pasted set-up…'));
    } catch (error) {
      this.say((error as Error).message);
    }
  }
}

function button(testId: string, label: string): HTMLButtonElement {
  const node = el('button', 'jp-Button jp-mod-styled', label);
  node.setAttribute('data-testid', testId);
  return node;
}

function select(testId: string, options: [string, string][]): HTMLSelectElement {
  const node = el('select', 'dlviz-mlp-select');
  node.setAttribute('data-testid', testId);
  for (const [value, label] of options) {
    const option = el('option', undefined, label);
    option.value = value;
    node.appendChild(option);
  }
  return node;
}

/** Select `value`, adding it as an option when the list lacks it (a pasted set-up's own rate). */
function pick(node: HTMLSelectElement, value: number): void {
  const text = String(value);
  if (![...node.options].some(option => option.value === text)) {
    const option = el('option', undefined, text);
    option.value = text;
    node.appendChild(option);
  }
  node.value = text;
}

function field(label: string, ...inputs: HTMLElement[]): HTMLElement {
  return el('label', 'dlviz-mlp-field', undefined, el('span', undefined, label), ...inputs);
}
