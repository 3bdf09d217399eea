/**
 * The playground's training, as runs in the kernel of its first run: play is an `mlp.train`
 * run of many epochs going on from the last one (`continue_from`), pause cancels it (the kernel
 * keeps the partial model), step is a run of one epoch, reset a run of none (the seed's first
 * weights), a weight edit a run of none with `edits`. New rates while playing: cancel, then play
 * on with them. One run at a time: the actions wait in a queue; pause cancels at once.
 */
import { DlvizApi, IRun, RunEvent } from '../../api/client';
import { MlpTrainResult, resultOf } from '../../api/results';
import { waitForRun } from '../../api/runAndWatch';
import { isTerminal, RunStatus } from '../../api/runStatus';
import { trans } from '../../i18n';
import { ILayerWeights } from './planeLogic';
import {
  History,
  IRates,
  IWeightEdit,
  newSeed,
  Params,
  PLAY_EPOCHS,
  runParams,
  setupOf,
  TASK,
  withRates,
  withSeed
} from './setupLogic';

/** What the session tells the view. */
export interface ISessionListener {
  /** New weights to draw (a finished epoch, or a run's result); `epoch` counts from the reset. */
  frame(weights: ILayerWeights[], epoch: number): void;
  /** A run's result: the points, the confusion matrix, the completed params. */
  result(result: MlpTrainResult): void;
  /** Playing or not, and whether a run is going. */
  state(playing: boolean, busy: boolean): void;
  /** Something went wrong (a failed run, a lost kernel). */
  error(message: string): void;
}

export class PlaygroundSession {
  readonly history = new History();
  /** The params of the next run (the set-up, with the current rates). */
  params: Params;
  kernelId: string | null = null;
  /** The last run whose model the kernel keeps: the next run goes on from it. */
  lastRun: string | null = null;
  private _playing = false;
  /** Each play gets a number; pause moves it on, so an old loop knows it is over. */
  private _generation = 0;
  private _current: string | null = null;
  private _currentPlays = false;
  private _started = false;
  /** The runs this playground cancelled (another cancel is retried once). */
  private _cancelled = new Set<string>();
  private _restart = false;
  private _dataChanged = false;
  private _queue: Promise<unknown> = Promise.resolve();
  private _abort = new AbortController();

  constructor(
    private _api: DlvizApi,
    private _listener: ISessionListener
  ) {
    this.params = {};
  }

  get playing(): boolean {
    return this._playing;
  }

  get busy(): boolean {
    return this._current !== null;
  }

  dispose(): void {
    this._playing = false;
    this._abort.abort();
  }

  /** Take over the panel's run: follow it while it trains, or read its result. */
  open(run: IRun): void {
    this.kernelId = run.kernel_id;
    this.params = setupOf(run.params ?? {});
    if (isTerminal(run.status)) {
      this._enqueue(() => this._settle(run.id, run.status));
      return;
    }
    this._playing = true;
    const generation = ++this._generation;
    this._enqueue(async () => {
      this.history.startRun();
      this._currentPlays = true;
      const status = await this._watch(run.id);
      this._currentPlays = false;
      if (status === 'cancelled' && this._restart && generation === this._generation) {
        this.lastRun = run.id; // new rates while it trained: play on from it
        return this._playLoop(generation);
      }
      if (generation === this._generation) {
        this._playing = false; // the panel's run is over: Play, not Pause
        this._announce();
      }
      await this._settle(run.id, status);
    });
  }

  /** Train on, epoch after epoch, until paused. */
  play(): void {
    if (this._playing) {
      return;
    }
    this._playing = true;
    const generation = ++this._generation;
    this._announce();
    this._enqueue(() => this._playLoop(generation));
  }

  /**
   * Stop training; the kernel keeps the model where it stopped. Only a playing run is
   * cancelled: a step, a reset or the read-back after a pause finish on their own (cancelling
   * them, as a step right after a pause once did, lost the step).
   */
  pause(): void {
    this._playing = false;
    this._generation++;
    this._restart = false;
    if (this._currentPlays) {
      this._cancelCurrent();
    }
    this._announce();
  }

  /** One more epoch (pauses first). */
  step(): void {
    this.pause();
    this._enqueue(() => this._once(1, this.lastRun));
  }

  /** Back to the first weights of this seed, or of a new seed. */
  reset(newWeights: boolean): void {
    this.pause();
    this._enqueue(async () => {
      if (newWeights) {
        this.params = withSeed(this.params, newSeed(Number(this.params.training?.seed ?? 0)));
      }
      this.history.clear();
      this.lastRun = null;
      await this._once(0, null);
    });
  }

  /** Set one weight or bias by hand; playing goes on afterwards. */
  edit(change: IWeightEdit): void {
    const wasPlaying = this._playing;
    this.pause();
    this._enqueue(() => this._once(0, this.lastRun, [change]));
    if (wasPlaying) {
      this.play();
    }
  }

  /** New learning rate, regularisation or noise: while playing, cancel and play on with them. */
  setRates(rates: IRates): void {
    const { params, dataChanged } = withRates(this.params, rates);
    this.params = params;
    this._dataChanged = this._dataChanged || dataChanged;
    if (this._playing && this._current && this._currentPlays) {
      this._restart = true;
      this._cancelCurrent();
    } else if (!this._playing && dataChanged) {
      this._enqueue(() => this._once(0, this.lastRun));
    }
  }

  /** Start again from a pasted set-up (new first weights of its seed). */
  openSetup(params: Params): void {
    this.pause();
    this._enqueue(async () => {
      this.params = setupOf(params);
      this.history.clear();
      this.lastRun = null;
      await this._once(0, null);
    });
  }

  private async _playLoop(generation: number): Promise<void> {
    const going = () =>
      this._playing && generation === this._generation && !this._abort.signal.aborted;
    while (going()) {
      if (this._dataChanged) {
        // new points (noise): fetch them with the current weights before training on
        if ((await this._once(0, this.lastRun)) !== 'succeeded') {
          break;
        }
      }
      this._restart = false;
      const status = await this._run(runParams(this.params, PLAY_EPOCHS, this.lastRun), true);
      if (status === 'cancelled' && this._restart) {
        continue; // new rates: play on from where it stopped
      }
      if (status !== 'succeeded') {
        break;
      }
    }
    if (generation === this._generation && this._playing) {
      this._playing = false;
      this._announce();
    }
  }

  /** A run of `epochs` epochs (0: only build or edit the network), then its result. */
  private async _once(
    epochs: number,
    from: string | null,
    edits: IWeightEdit[] = []
  ): Promise<RunStatus | null> {
    this._dataChanged = false;
    return this._run(runParams(this.params, epochs, from, edits), false);
  }

  /**
   * Run `params` in the kernel, drawing each finished epoch; on success read the result.
   * A cancelled run is read too (its model is kept): a run of no epochs going on from it
   * gives its weights as they are, partial epoch included.
   */
  private async _run(params: Params, playing: boolean, retry = true): Promise<RunStatus | null> {
    let created: { id: string };
    try {
      created = await this._api.createRun(TASK, params, this.kernelId);
    } catch (error) {
      this._fail((error as Error).message);
      return 'failed';
    }
    this.history.startRun();
    this._currentPlays = playing;
    if (playing && !this._playing) {
      // paused while the run was being created: stop it at once
      this._cancelled.add(created.id);
      void this._api.cancelRun(created.id).catch(() => undefined);
    }
    const status = await this._watch(created.id);
    this._currentPlays = false;
    if (status === 'cancelled' && playing) {
      if (this._started) {
        this.lastRun = created.id; // it began: the kernel keeps its model
      }
      if (!this._restart) {
        // paused: show the weights exactly as the kernel keeps them
        const back = this._dataChanged;
        const synced = await this._run(runParams(this.params, 0, created.id), false);
        this._dataChanged = back && synced !== 'succeeded';
      }
      return status;
    }
    if (status === 'cancelled' && retry && !this._cancelled.has(created.id)) {
      // not our cancel: an interrupt meant for the run before it (stopped as it finished)
      return this._run(params, playing, false);
    }
    await this._settle(created.id, status);
    return status;
  }

  /** Follow a run's events until it is over; each finished epoch is a frame, and so are the
   * weights sent inside a long epoch. */
  private async _watch(id: string): Promise<RunStatus | null> {
    this._current = id;
    this._started = false;
    this._announce();
    const onEvent = (event: RunEvent) => {
      if (event.event === 'status' && event.data.status !== 'queued') {
        this._started = true;
      }
      const data = event.event === 'progress' ? event.data : null;
      if (!data || !Array.isArray(data.weights)) {
        return;
      }
      if (data.phase === 'epoch') {
        this.history.add(data as any);
        this._listener.frame(data.weights as ILayerWeights[], this.history.epoch);
      } else if (data.phase === 'train') {
        // inside a long epoch: the weights so far, the epoch counter stays
        this._listener.frame(data.weights as ILayerWeights[], this.history.epoch);
      }
    };
    let status: RunStatus | null = null;
    try {
      const last = await this._api.watchRun(id, onEvent, this._abort.signal);
      if (last && last.event === 'status' && isTerminal(last.data.status)) {
        status = last.data.status;
      }
    } catch {
      // the stream broke: wait for the end by polling
    }
    if (status === null && !this._abort.signal.aborted) {
      status = await waitForRun(this._api, id, this._abort.signal);
    }
    this._current = null;
    this._announce();
    return status;
  }

  /** Read a finished run: its result (success), or why it did not succeed. */
  private async _settle(id: string, status: RunStatus | null): Promise<void> {
    if (status === null) {
      return;
    }
    let run: IRun;
    try {
      run = await this._api.getRun(id);
    } catch (error) {
      this._fail((error as Error).message);
      return;
    }
    if (run.status === 'cancelled') {
      // the panel's own run, cancelled there: its model is kept, read it
      this.lastRun = id;
      await this._once(0, id);
      return;
    }
    const result = run.status === 'succeeded' ? resultOf(run, 'mlp.train') : null;
    if (!result) {
      this._fail(run.error ?? trans.__('the run ended %1', run.status));
      return;
    }
    this.lastRun = id;
    if (this.history.epochs.length === 0) {
      this.history.addRun(result.history); // a finished run opened afresh
    } else {
      this.history.fill(result.history); // epochs that ended before they were listened to
    }
    this.params = completed(result.params, this.params);
    this._listener.result(result);
    this._listener.frame(result.weights as ILayerWeights[], this.history.epoch);
  }

  private _fail(message: string): void {
    this._playing = false;
    this._announce();
    this._listener.error(message);
  }

  private _cancelCurrent(): void {
    if (this._current) {
      this._cancelled.add(this._current);
      void this._api.cancelRun(this._current).catch(() => undefined);
    }
  }

  private _enqueue(action: () => Promise<unknown>): void {
    this._queue = this._queue.then(action).catch(error => this._fail((error as Error).message));
  }

  private _announce(): void {
    this._listener.state(this._playing, this._current !== null);
  }
}

/** `mine` (the view's newest set-up) filled in with the kernel's completed params. */
function completed(kernel: Params, mine: Params): Params {
  const out = setupOf(kernel);
  for (const [key, value] of Object.entries(setupOf(mine))) {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    out[key] = isObject ? { ...(out[key] ?? {}), ...value } : value;
  }
  return out;
}
