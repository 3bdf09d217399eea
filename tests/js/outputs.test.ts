/**
 * The notebook outputs of show.filters, show.hidden_states, show.decision_boundary,
 * show.latent_space and show.training_curves: their pure logic with real values, and each
 * renderer building its canvases at the sizes the payload asks for (jsdom: no pixels).
 */
import {
  boundaryPixels,
  CLASS_COLORS,
  classColor,
  curveGroups,
  kernelOf,
  mix,
  mosaic,
  parseColor,
  planeScale,
  pointRange,
  stepLabels,
  transpose
} from '../../labextension/src/views/outputs/outputLogic';
import { rendererFor } from '../../labextension/src/views/outputs';
import { VIEW_MIME_TYPE, ViewOutput } from '../../labextension/src/views/notebookOutput';
import { encode, float32 } from './helpers';

function uint8(shape: number[], values: number[]) {
  return encode('uint8', shape, values, (v, o, x) => v.setUint8(o, x), 1);
}

describe('boundaryPixels', () => {
  // 2 x 2 grid, 2 classes; payload row 0 is the lowest y, so it lands on the image's last row.
  const predicted = [0, 1, 1, 0];
  const probabilities = [1, 0, 0.5, 0.5, 0.25, 0.75, 0.6, 0.4];
  const white: [number, number, number] = [255, 255, 255];
  const pixels = boundaryPixels(predicted, probabilities, 2, 2, white);
  const at = (row: number, col: number) =>
    Array.from(pixels.slice((row * 2 + col) * 4, (row * 2 + col) * 4 + 4));
  it('puts the payload row 0 (smallest y) at the bottom of the picture', () => {
    // cell (0, 0): class 0, certain -> 0.15 + 0.6 = 0.75 of class 0's colour
    expect(at(1, 0)).toEqual([...mix(white, CLASS_COLORS[0], 0.75), 255]);
  });
  it('makes an even guess faint and a surer answer stronger', () => {
    expect(at(1, 1)).toEqual([...mix(white, CLASS_COLORS[1], 0.15), 255]); // p = 0.5 of 2
    expect(at(0, 0)).toEqual([...mix(white, CLASS_COLORS[1], 0.15 + 0.6 * 0.5), 255]); // p = 0.75
    expect(at(0, 1)).toEqual([...mix(white, CLASS_COLORS[0], 0.15 + 0.6 * 0.2), 255]); // p = 0.6
  });
});

describe('small helpers', () => {
  it('repeats the class palette and reads theme colours', () => {
    expect(classColor(10)).toEqual(CLASS_COLORS[0]);
    expect(classColor(3)).toEqual([214, 39, 40]);
    expect(parseColor('#fff', [0, 0, 0])).toEqual([255, 255, 255]);
    expect(parseColor(' #111111 ', [0, 0, 0])).toEqual([17, 17, 17]);
    expect(parseColor('rgb(1, 2, 3)', [0, 0, 0])).toEqual([1, 2, 3]);
    expect(parseColor('var(--x)', [9, 9, 9])).toEqual([9, 9, 9]);
  });
  it('scales the plane with y upward', () => {
    expect(planeScale([-2, 2], 100)(0)).toBe(50);
    expect(planeScale([-2, 2], 100, true)(2)).toBe(0);
    expect(planeScale([-2, 2], 100, true)(-2)).toBe(100);
    expect(pointRange([0, 5, 10, -5], 0, 0.1)).toEqual([-1, 11]);
    expect(pointRange([0, 5, 10, -5], 1, 0)).toEqual([-5, 5]);
  });
  it('takes one kernel out of filters [out, in, kh, kw]', () => {
    const data = Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
    expect(Array.from(kernelOf(data, [2, 3, 2, 2], 1, 2))).toEqual([20, 21, 22, 23]);
  });
  it('transposes steps x units into units x steps', () => {
    expect(Array.from(transpose([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
  it('lays tiles out with one empty value between them', () => {
    const { values, height, width } = mosaic(
      [
        [1, 2],
        [3, 4],
        [5, 6]
      ],
      1,
      2,
      2
    );
    expect([height, width]).toEqual([3, 5]);
    expect(Array.from(values.slice(0, 5))).toEqual([1, 2, NaN, 3, 4]);
    expect(Array.from(values.slice(10, 12))).toEqual([5, 6]);
  });
  it('labels steps with characters, spaces visible, and thins them when crowded', () => {
    expect(stepLabels(['h', 'i', ' ', '\n'], 4, 12)).toEqual({
      text: ['h', 'i', '␣', '↵'],
      every: 1
    });
    expect(stepLabels(null, 100, 3).text[42]).toBe('42');
    expect(stepLabels(null, 100, 3).every).toBeGreaterThan(1);
  });
  it('puts accuracies on their own chart', () => {
    const { loss, accuracy } = curveGroups([
      { name: 'loss' },
      { name: 'val_accuracy' },
      { name: 'val_loss' }
    ]);
    expect(loss.map(s => s.name)).toEqual(['loss', 'val_loss']);
    expect(accuracy.map(s => s.name)).toEqual(['val_accuracy']);
  });
});

describe('renderers', () => {
  it('knows each family view and no other', () => {
    for (const view of [
      'filters',
      'hidden_states',
      'decision_boundary',
      'latent_space',
      'training_curves'
    ]) {
      expect(rendererFor(view)).not.toBeNull();
    }
    expect(rendererFor('toString')).toBeNull();
    expect(rendererFor('graph')).toBeNull();
  });

  it('draws filters as one mosaic: 4 filters of 1 x 3 x 3 in a row, maps 4 x 5 x 5', () => {
    const node = document.createElement('div');
    rendererFor('filters')!(
      {
        view: 'filters',
        model: 'Net',
        layer: '0',
        out_channels: 4,
        in_channels: 1,
        filters: float32(
          [4, 1, 3, 3],
          Array.from({ length: 36 }, (_, i) => i - 18)
        ),
        feature_maps: float32(
          [4, 5, 5],
          Array.from({ length: 100 }, (_, i) => i)
        ),
        image: float32(
          [1, 7, 7],
          Array.from({ length: 49 }, (_, i) => i)
        )
      },
      node
    );
    const filters = node.querySelector('canvas.dlviz-output-filters') as HTMLCanvasElement;
    expect([filters.width, filters.height]).toEqual([4 * 4 - 1, 3]);
    const maps = node.querySelector('canvas.dlviz-output-maps') as HTMLCanvasElement;
    expect([maps.width, maps.height]).toEqual([4 * 6 - 1, 5]);
    expect(node.textContent).toContain('Net, layer 0: 4 filters of 1 x 3 x 3');
  });

  it('draws hidden states as units x steps with a choice of gates', () => {
    const node = document.createElement('div');
    const steps = 5;
    const units = 3;
    const values = Array.from({ length: steps * units }, (_, i) => i / 20);
    const gate = float32([steps, units], values);
    rendererFor('hidden_states')!(
      {
        view: 'hidden_states',
        model: 'CharLSTM',
        cell: 'lstm',
        num_layers: 1,
        hidden_size: 3,
        units_shown: 3,
        steps,
        steps_total: steps,
        labels: ['h', 'e', 'l', 'l', 'o'],
        layers: [
          {
            layer: 0,
            direction: 'forward',
            hidden: gate,
            cell: gate,
            gates: { input: gate, forget: gate, cell: gate, output: gate }
          }
        ]
      },
      node
    );
    const map = node.querySelector('canvas.dlviz-output-states') as HTMLCanvasElement;
    expect([map.width, map.height]).toEqual([steps, units]);
    const options = Array.from(node.querySelectorAll('select option')).map(
      o => (o as HTMLOptionElement).value
    );
    expect(options).toEqual([
      'hidden',
      'cell',
      'gate:input',
      'gate:forget',
      'gate:cell',
      'gate:output'
    ]);
    // the forget gate: values 0..0.7 drawn on the 0..1 scale
    const select = node.querySelectorAll('select')[0] as HTMLSelectElement;
    select.value = 'gate:forget';
    select.dispatchEvent(new Event('change'));
    expect(node.querySelector('canvas.dlviz-output-states')).not.toBe(map);
    const steps16 = node.querySelector('canvas.dlviz-output-steps') as HTMLCanvasElement;
    expect(steps16.width).toBe(steps * 16);
  });

  it('draws the decision boundary on a square plane and names the classes', () => {
    const node = document.createElement('div');
    rendererFor('decision_boundary')!(
      {
        view: 'decision_boundary',
        model: 'MLP',
        grid: 2,
        x_range: [-1, 1],
        y_range: [-1, 1],
        classes: 2,
        class_names: ['cats', 'dogs'],
        accuracy: 0.75,
        points_total: 2,
        predicted: uint8([2, 2], [0, 1, 1, 0]),
        probabilities: float32([2, 2, 2], [1, 0, 0.5, 0.5, 0.25, 0.75, 0.6, 0.4]),
        points: float32([2, 2], [0, 0, 0.5, 0.5]),
        labels: uint8([2], [0, 1])
      },
      node
    );
    const canvas = node.querySelector('canvas') as HTMLCanvasElement;
    expect([canvas.width, canvas.height]).toEqual([360, 360]);
    expect(canvas.dataset.grid).toBe('2');
    expect(node.textContent).toContain('MLP: 2 classes, 2 points, accuracy 75.0%');
    expect(node.querySelector('.dlviz-legend')!.textContent).toBe('catsdogs');
  });

  it('says the latent space was projected, and lays the decoded images in a grid', () => {
    const node = document.createElement('div');
    rendererFor('latent_space')!(
      {
        view: 'latent_space',
        model: 'Encoder',
        latent_dims: 5,
        method: 'pca',
        points: float32([3, 2], [0, 0, 1, 1, 2, 0]),
        labels: uint8([3], [0, 2, 2]),
        decoded: {
          grid: 2,
          images: float32(
            [4, 3, 3],
            Array.from({ length: 36 }, (_, i) => i)
          )
        }
      },
      node
    );
    expect(node.textContent).toContain('5-D codes, drawn on their first two principal axes (PCA)');
    const decoded = node.querySelector('canvas.dlviz-output-decoded') as HTMLCanvasElement;
    expect([decoded.width, decoded.height]).toEqual([7, 7]);
    expect(node.querySelectorAll('.dlviz-legend-item').length).toBe(2);
  });

  it('draws losses and accuracies on two charts, gaps kept', () => {
    const node = document.createElement('div');
    rendererFor('training_curves')!(
      {
        view: 'training_curves',
        epochs: [1, 2, 3],
        series: [
          { name: 'loss', values: [1, 0.5, 0.25] },
          { name: 'val_accuracy', values: [0.5, null, 0.9] }
        ]
      },
      node
    );
    const charts = node.querySelectorAll('svg.dlviz-chart');
    expect(charts.length).toBe(2);
    expect(charts[0].querySelectorAll('circle').length).toBe(3);
    expect(charts[1].querySelectorAll('circle').length).toBe(2);
  });

  it('throws (so the output says what is wrong) when the arrays are missing', () => {
    expect(() =>
      rendererFor('filters')!({ view: 'filters' }, document.createElement('div'))
    ).toThrow('no filters');
  });
});

describe('ViewOutput (the MIME renderer)', () => {
  const render = async (payload: unknown) => {
    const output = new ViewOutput({ mimeType: VIEW_MIME_TYPE } as any, {} as any);
    await output.renderModel({ data: { [VIEW_MIME_TYPE]: payload } } as any);
    return output.node as HTMLElement;
  };

  it('hands a family view to its renderer', async () => {
    const node = await render({
      view: 'training_curves',
      epochs: [1, 2],
      series: [{ name: 'loss', values: [2, 1] }]
    });
    expect(node.querySelectorAll('svg.dlviz-chart').length).toBe(1);
  });
  it('keeps the message for a view this version does not know', async () => {
    const node = await render({ view: 'graph' });
    expect(node.textContent).toBe(
      'This dlviz-lab output has a view this version cannot draw: graph.'
    );
  });
  it('says what is wrong with a broken family payload', async () => {
    const node = await render({ view: 'decision_boundary' });
    expect(node.textContent).toBe(
      'Cannot draw this dlviz-lab output: the output holds no grid of predictions'
    );
  });
});
