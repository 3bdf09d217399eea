/**
 * The class at a glance, without DOM: the runs of this server grouped by the preset their form
 * came from (a run records the preset's name), the groups in the order the lesson used them, and
 * the run before or after one when an instructor flips through them. Tested by jest.
 */
import { IRun } from '../../api/client';

/** The runs of one preset (`preset` null: runs started without one), oldest first. */
export interface IRunGroup {
  preset: string | null;
  runs: IRun[];
}

/** When a run was created, in ms (0 when unknown), for ordering. */
export function createdAt(run: IRun): number {
  const at = typeof run.created === 'number' ? run.created : Date.parse(String(run.created ?? ''));
  return Number.isFinite(at) ? at : 0;
}

/**
 * Runs grouped by preset. Groups come in the order of their first run (a lesson's first preset
 * first); the runs without a preset last. Inside a group, oldest first.
 */
export function groupRuns(runs: readonly IRun[]): IRunGroup[] {
  const ordered = [...runs].sort((a, b) => createdAt(a) - createdAt(b));
  const groups = new Map<string | null, IRun[]>();
  for (const run of ordered) {
    const preset = typeof run.preset === 'string' && run.preset ? run.preset : null;
    if (!groups.has(preset)) {
      groups.set(preset, []);
    }
    groups.get(preset)!.push(run);
  }
  const named = [...groups.entries()].filter(([preset]) => preset !== null);
  const out: IRunGroup[] = named.map(([preset, list]) => ({ preset, runs: list }));
  const without = groups.get(null);
  if (without) {
    out.push({ preset: null, runs: without });
  }
  return out;
}

/** Every run in the order the groups list them: what Previous and Next move through. */
export function flipOrder(groups: readonly IRunGroup[]): IRun[] {
  return groups.flatMap(group => group.runs);
}

/**
 * The run `step` places after (1) or before (-1) `current` among `runs` that can be shown;
 * the first (or last) when `current` is not among them; null when none can be shown.
 */
export function flipTo(
  runs: readonly IRun[],
  current: string | null,
  step: 1 | -1,
  canShow: (run: IRun) => boolean
): IRun | null {
  const shown = runs.filter(canShow);
  if (!shown.length) {
    return null;
  }
  const at = shown.findIndex(run => run.id === current);
  if (at < 0) {
    return step === 1 ? shown[0] : shown[shown.length - 1];
  }
  return shown[(at + step + shown.length) % shown.length];
}
