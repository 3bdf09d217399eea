/**
 * Logic of the comparison view: how far back a cell's memory reaches, the PNG of the memory
 * plots side by side (a canvas, painted from the numbers), the live curves of each cell from
 * the run's progress events, and which comparison a cell's run belongs to. Tested by jest.
 */
import { IRun } from '../../api/client';
import { resultOf, SequenceDataset } from '../../api/results';
import { decodeResult } from '../cnn/cnnResult';
import { shares } from './rnnLogic';
import { SavedStates } from './savedStates';

/**
 * How far back the prediction at `step` reaches: `first` is the gradient at input step 0 as a
 * share of the largest, `steps` how many steps before `step` the earliest input lies whose
 * gradient is at least `cut` of the largest.
 */
export function memoryReach(
  norms: ArrayLike<number>,
  step: number,
  cut = 0.1
): { first: number; steps: number } {
  const s = shares(norms);
  const last = Math.max(0, Math.min(step, s.length - 1));
  let earliest = last;
  for (let i = last; i >= 0; i--) {
    if (s[i] >= cut) {
      earliest = i;
    }
  }
  return { first: s.length ? s[0] : 0, steps: last - earliest };
}

/** The memory plots of the cells side by side on one canvas, each scaled to its own largest. */
export function paintMemory(
  cells: { name: string; norms: ArrayLike<number> }[]
): HTMLCanvasElement {
  const width = 300;
  const height = 120;
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, cells.length) * (width + 20);
  canvas.height = height + 30;
  const context = canvas.getContext && canvas.getContext('2d');
  if (!context) {
    return canvas;
  }
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  cells.forEach((cell, k) => {
    const left = k * (width + 20) + 10;
    context.fillStyle = '#000000';
    context.font = 'bold 12px sans-serif';
    context.fillText(cell.name, left, 14);
    const bar = width / Math.max(1, cell.norms.length);
    context.fillStyle = '#1976d2';
    shares(cell.norms).forEach((share, s) => {
      const h = share * (height - 4);
      context.fillRect(left + s * bar, 24 + height - h, Math.max(1, bar - 1), h);
    });
  });
  return canvas;
}

/** One cell's curves while the comparison trains: one value per finished epoch. */
export interface ILiveCell {
  cell: string;
  epochs: number[];
  validation_loss: (number | null)[];
  validation_accuracy: (number | null)[];
  bits_per_character: (number | null)[];
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The cells' curves after one progress event of an `rnn.compare` run. Its epoch events are
 * tagged with their cell (`cell`, `cell_index`, `cells`; rnn/compare.py); an event of another
 * phase, or untagged, changes nothing. A replayed epoch replaces its point. Returns new curves.
 */
export function addCellProgress(
  cells: ILiveCell[],
  event: { [key: string]: unknown }
): ILiveCell[] {
  const epoch = event?.epoch;
  const name = event?.cell;
  const index = event?.cell_index;
  if (
    event?.phase !== 'epoch' ||
    typeof epoch !== 'number' ||
    typeof name !== 'string' ||
    typeof index !== 'number'
  ) {
    return cells;
  }
  const out = cells.map(c => ({
    ...c,
    epochs: [...c.epochs],
    validation_loss: [...c.validation_loss],
    validation_accuracy: [...c.validation_accuracy],
    bits_per_character: [...c.bits_per_character]
  }));
  while (out.length <= index) {
    out.push({
      cell: '',
      epochs: [],
      validation_loss: [],
      validation_accuracy: [],
      bits_per_character: []
    });
  }
  const cell = out[index];
  cell.cell = name;
  let at = cell.epochs.indexOf(epoch);
  if (at < 0) {
    at = cell.epochs.findIndex(e => e > epoch);
    at = at < 0 ? cell.epochs.length : at;
    cell.epochs.splice(at, 0, epoch);
    cell.validation_loss.splice(at, 0, null);
    cell.validation_accuracy.splice(at, 0, null);
    cell.bits_per_character.splice(at, 0, null);
  }
  cell.validation_loss[at] = finite(event.validation_loss);
  // a class per step: the share of the steps with a target, as the result's history has it
  cell.validation_accuracy[at] = finite(
    event.validation_step_accuracy ?? event.validation_accuracy
  );
  cell.bits_per_character[at] = finite(event.validation_bits_per_character);
  return out.filter(c => c.cell);
}

/** How far the whole comparison is, 0..1, from a progress event of one of its cells. */
export function compareFraction(
  event: { [key: string]: unknown } | null | undefined
): number | null {
  const { step, total, cell_index: index, cells } = event ?? {};
  if (typeof step !== 'number' || typeof total !== 'number' || total <= 0) {
    return null;
  }
  const share = Math.max(0, Math.min(1, step / total));
  if (typeof index !== 'number' || typeof cells !== 'number' || cells <= 0) {
    return share;
  }
  return Math.max(0, Math.min(1, (index + share) / cells));
}

/** Epochs 1..n of a chart's axis and each cell's values on it (null where it has none yet). */
export function onEpochAxis(
  cells: { epochs: number[]; values: (number | null)[] }[],
  planned: number
): { xs: number[]; values: (number | null)[][] } {
  const last = Math.max(planned, ...cells.flatMap(c => c.epochs), 1);
  const xs = Array.from({ length: last }, (_, i) => i + 1);
  const values = cells.map(c => xs.map(x => c.values[c.epochs.indexOf(x)] ?? null));
  return { xs, values };
}

/** A cell of a comparison as the RNN explorer reads it. */
export interface ICellOfCompare {
  compareRun: string;
  cell: string;
  dataset: SequenceDataset;
  /** The epochs it kept (0: before training), as its saved states list them. */
  epochs: number[];
  /** Its last validation accuracy, if any. */
  accuracy: number | null;
  /** Its saved states (drawn once the kernel is gone); null in a result saved before them. */
  saved: SavedStates | null;
  /** The plain RNN's nonlinearity (tanh or relu) the comparison asked for. */
  nonlinearity: string;
}

/**
 * The comparison a cell run `<compare id>-<cell>` belongs to (rnn/compare.py keeps each cell
 * under that id in the kernel), read from the server; null when `runId` is no such cell.
 */
export async function compareCellOf(
  runId: string,
  getRun: (id: string) => Promise<IRun>
): Promise<ICellOfCompare | null> {
  const match = /^(.+)-(rnn|lstm|gru)$/.exec(runId);
  if (!match) {
    return null;
  }
  let run: IRun;
  try {
    run = await getRun(match[1]);
  } catch {
    return null;
  }
  const result = run.status === 'succeeded' ? resultOf(run, 'rnn.compare') : null;
  const cell = result?.cells.find(c => c.run === runId);
  if (!result || !cell) {
    return null;
  }
  const accuracy = cell.history.validation_accuracy;
  const saved: SavedStates | null = cell.snapshots
    ? decodeResult({
        run_id: cell.run,
        dataset: result.dataset,
        model: cell.model,
        sample: cell.sample,
        snapshots: cell.snapshots
      })
    : null;
  return {
    compareRun: match[1],
    cell: cell.cell,
    dataset: result.dataset,
    // a result from before cells saved states: every epoch, until the kernel says otherwise
    epochs: saved ? [...saved.snapshots.epochs] : [0, ...cell.history.epochs],
    accuracy: finite(accuracy[accuracy.length - 1]),
    saved,
    nonlinearity: String(run.params?.model?.nonlinearity ?? 'tanh')
  };
}
