/** The "Insert code" cell: Python literals as Python writes them. */
import { codeFor, pythonLiteral, pythonNumber, pythonRepr, pythonString } from '../../labextension/src/views/shared/pythonCode';

describe('notebook code', () => {
  it('writes Python literals as repr does', () => {
    expect(pythonString('plain')).toBe("'plain'");
    expect(pythonString("it's")).toBe('"it\'s"');
    expect(pythonString('a\'b"c\n')).toBe("'a\\'b\"c\\n'");
    expect(pythonNumber(1e-6)).toBe('1e-06');
    expect(pythonNumber(0.003)).toBe('0.003');
    expect(pythonNumber(32)).toBe('32');
    expect(pythonNumber(0.0001)).toBe('0.0001');
    expect(pythonNumber(-0.00001234)).toBe('-1.234e-05');
    expect(pythonNumber(123.5)).toBe('123.5');
    expect(pythonNumber(2.5e20)).toBe('2.5e+20');
    expect(pythonRepr({ a: [true, false, null], b: 'x' })).toBe("{'a': [True, False, None], 'b': 'x'}");
  });

  it('splits a literal over lines only where it is longer than 80 characters', () => {
    expect(pythonLiteral({ units: 64 })).toBe("{'units': 64}");
    const long = { names: ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)] };
    expect(pythonLiteral(long)).toBe(
      "{\n    'names': [\n        '" + 'a'.repeat(30) + "',\n        '" + 'b'.repeat(30) + "',\n        '" + 'c'.repeat(30) + "',\n    ],\n}"
    );
  });

  it('codeFor gives the same cell as dlviz_kernel.code_for', () => {
    // Expected text produced by kernels/dlviz_kernel/notebook.py code_for for these params.
    const params = {
      data: { source: 'digits', x: "my 'images'", validation_fraction: 0.25 },
      blocks: [
        { filters: 8, kernel_size: 3, activation: 'relu', batch_norm: true, pooling: 'max' },
        { filters: 16, kernel_size: 5, activation: 'tanh', batch_norm: false, pooling: 'none' }
      ],
      dense: [],
      training: { learning_rate: 1e-6, epochs: 2, note: null }
    };
    const expected =
      "import dlviz_kernel\n\n# Repeats the run from the dlviz-lab panel: same data, network, settings and seed.\nparams = {\n    'data': {'source': 'digits', 'x': \"my 'images'\", 'validation_fraction': 0.25},\n    'blocks': [\n        {\n            'filters': 8,\n            'kernel_size': 3,\n            'activation': 'relu',\n            'batch_norm': True,\n            'pooling': 'max',\n        },\n        {\n            'filters': 16,\n            'kernel_size': 5,\n            'activation': 'tanh',\n            'batch_norm': False,\n            'pooling': 'none',\n        },\n    ],\n    'dense': [],\n    'training': {'learning_rate': 1e-06, 'epochs': 2, 'note': None},\n}\nmodel, history = dlviz_kernel.train('cnn.train', params)\n";
    expect(codeFor('cnn.train', params)).toBe(expected);
  });
});
