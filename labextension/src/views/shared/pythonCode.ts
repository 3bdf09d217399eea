/**
 * The notebook code of a run: Python literals written as Python's `repr` writes them (so the
 * "Insert code" cell reads like hand-written Python) and the cell that repeats a run through the
 * notebook API. The kernel writes the same text (`dlviz_kernel.code_for`); a view uses the
 * result's own `code` when the kernel sent it and this generator only when it did not.
 */

/** Python's `repr` of a string: single quotes unless the text has some and no double ones. */
export function pythonString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') {
      out += '\\\\';
    } else if (ch === quote) {
      out += '\\' + quote;
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (code < 0x20 || code === 0x7f) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out + quote;
}

/** Python's `repr` of a JSON number: integers plain, floats as Python writes them (1e-06). */
export function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value) ? "float('nan')" : value > 0 ? "float('inf')" : "-float('inf')";
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e16) {
    return String(value);
  }
  // The shortest digits that read back the same number (as Python's repr), placed as Python
  // does: scientific when the exponent is below -4 or 16 and above (1e-06, 1e+16), else fixed.
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) {
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  if (digits.length <= exponent + 1) {
    return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  }
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** Python's `repr` of JSON-like data on one line. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (value === true) {
    return 'True';
  }
  if (value === false) {
    return 'False';
  }
  if (typeof value === 'number') {
    return pythonNumber(value);
  }
  if (typeof value === 'string') {
    return pythonString(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map(pythonRepr).join(', ') + ']';
  }
  const entries = Object.entries(value as object).map(([k, v]) => `${pythonString(k)}: ${pythonRepr(v)}`);
  return '{' + entries.join(', ') + '}';
}

/** Longest line of generated code before a literal is split (as dlviz_kernel.notebook.LINE). */
export const CODE_LINE = 80;

/** A Python literal, one item per line where the flat form would pass CODE_LINE characters. */
export function pythonLiteral(value: unknown, indent = 0): string {
  const flat = pythonRepr(value);
  const container = value !== null && typeof value === 'object';
  const empty = container && (Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0);
  if (!container || empty || indent + flat.length <= CODE_LINE) {
    return flat;
  }
  const pad = ' '.repeat(indent + 4);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const lines = value.map(item => `${pad}${pythonLiteral(item, indent + 4)},`);
    return '[\n' + lines.join('\n') + '\n' + close + ']';
  }
  const lines = Object.entries(value as object).map(
    ([k, v]) => `${pad}${pythonString(k)}: ${pythonLiteral(v, indent + 4)},`
  );
  return '{\n' + lines.join('\n') + '\n' + close + '}';
}

/**
 * The notebook cell that repeats a run through the notebook API (docs/protocol.md, "Notebook
 * API"); the same text as `dlviz_kernel.code_for(task, params)`.
 */
export function codeFor(task: string, params: { [key: string]: any }): string {
  return (
    'import dlviz_kernel\n\n' +
    '# Repeats the run from the dlviz-lab panel: same data, network, settings and seed.\n' +
    `params = ${pythonLiteral(params)}\n` +
    `model, history = dlviz_kernel.train(${pythonString(task)}, params)\n`
  );
}
