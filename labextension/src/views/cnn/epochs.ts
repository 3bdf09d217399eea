/**
 * What the CNN explorer knows about the run it shows: the training run (or the inspect run and
 * the training run it came from), its kernel, its data set, the per-epoch filter snapshots, and
 * the epochs the slider offers. No DOM: the explorer's shell draws from it.
 */
import { NDArray } from '../../api/arrays';
import { IRun } from '../../api/client';
import { cancelledEpochs, epochAt, positionOf, snapshotEpochs } from '../../api/keptRuns';
import { maxAbs } from '../shared/colors';
import { resultOf } from '../../api/results';
import { trans } from '../../i18n';
import { formatPercent } from '../shared/format';
import { inspectParams } from './cnnLogic';
import { CnnInspected, decodeResult } from './cnnResult';
import { IFilterLayer } from './filtersSection';
import { IDataset, Input } from './inputSection';

export class CnnEpochs {
  trainRun: IRun | null = null;
  trainRunId: string | null = null;
  kernelId: string | null = null;
  dataset: IDataset | null = null;
  snapshots: { epochs: number[]; layers: { name: string; filters: NDArray }[] } | null = null;
  /** The real epoch at each slider position: the kept snapshots, or every finished epoch. */
  epochs: number[] = [0];
  lastEpoch = 0;
  epoch = 0;
  /** A cancelled training run: no snapshots, but its finished epochs can still be inspected. */
  cancelled = false;
  /** The params of an inspect run of a model that is not a training run's. */
  private _baseParams: { [key: string]: unknown } = {};
  private _filterLimits: number[] = [];

  /** A succeeded `cnn.train` run: its data set, snapshots and last epoch. */
  useTraining(run: IRun): void {
    const result = resultOf(run, 'cnn.train');
    if (!result) {
      throw new Error(trans.__('this training run has no result'));
    }
    this.trainRun = run;
    this.trainRunId = run.id;
    this.kernelId = run.kernel_id;
    this.dataset = result.dataset;
    this.lastEpoch = Number(result.epochs_completed ?? (result.history?.epoch ?? []).length);
    this.epoch = this.lastEpoch;
    this.epochs = [this.lastEpoch];
    const snapshots = result.snapshots;
    if (snapshots && Array.isArray(snapshots.layers)) {
      const layers = snapshots.layers.map(layer => ({
        name: String(layer.name),
        filters: decodeResult(layer.filters)
      }));
      this.snapshots = { epochs: snapshots.epochs ?? [], layers };
      // One colour scale per layer over all epochs, so a weight that grows looks stronger.
      this._filterLimits = layers.map(l => maxAbs(l.filters.data));
      // A byte budget may have kept only every k-th epoch: the slider offers those and no others.
      this.epochs = snapshotEpochs(snapshots, layers[0] ? layers[0].filters.shape[0] : 0);
      if (this.epochs.length) {
        this.lastEpoch = this.epochs[this.epochs.length - 1];
      }
      this.epoch = this.lastEpoch;
    }
  }

  /** A cancelled `cnn.train` run: its finished epochs, from its last progress event. */
  useCancelled(run: IRun): void {
    this.trainRunId = run.id;
    this.trainRun = run;
    const progress = run.progress ?? {};
    const current = typeof progress.epoch === 'number' ? progress.epoch : 0;
    this.lastEpoch = this.epoch = Math.max(0, progress.phase === 'epoch' ? current : current - 1);
    this.epochs = cancelledEpochs(this.lastEpoch, progress.snapshot_every);
    this.cancelled = true;
  }

  /** A `cnn.inspect` run (`first` its decoded result): the training run it looked at, if any. */
  async useInspect(
    run: IRun,
    first: CnnInspected,
    getRun: (id: string) => Promise<IRun>,
    useTraining: (training: IRun) => void
  ): Promise<void> {
    this.dataset = first.dataset ?? null;
    const source: { run?: string | null; epoch?: number | null } = first.source ?? {};
    this._baseParams = { ...(run.params ?? {}) };
    if (source.run) {
      // An inspect run of a training run: scrub that run's epochs.
      try {
        const training = await getRun(source.run);
        if (training.status === 'succeeded' && training.result) {
          useTraining(training);
        }
      } catch {
        // the training run is gone: its kernel may still know the model
      }
      this.trainRunId = source.run;
    }
    this.epoch =
      typeof source.epoch === 'number' && source.epoch >= 0 ? source.epoch : this.lastEpoch;
    if (this.snapshots) {
      this.epoch = epochAt(this.epochs, positionOf(this.epochs, this.epoch));
    } else {
      this.epochs = [this.epoch];
    }
  }

  /** The slider moved to `position`. */
  moveTo(position: number): void {
    this.epoch = epochAt(this.epochs, position);
  }

  /** The words beside the slider. */
  epochLabel(): string {
    if (!this.snapshots && !this.cancelled) {
      return trans.__('one model (no training run)');
    }
    if (this.epoch === 0) {
      return trans.__('before training (random weights)');
    }
    return this.cancelled
      ? trans.__('after epoch %1 of %2 (training was cancelled)', this.epoch, this.lastEpoch)
      : trans.__('after epoch %1 of %2', this.epoch, this.lastEpoch);
  }

  /** The `cnn.inspect` params for an input at an epoch. */
  inspectParams(epoch: number, wanted: Input): { [key: string]: unknown } {
    const input = 'index' in wanted ? { index: wanted.index } : { pixels: wanted.pixels };
    if (this.trainRunId) {
      return inspectParams(this.trainRunId, epoch, input);
    }
    return { ...this._baseParams, input: inspectParams('', -1, input).input };
  }

  /** The filters of every conv layer at the epoch shown, from the snapshots. */
  filterLayers(): IFilterLayer[] {
    const at = positionOf(this.epochs, this.epoch);
    return (this.snapshots?.layers ?? []).map((layer, i) => {
      const slice = layer.filters.slice(at);
      return {
        name: layer.name,
        weights: slice.data as Float32Array,
        shape: slice.shape,
        limit: this._filterLimits[i]
      };
    });
  }

  /** The facts above the explorer: the data set, the epochs, the last validation accuracy. */
  facts(): [string, string][] {
    const d = this.dataset;
    const items: [string, string][] = [];
    if (d) {
      const images = d.input_shape.slice(1).join('×');
      items.push([
        trans.__('Data'),
        trans.__('%1, %2 classes, images %3', d.name, d.classes.length, images)
      ]);
    }
    if (this.trainRun) {
      const history = resultOf(this.trainRun, 'cnn.train')?.history;
      const accuracy = history?.validation_accuracy?.[history.validation_accuracy.length - 1];
      const epochs = this.cancelled
        ? trans.__('%1 finished before cancelling', this.lastEpoch)
        : String(this.lastEpoch);
      items.push([trans.__('Epochs'), epochs]);
      if (typeof accuracy === 'number') {
        items.push([trans.__('Validation accuracy'), formatPercent(accuracy)]);
      }
    }
    return items;
  }
}
