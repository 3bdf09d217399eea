/**
 * What the RNN explorer knows about the run it shows: the training run (or the inspect or
 * units run and the training run it came from), its kernel, its data set, the kept epochs the
 * slider offers, and the params of the next `rnn.inspect` request. No DOM.
 */
import { IRun } from '../../api/client';
import { epochAt, positionOf } from '../../api/keptRuns';
import { resultOf, RnnTrainResult, SequenceDataset } from '../../api/results';
import { trans } from '../../i18n';
import { decodeResult } from '../cnn/cnnResult';
import { formatPercent } from '../shared/format';
import { compareCellOf, ICellOfCompare } from './compareLogic';
import { inspectParams, RnnInput } from './rnnLogic';
import { RnnInspected } from './rnnResult';
import { savedInspect, SavedStates } from './savedStates';

export class RnnRun {
  trainRun: IRun | null = null;
  trainRunId: string | null = null;
  kernelId: string | null = null;
  dataset: SequenceDataset | null = null;
  /** The kept epochs (0 = before training); the slider offers these. */
  epochs: number[] = [];
  epoch = -1;
  /** The sequence shown first: the training run's sample, or the inspect run's input. */
  firstInput: RnnInput = { index: 0 };
  /** The params of an inspect run of a notebook model (no training run). */
  baseParams: { [key: string]: unknown } = {};
  /** The saved states of the training result or comparison cell (drawn when the kernel is gone). */
  trained: SavedStates | null = null;
  /** The plain RNN's nonlinearity, for the formulas of the saved states. */
  nonlinearity = 'tanh';
  /** The cell of an `rnn.compare` run this model is (opened from the comparison view). */
  compared: ICellOfCompare | null = null;

  /** A succeeded `rnn.train` run: its data set, kept epochs and sample. */
  useTraining(run: IRun): void {
    const result = resultOf(run, 'rnn.train');
    if (!result) {
      throw new Error(trans.__('this training run has no result'));
    }
    this.trainRun = run;
    this.trainRunId = run.id;
    this.kernelId = run.kernel_id;
    this.dataset = result.dataset;
    this.epochs = [...(result.snapshots?.epochs ?? [])];
    const last = this.epochs.length ? this.epochs[this.epochs.length - 1] : -1;
    this.epoch = last;
    this.firstInput = { index: result.sample?.index ?? 0 };
    this.trained = decodeResult(result);
    this.nonlinearity = String(run.params?.model?.nonlinearity ?? 'tanh');
  }

  /** Whether the training result saved states to draw without the kernel. */
  get canReplay(): boolean {
    return (this.trained?.snapshots.hidden.shape[0] ?? 0) > 0;
  }

  /** The saved states at the slider's epoch, as an inspect result (null when none are saved). */
  saved(): RnnInspected | null {
    if (!this.trained || !this.canReplay) {
      return null;
    }
    return savedInspect(this.trained, positionOf(this.epochs, this.epoch), this.nonlinearity);
  }

  /** A cell of a comparison: its data, its kept epochs and saved states. */
  useCompared(compared: ICellOfCompare): void {
    this.compared = compared;
    this.dataset = compared.dataset;
    this.epochs = [...compared.epochs];
    this.epoch = this.lastEpoch;
    this.trained = compared.saved;
    this.nonlinearity = compared.nonlinearity;
  }

  /** The kernel listed the epochs it kept: the slider offers those, at the nearest one. */
  useKept(epochs: number[]): void {
    const wanted = this.epoch;
    this.epochs = [...epochs].sort((a, b) => a - b);
    this.epoch = epochAt(this.epochs, positionOf(this.epochs, wanted));
  }

  /** An `rnn.inspect` or `rnn.units` run: the run it looked at, its epoch and its params. */
  async useSource(
    run: IRun,
    source: { run: string | null; epoch: number | null },
    getRun: (id: string) => Promise<IRun>
  ): Promise<void> {
    this.kernelId = run.kernel_id;
    this.baseParams = { ...(run.params ?? {}) };
    const input = (run.params?.input ?? {}) as { index?: number; text?: string };
    this.firstInput = input.text ? { text: input.text } : { index: input.index ?? 0 };
    if (source.run) {
      this.trainRunId = source.run;
      // A cell of a comparison (`<compare id>-<cell>`) lives in the kernel only.
      const compared = await compareCellOf(source.run, getRun);
      if (compared) {
        this.useCompared(compared);
      } else {
        try {
          const training = await getRun(source.run);
          if (training.status === 'succeeded' && training.result) {
            this.useTraining(training);
            this.kernelId = run.kernel_id;
          }
        } catch {
          // the training run is gone from the server: its kernel may still know the model
        }
      }
      this.firstInput = input.text ? { text: input.text } : { index: input.index ?? 0 };
    }
    if (typeof source.epoch === 'number' && source.epoch >= 0) {
      this.epoch = this.epochs.length
        ? epochAt(this.epochs, positionOf(this.epochs, source.epoch))
        : source.epoch;
    }
  }

  /** The slider moved to `position`. */
  moveTo(position: number): void {
    this.epoch = epochAt(this.epochs, position);
  }

  /** The last kept epoch (-1 when none is known). */
  get lastEpoch(): number {
    return this.epochs.length ? this.epochs[this.epochs.length - 1] : -1;
  }

  /** The words beside the slider. */
  epochLabel(): string {
    if (!this.epochs.length) {
      return this.trainRunId
        ? trans.__('the trained model')
        : trans.__('one model (no training run)');
    }
    if (this.epoch === 0) {
      return trans.__('before training (random weights)');
    }
    return trans.__('after epoch %1 of %2', this.epoch, this.lastEpoch);
  }

  /** The `rnn.inspect` params for an input at the slider's epoch. */
  inspectParams(input: RnnInput): { [key: string]: unknown } {
    const epoch = this.epoch === this.lastEpoch ? -1 : this.epoch;
    return this.trainRunId
      ? inspectParams(this.trainRunId, epoch, input)
      : inspectParams(null, -1, input, this.baseParams);
  }

  /** The facts above the explorer: the data, the network, the last validation numbers. */
  facts(network: { cell: string; layers: number; hidden_size: number } | null): [string, string][] {
    const items: [string, string][] = [];
    const d = this.dataset;
    if (d) {
      items.push([trans.__('Data'), trans.__('%1, %2 steps per sequence', d.name, d.steps)]);
    }
    if (network) {
      items.push([
        trans.__('Network'),
        trans.__(
          '%1, %2 layer(s) of %3 units',
          network.cell.toUpperCase(),
          network.layers,
          network.hidden_size
        )
      ]);
    }
    const result = this.trainRun ? (resultOf(this.trainRun, 'rnn.train') as RnnTrainResult) : null;
    if (this.compared) {
      const last = this.compared.accuracy;
      if (typeof last === 'number') {
        items.push([trans.__('Validation accuracy'), formatPercent(last)]);
      }
      items.push([trans.__('Compared in run'), this.compared.compareRun]);
    }
    if (result) {
      const accuracy = result.history?.validation_accuracy ?? [];
      const last = accuracy[accuracy.length - 1];
      const bits = result.bits_per_character?.validation ?? [];
      const lastBits = bits[bits.length - 1];
      if (typeof last === 'number') {
        items.push([trans.__('Validation accuracy'), formatPercent(last)]);
      }
      if (typeof lastBits === 'number') {
        items.push([trans.__('Bits per character'), lastBits.toFixed(2)]);
      }
    }
    return items;
  }
}
