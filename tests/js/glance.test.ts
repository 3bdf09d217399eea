/**
 * The class at a glance without DOM: runs grouped by the preset they came from, in the order the
 * lesson used them, and Previous / Next through the runs that have a view.
 */
import { IRun } from '../../labextension/src/api/client';
import { flipOrder, flipTo, groupRuns } from '../../labextension/src/views/glance/glanceLogic';
import { viewOfRun } from '../../labextension/src/views/registry';

function run(
  id: string,
  preset: string | null,
  minute: number,
  task = 'mlp.train',
  status = 'succeeded'
): IRun {
  return {
    id,
    task,
    params: {},
    kernel_id: 'k',
    status,
    progress: null,
    error: null,
    created: `2026-12-03T10:${String(minute).padStart(2, '0')}:00.000Z`,
    finished: null,
    preset
  } as IRun;
}

// as the server lists them: newest first
const RUNS = [
  run('f', null, 9, 'transformer.attention'),
  run('e', 'circle', 8),
  run('d', 'spiral', 7, 'mlp.train', 'failed'),
  run('c', 'circle', 5),
  run('b', null, 3, 'cnn.train', 'running'),
  run('a', 'spiral', 1)
];

describe('the class at a glance', () => {
  const groups = groupRuns(RUNS);

  it('groups runs by preset, in the order the lesson first used them, the others last', () => {
    expect(groups.map(g => g.preset)).toEqual(['spiral', 'circle', null]);
    expect(groups.map(g => g.runs.map(r => r.id))).toEqual([
      ['a', 'd'],
      ['c', 'e'],
      ['b', 'f']
    ]);
    // every run once
    expect(
      flipOrder(groups)
        .map(r => r.id)
        .sort()
    ).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('treats an empty or missing preset as none', () => {
    const loose = groupRuns([run('x', '', 1), { ...run('y', null, 2), preset: undefined }]);
    expect(loose).toEqual([{ preset: null, runs: [loose[0].runs[0], loose[0].runs[1]] }]);
    expect(groupRuns([])).toEqual([]);
  });

  it('flips through the runs that have a view, skipping a failed one, round and round', () => {
    const order = flipOrder(groups);
    const canShow = (r: IRun) => viewOfRun(r) !== null;
    const next = (current: string | null) => flipTo(order, current, 1, canShow)?.id ?? null;
    const previous = (current: string | null) => flipTo(order, current, -1, canShow)?.id ?? null;
    expect(next(null)).toBe('a');
    expect(next('a')).toBe('c'); // d failed: no view to show
    expect(next('e')).toBe('b'); // a running training run: its live monitor
    expect(next('f')).toBe('a'); // after the last, the first
    expect(previous('a')).toBe('f');
    expect(previous(null)).toBe('f');
    expect(flipTo(order, 'a', 1, () => false)).toBeNull();
  });

  it('opens a run in the view it has now: the live one while it trains, none once it failed', () => {
    expect(viewOfRun({ task: 'cnn.train', status: 'running' })?.command).toBe(
      'dlviz-lab:open-monitor'
    );
    expect(viewOfRun({ task: 'cnn.train', status: 'succeeded' })?.command).toBe(
      'dlviz-lab:open-cnn'
    );
    expect(viewOfRun({ task: 'cnn.train', status: 'failed' })).toBeNull();
    expect(viewOfRun({ task: 'transformer.attention', status: 'running' })).toBeNull();
  });
});
