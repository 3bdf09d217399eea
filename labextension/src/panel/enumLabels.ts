/**
 * The words of a select's choices. A task schema writes them beside each `enum` as
 * `x-enum-labels` (same length and order; the server translates them like titles). The form
 * shows them by turning such an enum into a `oneOf` of `{const: value, title: label}`, which
 * every rjsf 5 draws as a select of titles (JupyterLab's own rjsf reads no `ui:enumNames`) and
 * which the validator checks like the enum: the values sent stay the enum's values.
 */

/** The schema key holding the labels of an enum's values. */
export const ENUM_LABELS = 'x-enum-labels';

type Schema = { [key: string]: any };

/** Keywords whose value is an object of named schemas, and keywords whose value is data. */
const NAMED_SCHEMAS = [
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas'
];
const DATA_KEYS = ['default', 'examples', 'const', 'enum'];

/** The labels of a schema node's enum, or null when it has none or they do not match it. */
export function enumLabels(node: Schema): string[] | null {
  const values = node.enum;
  const labels = node[ENUM_LABELS];
  if (!Array.isArray(values) || !Array.isArray(labels) || labels.length !== values.length) {
    return null;
  }
  return labels.every(label => typeof label === 'string' && label !== '') ? labels : null;
}

/**
 * A copy of `schema` where every enum with labels, at any depth (nested objects, array items, a
 * multi-select's items), is a `oneOf` of constants titled with its labels. An enum without
 * labels stays as it is (the select shows its values).
 */
export function withEnumLabels(schema: any): any {
  if (Array.isArray(schema)) {
    return schema.map(item => withEnumLabels(item));
  }
  if (!schema || typeof schema !== 'object') {
    return schema;
  }
  const node = schema as Schema;
  const labels = enumLabels(node);
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === ENUM_LABELS || (labels && key === 'enum')) {
      continue;
    }
    if (NAMED_SCHEMAS.includes(key) && value && typeof value === 'object') {
      // {name: schema}: a field may be called `default` or `const` like the keywords
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, item]) => [name, withEnumLabels(item)])
      );
    } else {
      // values (defaults, examples, constants) are data, not schemas: copied as they are
      out[key] = DATA_KEYS.includes(key) ? value : withEnumLabels(value);
    }
  }
  if (labels) {
    out.oneOf = node.enum.map((value: unknown, index: number) => ({
      const: value,
      title: labels[index]
    }));
  }
  return out;
}
