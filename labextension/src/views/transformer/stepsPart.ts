/**
 * The Transformer view of a `transformer.steps` run (or `transformer.inspect` with view
 * "steps"): one head's arithmetic; another layer or head runs the task again in the same kernel.
 */
import { IRun } from '../../api/client';
import { resultOf, TransformerStepsFields } from '../../api/results';
import { runAndWatch } from '../../api/runAndWatch';
import { trans } from '../../i18n';
import { firstWords } from '../shared/format';
import { IPartHost, partBody, partHeader } from './parts';
import { IStepsPick, renderSteps } from './stepsView';

/** The steps of a run: a steps run, or an inspect run with view "steps" (the registry sends only these). */
function stepsOf(run: IRun): TransformerStepsFields {
  return resultOf(
    run,
    run.task as 'transformer.steps' | 'transformer.inspect'
  ) as TransformerStepsFields;
}

/** Draw the steps of `run`; returns the tab title. */
export function loadSteps(host: IPartHost, run: IRun): string {
  const result = stepsOf(run);
  partHeader(
    host,
    trans.__(
      'Model: %1 · %2 tokens · layer %3 of %4, head %5 of %6 · head size d = %7',
      String(result.model ?? ''),
      result.tokens.length,
      result.layer,
      result.num_layers,
      result.head,
      result.num_heads,
      result.head_dim
    ),
    trans.__(
      "How one attention head computes, with the model's own numbers. Pick a token to follow its row through every step; another layer or head runs the model again in the same kernel."
    )
  );
  // The header first: the body goes where the picture goes.
  const body = partBody(host, 'dlviz-steps-host');
  const draw = (r: TransformerStepsFields) =>
    renderSteps(body, r, pick => void askSteps(host, run, pick, body, draw));
  draw(result);
  return trans.__(
    'Attention step by step: %1',
    firstWords(String(run.params?.text ?? result.tokens.join(' ')))
  );
}

/** Run the steps task again for another layer and head, in the run's kernel, and redraw. */
async function askSteps(
  host: IPartHost,
  run: IRun,
  pick: IStepsPick,
  body: HTMLElement,
  draw: (result: TransformerStepsFields) => void
): Promise<void> {
  const status = document.createElement('div');
  status.className = 'dlviz-view-message dlviz-steps-busy';
  status.textContent = trans.__('Running layer %1, head %2 in the kernel…', pick.layer, pick.head);
  body.prepend(status);
  try {
    const next = await runAndWatch(
      host.api,
      run.task,
      { ...run.params, ...pick },
      { kernelId: run.kernel_id }
    );
    if (next) {
      draw(stepsOf(next));
    }
  } catch (error) {
    status.textContent = trans.__('Cannot run this step: %1', (error as Error).message);
  }
}
