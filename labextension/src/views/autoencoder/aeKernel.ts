/**
 * The autoencoder explorer's requests to the kernel of its run: one `autoencoder.inspect` run
 * per action, on the same kernel, with its arrays decoded. No drawing.
 */
import { DlvizApi } from '../../api/client';
import { modelGone } from '../../api/keptRuns';
import { runAndWatch } from '../../api/runAndWatch';
import { resultOf } from '../../api/results';
import { trans } from '../../i18n';
import { decodeResult } from '../cnn/cnnResult';
import { RunNotices } from '../shared/notices';
import { AeAction, AeInspected, AeRun } from './aeRun';

export class AeKernel {
  private _api: DlvizApi;
  private _run: AeRun;
  private _notices: RunNotices;
  private _signal: AbortSignal;

  constructor(api: DlvizApi, run: AeRun, notices: RunNotices, signal: AbortSignal) {
    this._api = api;
    this._run = run;
    this._notices = notices;
    this._signal = signal;
  }

  /** Run `autoencoder.inspect` with `action`; null when the view was closed meanwhile. */
  async ask(action: AeAction, extra: { [key: string]: unknown } = {}): Promise<AeInspected | null> {
    if (this._notices.kernelGone) {
      throw new Error(this._notices.kernelMessage);
    }
    const run = await runAndWatch(
      this._api,
      'autoencoder.inspect',
      this._run.params(action, extra),
      { kernelId: this._run.kernelId, signal: this._signal, arrays: true }
    );
    if (!run) {
      return null;
    }
    return decodeResult(resultOf(run, 'autoencoder.inspect')!);
  }

  /** What to say about a failed request (and note a kernel that is gone). */
  failure(error: unknown): string {
    if (modelGone(error)) {
      this._notices.markKernelGone();
      return this._notices.kernelMessage;
    }
    return trans.__('The kernel could not answer: %1', (error as Error).message);
  }
}
