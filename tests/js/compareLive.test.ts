/**
 * The comparison view while it trains and the explorer opened from it, on a real `rnn.compare`
 * run (rnnRuns.fixture.json: copy task, RNN, LSTM and GRU of 6 units, 3 epochs each, recorded
 * with its epoch progress events; tests/js/make_rnn_fixture.py): the live curves from the
 * progress events equal the result's history, the overall progress, the cell's comparison and
 * kept epochs, its saved states (equal to the kernel's rnn.inspect of the cell, for a kernel
 * that is gone), and the registry opening the view at the start.
 */
import * as fs from 'fs';
import * as path from 'path';

import { decodeArrays } from '../../labextension/src/api/arrays';
import { IRun } from '../../labextension/src/api/client';
import {
  addCellProgress,
  compareCellOf,
  compareFraction,
  ILiveCell,
  onEpochAxis
} from '../../labextension/src/views/rnn/compareLogic';
import { curveCharts, stepChart } from '../../labextension/src/views/rnn/compareCharts';
import { keptEpochsIn } from '../../labextension/src/views/rnn/rnnLogic';
import { RnnInspected } from '../../labextension/src/views/rnn/rnnResult';
import { RnnRun } from '../../labextension/src/views/rnn/rnnRun';
import { viewFor } from '../../labextension/src/views/registry';

const runs = JSON.parse(fs.readFileSync(path.join(__dirname, 'rnnRuns.fixture.json'), 'utf8')) as {
  [name: string]: any;
};
const events: { [key: string]: unknown }[] = runs.compare.events;
const result = runs.compare.result;

describe('live curves of a comparison', () => {
  it('grow from the tagged epoch events and end equal to the result’s history', () => {
    let cells: ILiveCell[] = [];
    const sizes: number[] = [];
    for (const event of events) {
      cells = addCellProgress(cells, event);
      sizes.push(cells.reduce((n, c) => n + c.epochs.length, 0));
    }
    // one point more with every epoch event: 3 cells × 3 epochs
    expect(sizes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(cells.map(c => c.cell)).toEqual(result.cells.map((c: any) => c.cell));
    cells.forEach((c, k) => {
      const history = result.cells[k].history;
      expect(c.epochs).toEqual(history.epochs);
      history.validation_loss.forEach((v: number, i: number) =>
        expect(c.validation_loss[i]).toBeCloseTo(v, 6)
      );
      // a class per step: the step accuracy, as the result's history
      history.validation_accuracy.forEach((v: number, i: number) =>
        expect(c.validation_accuracy[i]).toBeCloseTo(v, 6)
      );
    });
    // a replayed event (a view opened late) replaces its point
    expect(addCellProgress(cells, events[4])).toEqual(cells);
    // other phases change nothing
    const train = { ...events[0], phase: 'train' };
    expect(addCellProgress(cells, train)).toBe(cells);
  });

  it('say how far the whole comparison is', () => {
    const fractions = events.map(e => compareFraction(e)!);
    expect(fractions[0]).toBeCloseTo(1 / 9, 6);
    expect(fractions[3]).toBeCloseTo(4 / 9, 6);
    expect(fractions[8]).toBeCloseTo(1, 6);
    expect(compareFraction({ step: 1, total: 2 })).toBe(0.5);
    expect(compareFraction({})).toBeNull();
  });

  it('draw one line per cell that has points, on an axis of the planned epochs', () => {
    let cells: ILiveCell[] = [];
    for (const event of events.slice(0, 4)) {
      cells = addCellProgress(cells, event);
    }
    const axis = onEpochAxis(
      cells.map(c => ({ epochs: c.epochs, values: c.validation_loss })),
      3
    );
    expect(axis.xs).toEqual([1, 2, 3]);
    expect(axis.values[1]).toEqual([cells[1].validation_loss[0], null, null]);
    const row = curveCharts(cells, { chance: null, planned: 3, suffix: '-live' });
    const loss = row.querySelector('[data-testid="dlviz-rnn-compare-loss-live"]')!;
    expect(loss.getAttribute('data-points')).toBe('4');
    // the RNN's 3 epochs and the LSTM's first: two lines, four dots
    expect(loss.querySelectorAll('path.dlviz-chart-line')).toHaveLength(2);
    expect(loss.querySelectorAll('circle')).toHaveLength(4);
    expect(row.querySelector('[data-testid="dlviz-rnn-compare-accuracy-live"]')).not.toBeNull();
  });

  it('draw the finished accuracy against chance and the top of the chance band', () => {
    const curves = result.cells.map((c: any) => ({
      cell: c.cell,
      epochs: c.history.epochs,
      validation_loss: c.history.validation_loss,
      validation_accuracy: c.history.validation_accuracy,
      bits_per_character: c.bits_per_character
    }));
    const band = result.chance_band as number[];
    expect(band[0]).toBeLessThan(result.chance);
    expect(band[1]).toBeGreaterThan(result.chance);
    const row = curveCharts(curves, { chance: result.chance, planned: 0, band });
    const accuracy = row.querySelector('[data-testid="dlviz-rnn-compare-accuracy"]')!;
    // three cells, chance and the band's top
    expect(accuracy.querySelectorAll('path.dlviz-chart-line')).toHaveLength(5);
    expect(row.textContent).toContain('not luck');
    expect(accuracy.getAttribute('data-points')).toBe('9');
  });

  it('draw the accuracy at each recalled step, from the result, against chance and its band', () => {
    const figure = stepChart(result.cells, result.chance, result.chance_band)!;
    const svg = figure.querySelector('[data-testid="dlviz-rnn-compare-steps"]')!;
    // the copy task of 2 symbols after a delay of 3: targets at steps 6 and 7 (1-based) only
    expect(svg.getAttribute('data-steps')).toBe('6,7');
    expect(result.cells[1].accuracy_by_step.slice(5)).toEqual([0.125, 0.25]);
    // three cells, chance and the band's top
    expect(svg.querySelectorAll('path.dlviz-chart-line')).toHaveLength(5);
    expect(figure.textContent).toContain('LSTM');
    // one prediction per sequence: no step chart
    const once = result.cells.map((c: any) => ({ ...c, accuracy_by_step: null }));
    expect(stepChart(once, result.chance, result.chance_band)).toBeNull();
  });

  it('open the comparison view at the start of the run, and again when it succeeded', () => {
    expect(viewFor('rnn.compare', 'started')?.kind).toBe('rnn-compare');
    expect(viewFor('rnn.compare', 'succeeded')?.kind).toBe('rnn-compare');
  });
});

describe('the explorer of a compared cell', () => {
  const compareRun = {
    id: 'cmp',
    task: 'rnn.compare',
    status: 'succeeded',
    result
  } as unknown as IRun;
  const getRun = async (id: string) => {
    if (id === 'cmp') {
      return compareRun;
    }
    throw new Error(`no run ${id}`);
  };
  /** The explorer of an `rnn.inspect` run of a cell (`cmp-gru`), as opened from the view. */
  async function explorerOf(cellRun: string): Promise<RnnRun> {
    const inspectRun = {
      id: `inspect-${cellRun}`,
      task: 'rnn.inspect',
      kernel_id: 'k1',
      status: 'succeeded',
      params: { run: cellRun }
    } as unknown as IRun;
    const run = new RnnRun();
    await run.useSource(inspectRun, { run: cellRun, epoch: null }, getRun);
    return run;
  }

  it('finds its comparison, data set and epochs from the cell’s run id', async () => {
    const gru = await compareCellOf('cmp-gru', getRun);
    expect(gru).not.toBeNull();
    expect(gru!.compareRun).toBe('cmp');
    expect(gru!.cell).toBe('gru');
    expect(gru!.dataset.name).toBe(result.dataset.name);
    expect(gru!.epochs).toEqual([0, 1, 2, 3]);
    const history = result.cells[2].history.validation_accuracy;
    expect(gru!.accuracy).toBeCloseTo(history[history.length - 1], 6);
    expect(await compareCellOf('cmp-xyz', getRun)).toBeNull();
    expect(await compareCellOf('other-lstm', getRun)).toBeNull();
  });

  it('gives the explorer of an inspect run of that cell an epoch slider over its epochs', async () => {
    const run = await explorerOf('cmp-gru');
    expect(run.epochs).toEqual([0, 1, 2, 3]);
    expect(run.epochLabel()).toBe('after epoch 3 of 3');
    expect(run.inspectParams({ index: 0 })).toEqual({
      run: 'cmp-gru',
      epoch: -1,
      input: { index: 0, variable: '' }
    });
    run.moveTo(0);
    expect(run.epochLabel()).toBe('before training (random weights)');
    expect(run.inspectParams({ index: 0 })).toMatchObject({ run: 'cmp-gru', epoch: 0 });
    expect(run.kernelId).toBe('k1');
    expect(run.facts(null).map(([label]) => label)).toEqual([
      'Data',
      'Validation accuracy',
      'Compared in run'
    ]);
    // the kernel kept fewer (a byte budget): the slider offers those, at the nearest one
    run.moveTo(2);
    run.useKept([0, 3]);
    expect(run.epochs).toEqual([0, 3]);
    expect(run.epoch).toBe(3);
  });

  it('draws the saved states of the cell once its kernel is gone, as rnn.inspect computed them', async () => {
    const lstm = result.cells[1];
    const run = await explorerOf('cmp-lstm');
    // the slider offers the epochs the cell kept, as its result lists them
    expect(run.epochs).toEqual(lstm.kept.snapshot_epochs);
    expect(run.canReplay).toBe(true);
    run.moveTo(1);
    const saved = run.saved()!;
    const real = decodeArrays(runs.compare.lstm_epoch1) as RnnInspected;
    expect(saved.source).toEqual({ run: 'cmp-lstm', model: null, epoch: 1 });
    expect(saved.network.cell).toBe('lstm');
    expect(saved.input.index).toBe(real.input.index);
    const states = saved.layers[0].hidden;
    expect(states.shape).toEqual(real.layers[0].hidden.shape);
    let difference = 0;
    states.data.forEach((value, i) => {
      difference = Math.max(difference, Math.abs(value - real.layers[0].hidden.data[i]));
    });
    expect(difference).toBeLessThan(1e-5);
    // the most likely symbol at each step, as the kernel ranks them
    expect(Array.from(saved.predictions.top_k!.indices.data)).toEqual(
      Array.from(real.predictions.top_k!.indices.data)
    );
  });

  it('offers every epoch of a comparison saved before cells kept their states', async () => {
    const older = {
      ...result,
      cells: result.cells.map(({ sample, snapshots, kept, model, ...rest }: any) => rest)
    };
    const getOlder = async () => ({ ...compareRun, result: older }) as IRun;
    const gru = await compareCellOf('cmp-gru', getOlder);
    expect(gru!.saved).toBeNull();
    expect(gru!.epochs).toEqual([0, 1, 2, 3]);
  });

  it('reads the kept epochs from the kernel’s answer to an epoch it did not keep', () => {
    // rnn.inspect's error for `{"run": "cmp-gru", "epoch": 7}`, recorded in the fixture's run
    expect(keptEpochsIn('Epoch 7 is not kept for this run; kept epochs: [0, 1, 2, 3].')).toEqual([
      0, 1, 2, 3
    ]);
    expect(keptEpochsIn('Epoch 7 is not kept for this run; kept epochs: [].')).toBeNull();
    expect(keptEpochsIn('the kernel was shut down')).toBeNull();
  });
});
