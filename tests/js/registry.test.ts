/**
 * The view registry: the one place that routes a task to its view. Loading it loads every view
 * module (and JupyterLab's widgets), so this also checks that each family's views import cleanly.
 */
import { entryOf, partOf, TASKS, VIEWS, viewFor } from '../../labextension/src/views/registry';

/** The kind of view a run of `task` opens at `moment` ('attention', 'monitor', 'cnn'), or null. */
function kindFor(task: string, moment: 'started' | 'succeeded'): string | null {
  return viewFor(task, moment)?.kind ?? null;
}

describe('which view a run opens', () => {
  it('attention opens its view when it succeeded, never at the start', () => {
    expect(kindFor('transformer.attention', 'started')).toBeNull();
    expect(kindFor('transformer.attention', 'succeeded')).toBe('attention');
  });

  it('a training run opens its monitor at the start and the CNN explorer when it succeeded', () => {
    expect(kindFor('cnn.train', 'started')).toBe('monitor');
    expect(kindFor('cnn.train', 'succeeded')).toBe('cnn');
    expect(kindFor('cnn.inspect', 'succeeded')).toBe('cnn');
    expect(kindFor('rnn.hidden_states', 'succeeded')).toBeNull();
  });

  it('the RNN family: training opens the monitor, then the RNN explorer; compare its own view', () => {
    expect(kindFor('rnn.train', 'started')).toBe('monitor');
    expect(kindFor('rnn.train', 'succeeded')).toBe('rnn');
    expect(entryOf('rnn.train')?.accuracy).toBe(true);
    expect(kindFor('rnn.inspect', 'succeeded')).toBe('rnn');
    expect(kindFor('rnn.units', 'succeeded')).toBe('rnn');
    expect(kindFor('rnn.inspect', 'started')).toBeNull();
    expect(kindFor('rnn.compare', 'succeeded')).toBe('rnn-compare');
    // the comparison view follows its cells live while they train
    expect(kindFor('rnn.compare', 'started')).toBe('rnn-compare');
  });

  it('an autoencoder run opens the monitor (no accuracy), then the autoencoder explorer', () => {
    expect(kindFor('autoencoder.train', 'started')).toBe('monitor');
    expect(kindFor('autoencoder.train', 'succeeded')).toBe('autoencoder');
    expect(entryOf('autoencoder.train')?.accuracy).toBe(false);
    expect(kindFor('autoencoder.inspect', 'succeeded')).toBe('autoencoder');
    expect(kindFor('autoencoder.inspect', 'started')).toBeNull();
  });

  it('a trained transformer opens the monitor, then the attention view; its monitor draws no accuracy', () => {
    expect(kindFor('transformer.train', 'started')).toBe('monitor');
    expect(kindFor('transformer.train', 'succeeded')).toBe('attention');
    expect(entryOf('transformer.train')?.accuracy).toBe(false);
    expect(entryOf('cnn.train')?.accuracy).toBe(true);
  });
});

describe('which part of the Transformer view a run fills', () => {
  it('follows the task, and for transformer.inspect its view param', () => {
    expect(partOf('transformer.steps', {})).toBe('steps');
    expect(partOf('transformer.projection', {})).toBe('projection');
    expect(partOf('transformer.attention', {})).toBe('attention');
    expect(partOf('transformer.inspect', { view: 'steps' })).toBe('steps');
    expect(partOf('transformer.inspect', { view: 'projection' })).toBe('projection');
    expect(partOf('transformer.inspect', { view: 'neuron' })).toBe('attention');
    expect(partOf('cnn.inspect', {})).toBeNull();
  });
});

describe('the registry itself', () => {
  it('lists each task once and each view once, with the command ids and restorer names saved layouts use', () => {
    const tasks = TASKS.map(entry => entry.task);
    expect(new Set(tasks).size).toBe(tasks.length);
    expect(VIEWS.map(view => [view.kind, view.command, view.namespace])).toEqual([
      ['attention', 'dlviz-lab:open-view', 'dlviz-lab-view'],
      ['monitor', 'dlviz-lab:open-monitor', 'dlviz-lab-monitor'],
      ['cnn', 'dlviz-lab:open-cnn', 'dlviz-lab-cnn'],
      ['mlp', 'dlviz-lab:open-mlp', 'dlviz-lab-mlp'],
      ['rnn', 'dlviz-lab:open-rnn', 'dlviz-lab-rnn'],
      ['rnn-compare', 'dlviz-lab:open-rnn-compare', 'dlviz-lab-rnn-compare'],
      ['autoencoder', 'dlviz-lab:open-autoencoder', 'dlviz-lab-autoencoder']
    ]);
    // Every view a task opens is one the application makes a command for.
    for (const entry of TASKS) {
      for (const view of [entry.started, entry.succeeded]) {
        if (view) {
          expect(VIEWS).toContain(view);
        }
      }
    }
  });

  it('gives each view of a run its own DOM id, as before the registry', () => {
    expect(VIEWS.map(view => view.id('a/b'))).toEqual([
      'dlviz-view-a_b',
      'dlviz-monitor-a_b',
      'dlviz-cnn-a_b',
      'dlviz-mlp-a_b',
      'dlviz-rnn-a_b',
      'dlviz-rnn-compare-a_b',
      'dlviz-autoencoder-a_b'
    ]);
  });
});
