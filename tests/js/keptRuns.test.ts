import { ApiError, errorFromBody } from '../../labextension/src/api/errors';
import {
  cancelledEpochs,
  epochAt,
  kernelGoneMessage,
  keptNotice,
  modelGone,
  positionOf,
  RunFailedError,
  shortId,
  snapshotEpochs
} from '../../labextension/src/api/keptRuns';
import { isWaiting } from '../../labextension/src/api/runStatus';
import { describeError, mapErrors, statusLine } from '../../labextension/src/panel/formLogic';

// The epochs a 32 MiB budget keeps of a 61-epoch run: every 4th and the last.
const THINNED = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 61];

describe('the epochs a run kept', () => {
  it('takes snapshots.epochs when it has one number per snapshot', () => {
    expect(snapshotEpochs({ epochs: THINNED }, THINNED.length)).toEqual(THINNED);
  });

  it('falls back to 0..count-1 when the result has no (or a mismatched) list', () => {
    expect(snapshotEpochs({}, 4)).toEqual([0, 1, 2, 3]);
    expect(snapshotEpochs(null, 3)).toEqual([0, 1, 2]);
    expect(snapshotEpochs({ epochs: [0, 4, 8] }, 4)).toEqual([0, 1, 2, 3]);
    expect(snapshotEpochs({ epochs: [0, 'x', 8] }, 3)).toEqual([0, 1, 2]);
  });

  it('maps slider positions to real epochs and back', () => {
    expect(epochAt(THINNED, 0)).toBe(0);
    expect(epochAt(THINNED, 2)).toBe(8);
    expect(epochAt(THINNED, 15)).toBe(60);
    expect(epochAt(THINNED, 16)).toBe(61);
    expect(epochAt(THINNED, 99)).toBe(61);
    expect(epochAt(THINNED, -3)).toBe(0);
    expect(positionOf(THINNED, 8)).toBe(2);
    expect(positionOf(THINNED, 61)).toBe(16);
    expect(positionOf(THINNED, -1)).toBe(16);
    // An epoch that was not kept shows the nearest kept one, the earlier on a tie.
    expect(positionOf(THINNED, 9)).toBe(2);
    expect(positionOf(THINNED, 10)).toBe(2);
    expect(positionOf(THINNED, 11)).toBe(3);
    expect(epochAt([], 3)).toBe(0);
    expect(positionOf([], 3)).toBe(0);
  });

  it('shows the kernel note only when a budget thinned the snapshots', () => {
    const message =
      'To stay within 32 MiB, snapshots were kept every 4th epoch and the last (17 of 62 epochs).';
    expect(
      keptNotice({
        kept: { snapshot_epochs: THINNED, every: 4, bytes: 1, budget_bytes: 2, message }
      })
    ).toBe(message);
    expect(
      keptNotice({
        kept: { snapshot_epochs: [0, 1], every: 1, bytes: 1, budget_bytes: 2, message: null }
      })
    ).toBeNull();
    expect(keptNotice({ kept: { message: '  ' } })).toBeNull();
    expect(keptNotice({})).toBeNull();
    expect(keptNotice(null)).toBeNull();
  });
});

describe('the epochs a cancelled run kept', () => {
  it('follows the plan of its progress events: 0, k, 2k, ... and the last finished epoch', () => {
    expect(cancelledEpochs(7, 3)).toEqual([0, 3, 6, 7]);
    expect(cancelledEpochs(6, 3)).toEqual([0, 3, 6]);
    expect(cancelledEpochs(0, 3)).toEqual([0]);
  });

  it('keeps the latest epoch only when the plan said so, and every epoch without a plan', () => {
    expect(cancelledEpochs(5, null)).toEqual([5]);
    expect(cancelledEpochs(3, undefined)).toEqual([0, 1, 2, 3]);
    expect(cancelledEpochs(2, 1)).toEqual([0, 1, 2]);
  });
});

describe('a model whose kernel is gone', () => {
  const kernel = '3f2a9c1e-5b7d-4e21-9a0c-7d1e2f3a4b5c';

  it('names the kernel by its short id and says what still works', () => {
    expect(shortId(kernel)).toBe('3f2a9c1e');
    expect(kernelGoneMessage(kernel, 'cnn.train')).toBe(
      'The trained model lived in kernel 3f2a9c1e, which is no longer running: the saved epochs below ' +
        'still show, but drawing a new image or inspecting another epoch needs the run again.'
    );
    expect(kernelGoneMessage(kernel, 'transformer.train')).toContain(
      'the neuron view or another sentence needs the run again'
    );
    expect(kernelGoneMessage(null)).toContain('kernel unknown');
  });

  it('is told by an inspect run failing on "run" or by a 404 on the kernel id', () => {
    expect(
      modelGone(new RunFailedError("No trained model is kept for run 'x' in this kernel", 'run'))
    ).toBe(true);
    expect(modelGone(new RunFailedError('Epoch 5 is not kept for this run', 'epoch'))).toBe(false);
    const noKernel = errorFromBody(
      404,
      'Not Found',
      JSON.stringify({
        message: `no kernel with id '${kernel}'`,
        errors: [
          { field: 'kernel_id', path: ['kernel_id'], message: `no kernel with id '${kernel}'` }
        ]
      })
    );
    expect(modelGone(noKernel)).toBe(true);
    expect(modelGone(new ApiError(404, "no run with id 'x'"))).toBe(false);
    expect(
      modelGone(new ApiError(500, 'boom', [{ field: 'kernel_id', path: [], message: 'x' }]))
    ).toBe(false);
    expect(modelGone(new Error('run'))).toBe(false);
  });
});

describe('answers the panel shows', () => {
  const schema = {
    properties: {
      text: { type: 'string' },
      training: { type: 'object', properties: { learning_rate: {} } }
    }
  };

  it('shows a full queue (429, no field) on the general line', () => {
    const error = errorFromBody(
      429,
      'Too Many Requests',
      JSON.stringify({
        message: "kernel 'k1' has 8 runs waiting; wait for one to finish or cancel one",
        errors: []
      })
    );
    expect(error.status).toBe(429);
    expect(error.message).toBe(
      "kernel 'k1' has 8 runs waiting; wait for one to finish or cancel one"
    );
    const { extraErrors, general } = mapErrors(error.errors, schema);
    expect(extraErrors).toEqual({});
    expect(general).toEqual([]);
  });

  it('puts a NaN next to its field and a too-deep body on the general line', () => {
    const nan = errorFromBody(
      400,
      'Bad Request',
      JSON.stringify({
        message: 'params.training.learning_rate: NaN is not a number JSON allows',
        errors: [
          {
            field: 'training.learning_rate',
            path: ['params', 'training', 'learning_rate'],
            message: 'NaN is not a number JSON allows'
          }
        ]
      })
    );
    const mapped = mapErrors(nan.errors, schema);
    expect(mapped.extraErrors).toEqual({
      training: { learning_rate: { __errors: ['NaN is not a number JSON allows'] } }
    });
    expect(mapped.general).toEqual([]);
    const deep = errorFromBody(
      400,
      'Bad Request',
      JSON.stringify({
        message: 'the body nests deeper than 32 levels',
        errors: [{ field: null, path: [], message: 'the body nests deeper than 32 levels' }]
      })
    );
    expect(mapErrors(deep.errors, schema).general).toEqual([
      'the body nests deeper than 32 levels'
    ]);
  });

  it('names the field of a value the form refuses before sending (a text over maxLength)', () => {
    expect(
      describeError({ property: '.text', message: 'must NOT have more than 1000 characters' })
    ).toBe('text must NOT have more than 1000 characters');
    expect(describeError({ stack: 'must be object' })).toBe('must be object');
  });

  it('says so in words while a queued run waits for a notebook cell', () => {
    const waiting = {
      phase: 'waiting',
      message: 'Waiting for the kernel: a notebook cell is still running'
    };
    expect(isWaiting('queued', waiting)).toBe(true);
    expect(isWaiting('running', waiting)).toBe(false);
    expect(isWaiting('queued', { step: 1, total: 4, message: 'Loading' })).toBe(false);
    expect(isWaiting('queued', null)).toBe(false);
    expect(statusLine('queued', waiting.message)).toBe(
      'queued: Waiting for the kernel: a notebook cell is still running'
    );
  });
});
