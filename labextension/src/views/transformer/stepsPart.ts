/**
 * The Transformer view of a `transformer.steps` run (or `transformer.inspect` with view
 * "steps"): one head's arithmetic; another layer or head runs the task again in the same kernel.
 */
import { IRun } from '../../api/client';
import { runAndWatch } from '../../api/runAndWatch';
import { firstWords } from '../shared/format';
import { IPartHost, partBody, partHeader } from './parts';
import { IStepsPick, renderSteps } from './stepsView';

/** Draw the steps of `run`; returns the tab title. */
export function loadSteps(host: IPartHost, run: IRun): string {
  const result = run.result!;
  partHeader(
    host,
    `Model: ${String(result.model ?? '')} · ${result.tokens.length} tokens · layer ${result.layer} of ` +
      `${result.num_layers}, head ${result.head} of ${result.num_heads} · head size d = ${result.head_dim}`,
    'How one attention head computes, with the model\'s own numbers. Pick a token to follow its ' +
      'row through every step; another layer or head runs the model again in the same kernel.'
  );
  // The header first: the body goes where the picture goes.
  const body = partBody(host, 'dlviz-steps-host');
  const draw = (r: { [key: string]: any }) => renderSteps(body, r, pick => void askSteps(host, run, pick, body, draw));
  draw(result);
  return `Attention step by step: ${firstWords(String(run.params?.text ?? result.tokens.join(' ')))}`;
}

/** Run the steps task again for another layer and head, in the run's kernel, and redraw. */
async function askSteps(
  host: IPartHost,
  run: IRun,
  pick: IStepsPick,
  body: HTMLElement,
  draw: (result: { [key: string]: any }) => void
): Promise<void> {
  const status = document.createElement('div');
  status.className = 'dlviz-view-message dlviz-steps-busy';
  status.textContent = `Running layer ${pick.layer}, head ${pick.head} in the kernel…`;
  body.prepend(status);
  try {
    const next = await runAndWatch(host.api, run.task, { ...run.params, ...pick }, { kernelId: run.kernel_id });
    if (next) {
      draw(next.result);
    }
  } catch (error) {
    status.textContent = `Cannot run this step: ${(error as Error).message}`;
  }
}
