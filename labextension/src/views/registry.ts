/**
 * The view registry: which docked view a run of each task opens, and when. This is the only
 * place that routes a task to a view; index.ts makes one command and one layout restorer per
 * view definition listed here, and the panel asks `viewFor` when a run starts and succeeds.
 *
 * Adding a task: write its kernel folder and schema, its view in a folder of `views/`, and one
 * entry below (docs/architecture.md, "Adding a task").
 */
import { autoencoderExplorer } from './autoencoder/aeView';
import { cnnExplorer } from './cnn/cnnView';
import { mlpPlayground } from './mlp/mlpView';
import { rnnCompareView } from './rnn/compareView';
import { rnnExplorer } from './rnn/rnnView';
import { IViewDefinition, ITaskEntry, partOfEntry, TransformerPart } from './shared/actions';
import { trainingMonitor } from './training/monitorView';
import { transformerView } from './transformer/attentionView';

/** The part of the Transformer view a `transformer.inspect` run fills: its `view` param says. */
function inspectPart(params: { [key: string]: unknown }): TransformerPart {
  const view = params?.view;
  return view === 'steps' || view === 'projection' ? view : 'attention';
}

/** One entry per task. */
export const TASKS: ReadonlyArray<ITaskEntry> = [
  { task: 'transformer.attention', succeeded: transformerView, part: 'attention' },
  { task: 'transformer.steps', succeeded: transformerView, part: 'steps' },
  { task: 'transformer.projection', succeeded: transformerView, part: 'projection' },
  { task: 'transformer.inspect', succeeded: transformerView, part: inspectPart },
  {
    task: 'transformer.train',
    started: trainingMonitor,
    succeeded: transformerView,
    part: 'attention',
    accuracy: false
  },
  { task: 'cnn.train', started: trainingMonitor, succeeded: cnnExplorer, accuracy: true },
  { task: 'cnn.inspect', succeeded: cnnExplorer },
  { task: 'mlp.train', started: mlpPlayground, succeeded: mlpPlayground },
  { task: 'rnn.train', started: trainingMonitor, succeeded: rnnExplorer, accuracy: true },
  { task: 'rnn.inspect', succeeded: rnnExplorer },
  { task: 'rnn.units', succeeded: rnnExplorer },
  // the comparison view draws each cell's curves live, then the result: open at both moments
  { task: 'rnn.compare', started: rnnCompareView, succeeded: rnnCompareView },
  {
    task: 'autoencoder.train',
    started: trainingMonitor,
    succeeded: autoencoderExplorer,
    accuracy: false
  },
  { task: 'autoencoder.inspect', succeeded: autoencoderExplorer }
];

/** Every view definition the tasks use, once each, in a stable order. */
export const VIEWS: ReadonlyArray<IViewDefinition> = [
  transformerView,
  trainingMonitor,
  cnnExplorer,
  mlpPlayground,
  rnnExplorer,
  rnnCompareView,
  autoencoderExplorer
];

/** The entry of a task, or undefined for a task that opens no view (its status shows in the panel). */
export function entryOf(task: string): ITaskEntry | undefined {
  return TASKS.find(entry => entry.task === task);
}

/** When the panel opens a view: as soon as the run is created, or once it succeeded. */
export type RunMoment = 'started' | 'succeeded';

/** The view a run of `task` opens at `moment`, or null. */
export function viewFor(task: string, moment: RunMoment): IViewDefinition | null {
  return entryOf(task)?.[moment] ?? null;
}

/**
 * The view that shows a run as it is now: its result's once it succeeded, its live view while it
 * is queued or running; null for a run that failed or was cancelled, or a task without a view.
 */
export function viewOfRun(run: { task: string; status: string }): IViewDefinition | null {
  if (run.status === 'succeeded') {
    return viewFor(run.task, 'succeeded');
  }
  return run.status === 'queued' || run.status === 'running' ? viewFor(run.task, 'started') : null;
}

/** The part of the Transformer view that a run of `task` with `params` fills. */
export function partOf(
  task: string,
  params: { [key: string]: unknown } | null | undefined
): TransformerPart | null {
  return partOfEntry(entryOf(task), params);
}
