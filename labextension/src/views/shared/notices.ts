/**
 * The notice lines at the top of a training run's views: what a byte budget left out of the
 * run's snapshots, and that the kernel holding the trained model is gone (a server restart, a
 * shut-down kernel), so only the saved epochs can still be shown.
 */
import { DlvizApi } from '../../api/client';
import { IKept, kernelGoneMessage, keptNotice } from '../../api/keptRuns';
import { el } from './draw';

/** A hidden notice line; `testid` lets the browser tests find it. */
function notice(kind: string, testid: string): HTMLElement {
  const node = el('div', `dlviz-notice ${kind}`);
  node.setAttribute('role', 'status');
  node.setAttribute('data-testid', testid);
  node.hidden = true;
  return node;
}

/** The two notices of a training run's view, in one element placed under the view's header. */
export class RunNotices {
  readonly node: HTMLElement;
  private _kept = notice('dlviz-notice-kept', 'dlviz-kept-notice');
  private _kernel = notice('dlviz-notice-kernel', 'dlviz-kernel-gone');
  private _kernelId: string | null = null;
  private _task: string | null = null;
  private _gone = false;

  constructor() {
    this.node = el('div', 'dlviz-notices', undefined, this._kept, this._kernel);
  }

  /** Whether the model's kernel is known to be gone. */
  get kernelGone(): boolean {
    return this._gone;
  }

  /** The line shown while the kernel is gone. */
  get kernelMessage(): string {
    return kernelGoneMessage(this._kernelId, this._task);
  }

  /** Show the kernel's note when a byte budget thinned the run's snapshots. */
  showKept(result: { kept?: IKept | null } | null | undefined): void {
    const text = keptNotice(result);
    this._kept.textContent = text ?? '';
    this._kept.hidden = !text;
  }

  /** Whose model this is; then ask the server whether that kernel still runs. True when gone. */
  async watchKernel(api: DlvizApi, kernelId: string | null, task: string | null): Promise<boolean> {
    this._kernelId = kernelId;
    this._task = task;
    if (!kernelId) {
      return this._gone;
    }
    const running = await api.runningKernelIds();
    // null: the server did not say (no permission, offline): claim nothing.
    if (running && !running.has(kernelId)) {
      this.markKernelGone();
    }
    return this._gone;
  }

  /** The kernel is gone (the server said so, or a round trip to the model failed on `run`). */
  markKernelGone(): void {
    this._gone = true;
    this._kernel.textContent = this.kernelMessage;
    this._kernel.hidden = false;
  }
}
