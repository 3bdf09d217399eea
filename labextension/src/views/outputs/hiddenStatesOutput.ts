/**
 * `show.hidden_states`: an RNN, LSTM or GRU reading one sequence, as a units x steps heat map
 * with the characters (or step numbers) along the bottom; a choice of layer and of what to show
 * (hidden state, cell state, each gate).
 */
import { trans } from '../../i18n';
import { decodeArray, isEncodedArray } from '../../api/arrays';
import { el, heatmap, IHeatmapOptions } from '../shared/draw';
import { maxAbs } from '../shared/colors';
import { choice, context2d, header, makeCanvas, onThemeChange, themeInk } from './canvas';
import { cellSize, stepLabels, transpose } from './outputLogic';

/** About how wide and tall the heat map is drawn, in pixels. */
export const MAP_WIDTH = 640;
export const MAP_HEIGHT = 320;
/** Gates that pass through a sigmoid: drawn from 0 to 1. */
const SIGMOID = ['input', 'forget', 'output', 'reset', 'update'];

export function renderHiddenStates(payload: { [key: string]: any }, node: HTMLElement): void {
  const layers: any[] = Array.isArray(payload.layers) ? payload.layers : [];
  if (!layers.length || !isEncodedArray(layers[0].hidden)) {
    throw new Error(trans.__('the output holds no hidden states'));
  }
  const steps = Number(payload.steps);
  let facts = trans.__(
    '%1 (%2, layers: %3, units: %4): %5 steps',
    String(payload.model ?? trans.__('model')),
    String(payload.cell ?? '').toUpperCase(),
    Number(payload.num_layers),
    Number(payload.hidden_size),
    steps
  );
  if (
    steps < Number(payload.steps_total) ||
    Number(payload.units_shown) < Number(payload.hidden_size)
  ) {
    facts += ' ' + trans.__('(cut to %1 steps and %2 units)', steps, Number(payload.units_shown));
  }
  const layerChoices: [string, string][] = layers.map((l, i) => [
    String(i),
    l.direction === 'backward'
      ? trans.__('layer %1, backward', l.layer)
      : trans.__('layer %1', l.layer)
  ]);
  const layerSelect = choice(trans.__('Layer'), layerChoices, '0');
  const what = choice(trans.__('What to show'), quantities(layers[0]), 'hidden');
  const host = el('div', 'dlviz-output-map-host');
  const draw = () => {
    const entry = layers[Number(layerSelect.value)] ?? layers[0];
    const options = quantities(entry);
    if (!options.some(([v]) => v === what.value)) {
      what.value = 'hidden';
    }
    const gate = what.value.startsWith('gate:') ? what.value.slice(5) : null;
    const encoded = gate ? entry.gates?.[gate] : what.value === 'cell' ? entry.cell : entry.hidden;
    host.replaceChildren(drawMap(decodeArray(encoded), gate ?? what.value, payload.labels));
  };
  layerSelect.onchange = draw;
  what.onchange = draw;
  draw();
  onThemeChange(node, draw);
  const controls = layers.length > 1 ? [layerSelect, what] : [what];
  node.replaceChildren(
    header(facts, ...controls),
    host,
    el(
      'div',
      'dlviz-view-explanation',
      trans.__(
        'Rows are units, columns are steps; blue negative, red positive (gates: dark closed, yellow open).'
      )
    )
  );
}

/** What can be shown of one layer: [value, label] for the hidden state, cell state and gates. */
function quantities(entry: any): [string, string][] {
  const found: [string, string][] = [['hidden', trans.__('hidden state h')]];
  if (isEncodedArray(entry.cell)) {
    found.push(['cell', trans.__('cell state c')]);
  }
  for (const name of Object.keys(entry.gates ?? {})) {
    found.push([`gate:${name}`, trans.__('gate: %1', name)]);
  }
  return found;
}

function drawMap(
  values: { data: ArrayLike<number>; shape: number[] },
  name: string,
  labels: unknown
): HTMLElement {
  const [steps, units] = values.shape;
  const cell = cellSize(steps, MAP_WIDTH, 2, 16);
  const rowHeight = cellSize(units, MAP_HEIGHT, 1, 12);
  const options: IHeatmapOptions = SIGMOID.includes(name)
    ? { mode: 'sequential', range: [0, 1] }
    : { mode: 'diverging', limit: name === 'hidden' || name === 'cell' ? maxAbs(values.data) : 1 };
  if (name === 'pre_activation') {
    options.limit = maxAbs(values.data);
  }
  const map = heatmap(transpose(values.data, steps, units), units, steps, { ...options, cell });
  map.style.height = `${units * rowHeight}px`;
  map.classList.add('dlviz-output-states');
  const axis = makeCanvas(steps * cell, 16, trans.__('Steps'));
  axis.classList.add('dlviz-output-steps');
  const ctx = context2d(axis);
  const { text, every } = stepLabels(Array.isArray(labels) ? labels : null, steps, cell);
  if (ctx) {
    const ink = themeInk();
    ctx.font = ink.font;
    ctx.fillStyle = ink.text;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = 0; t < steps; t += every) {
      ctx.fillText(text[t], (t + 0.5) * cell, 2);
    }
  }
  const box = el('div', 'dlviz-output-map');
  box.style.cssText = 'display:flex;flex-direction:column;gap:2px;align-items:flex-start';
  box.append(map, axis);
  return box;
}
