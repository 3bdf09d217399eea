#!/usr/bin/env node
/*
 * TypeScript types of the task results, generated from the kernel's result schemas.
 *
 * Reads every kernels/dlviz_kernel/** /<task>.result.schema.json and writes one file per family,
 * labextension/src/api/results/<family>.generated.ts (one exported type per task, e.g.
 * `CnnTrainResult` for cnn.train, and one per titled definition, e.g. `ResultArray`), and the
 * index labextension/src/api/resultTypes.generated.ts (all of them re-exported, and
 * `TaskResultMap`, task id -> result type). `npm run build` runs it before tsc. Comments keep
 * the first sentence of a type's description and the array shapes of its fields; the schemas
 * hold the rest.
 *
 * It knows the part of JSON Schema the result schemas use: type, const, enum, properties,
 * required, additionalProperties, items, prefixItems, allOf, anyOf, oneOf and $ref (to
 * "#/$defs/x" or "<schema $id>#/$defs/x"). Anything else is an error, so a schema never
 * silently becomes a looser type; an open value is `unknown`, never `any`.
 *
 * `node labextension/scripts/result-types.js --check` writes nothing and exits 1 when the
 * file is out of date.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const schemaRoot = path.join(root, 'kernels', 'dlviz_kernel');
const target = path.join(root, 'labextension', 'src', 'api', 'resultTypes.generated.ts');
const resultsDir = path.join(root, 'labextension', 'src', 'api', 'results');
const SUFFIX = '.result.schema.json';
const SHARED = 'common.result';
// Keywords that only describe; every other keyword must be one this script turns into a type.
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$defs',
  '$comment',
  'title',
  'description',
  'default',
  'examples'
]);
// Keywords that only constrain values, with no effect on the TypeScript type.
const CHECKS = new Set([
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'contentEncoding',
  'dependentRequired',
  'unevaluatedProperties',
  'propertyNames'
]);
const TYPED = new Set([
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'prefixItems',
  'allOf',
  'anyOf',
  'oneOf',
  '$ref'
]);
const IDENTIFIER = /^[A-Z][A-Za-z0-9]*$/;

function findSchemas(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '__pycache__') {
      found.push(...findSchemas(full));
    } else if (entry.name.endsWith(SUFFIX)) {
      found.push(full);
    }
  }
  return found.sort();
}

/** `cnn.train.result` (a result schema's $id) -> `cnn.train`. */
function taskOf(schemaId) {
  return schemaId.slice(0, -'.result'.length);
}

/** `cnn.train` -> `CnnTrainResult`. */
function resultName(taskId) {
  const words = taskId.split(/[._-]/).map(w => w.charAt(0).toUpperCase() + w.slice(1));
  return words.join('') + 'Result';
}

function literal(value) {
  return typeof value === 'string'
    ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
    : JSON.stringify(value);
}

function propertyKey(name) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : literal(name);
}

/** A JSDoc comment, wrapped at about 100 characters. */
function comment(text, indent) {
  if (!text) {
    return '';
  }
  const words = text.replace(/\*\//g, '* /').split(/\s+/);
  const lines = [];
  let line = '';
  for (const word of words) {
    if (line && indent.length + 7 + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  if (lines.length === 1) {
    return `${indent}/** ${lines[0]} */\n`;
  }
  return `${indent}/**\n${lines.map(l => `${indent} * ${l}\n`).join('')}${indent} */\n`;
}

/** The parts of `type` joined by `sep` (| or &) outside brackets. */
function topLevel(type, sep) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const char = type[i];
    if ('([{'.includes(char)) {
      depth += 1;
    } else if (')]}'.includes(char)) {
      depth -= 1;
    } else if (depth === 0 && char === sep) {
      parts.push(type.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(type.slice(start).trim());
  return parts;
}

/** Whether `type` has a | or & outside brackets, so it needs parentheses inside another. */
function needsParens(type) {
  return topLevel(type, '|').length > 1 || topLevel(type, '&').length > 1;
}

class Generator {
  constructor(schemas) {
    this.schemas = schemas; // $id -> {schema, file}
    this.names = new Map(); // node -> declared name
    for (const [id, { schema }] of schemas) {
      if (id !== SHARED) {
        this.nameNode(schema, resultName(taskOf(id)), id);
      }
      this.collectTitles(schema, id);
    }
  }

  nameNode(node, name, id) {
    if ([...this.names.values()].some(n => n.name === name)) {
      throw new Error(`two result schema parts are named ${name} (${id})`);
    }
    this.names.set(node, { name, id });
  }

  /** Every subschema whose title is a TypeScript name becomes a named type. */
  collectTitles(node, id) {
    if (!node || typeof node !== 'object') {
      return;
    }
    if (!Array.isArray(node) && IDENTIFIER.test(node.title || '') && !this.names.has(node)) {
      this.nameNode(node, node.title, id);
    }
    for (const value of Object.values(node)) {
      this.collectTitles(value, id);
    }
  }

  resolve(ref, id) {
    const [base, pointer = ''] = ref.split('#');
    const schemaId = base || id;
    const entry = this.schemas.get(schemaId);
    if (!entry) {
      throw new Error(`${id}: $ref ${ref} names no result schema`);
    }
    let node = entry.schema;
    for (const part of pointer.split('/').filter(Boolean)) {
      node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (node === undefined) {
        throw new Error(`${id}: $ref ${ref} points nowhere`);
      }
    }
    return { node, id: schemaId };
  }

  /** The TypeScript type of a schema node; named nodes are referred to by name. */
  type(node, id, indent = '') {
    const named = this.names.get(node);
    if (named) {
      return named.name;
    }
    return this.inline(node, id, indent);
  }

  inline(node, id, indent) {
    if (node === true || (node && Object.keys(node).every(k => ANNOTATIONS.has(k)))) {
      return 'unknown';
    }
    if (node === false) {
      return 'never';
    }
    for (const key of Object.keys(node)) {
      if (!ANNOTATIONS.has(key) && !CHECKS.has(key) && !TYPED.has(key)) {
        throw new Error(`${id}: the keyword ${key} has no TypeScript type here`);
      }
    }
    const parts = [];
    if (node.$ref) {
      const target = this.resolve(node.$ref, id);
      parts.push(this.type(target.node, target.id, indent));
    }
    for (const member of node.allOf || []) {
      parts.push(this.type(member, id, indent));
    }
    const choices = node.anyOf || node.oneOf;
    if (choices) {
      parts.push(this.union(choices.map(c => this.type(c, id, indent))));
    }
    const own = this.own(node, id, indent);
    if (own) {
      parts.push(own);
    }
    if (parts.length > 1) {
      return parts.map(p => this.wrap(p)).join(' & ');
    }
    return parts.length ? parts[0] : 'unknown';
  }

  wrap(type) {
    return needsParens(type) ? `(${type})` : type;
  }

  union(types) {
    const unique = [...new Set(types)];
    return unique.length > 1 ? unique.map(t => this.wrap(t)).join(' | ') : unique[0];
  }

  /** The type from the node's own type/const/enum/properties keywords, or '' when none. */
  own(node, id, indent) {
    if ('const' in node) {
      return literal(node.const);
    }
    if (node.enum) {
      return this.union(node.enum.map(literal));
    }
    let types = node.type === undefined ? [] : [].concat(node.type);
    if (!types.length && (node.properties || node.required)) {
      types = ['object'];
    }
    if (!types.length && (node.items !== undefined || node.prefixItems)) {
      types = ['array'];
    }
    return types.length ? this.union(types.map(t => this.ofType(t, node, id, indent))) : '';
  }

  ofType(type, node, id, indent) {
    switch (type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array':
        return this.array(node, id, indent);
      case 'object':
        return this.object(node, id, indent);
      default:
        throw new Error(`${id}: unknown type ${type}`);
    }
  }

  array(node, id, indent) {
    if (node.prefixItems) {
      const items = node.prefixItems.map(item => this.type(item, id, indent));
      if (node.items !== false) {
        items.push(`...${this.wrap(this.type(node.items ?? true, id, indent))}[]`);
      }
      return `[${items.join(', ')}]`;
    }
    return `${this.wrap(this.type(node.items ?? true, id, indent))}[]`;
  }

  object(node, id, indent, expanded = false) {
    const inner = indent + '  ';
    const required = new Set(node.required || []);
    const lines = [];
    for (const [name, spec] of Object.entries(node.properties || {})) {
      const optional = required.has(name) ? '' : '?';
      // Only shapes ("[N, N]") come along: the schema holds every description.
      const doc = /\[/.test(spec.description || '') ? spec.description : '';
      lines.push(
        comment(doc, inner) +
          `${inner}${propertyKey(name)}${optional}: ${this.type(spec, id, inner)};\n`
      );
    }
    if (!node.properties && node.additionalProperties !== false) {
      const values =
        typeof node.additionalProperties === 'object'
          ? this.type(node.additionalProperties, id, inner)
          : 'unknown';
      lines.push(`${inner}[key: string]: ${values};\n`);
    }
    if (!lines.length) {
      return 'Record<string, never>';
    }
    const short = `{ ${lines
      .map(l => l.trim())
      .join(' ')
      .replace(/;$/, '')} }`;
    if (
      !expanded &&
      !short.includes('\n') &&
      !short.includes('/**') &&
      indent.length + short.length <= 80
    ) {
      return short;
    }
    return `{\n${lines.join('')}${indent}}`;
  }

  /** `export interface` for a plain object (extending named interfaces), else `export type`. */
  declare(node) {
    const { name, id } = this.names.get(node);
    // One line: the first sentence, or where the schema (with the whole description) lies.
    const first = (node.description || '').split(/(?<=\.) /)[0];
    const file = path.relative(root, this.schemas.get(id).file);
    const header = comment(first.length <= 93 ? first : `See ${file}.`, '');
    const bases = [];
    const refs = [...(node.$ref ? [{ $ref: node.$ref }] : []), ...(node.allOf || [])];
    for (const member of refs) {
      const base =
        member.$ref && Object.keys(member).length === 1
          ? this.resolve(member.$ref, id).node
          : member;
      if (this.names.has(base) && this.isInterface(base)) {
        bases.push(this.type(base, id));
      } else {
        bases.length = 0;
        break;
      }
    }
    if (this.isInterface(node) && bases.length === refs.length) {
      const extend = bases.length ? ` extends ${bases.join(', ')}` : '';
      return `${header}export interface ${name}${extend} ${this.object(node, id, '', true)}\n`;
    }
    const type = this.inline(node, id, '');
    const members = topLevel(type, '|');
    const long = `export type ${name} = ${type};`.length > 100 || type.includes('\n');
    if (long && members.length > 1) {
      return `${header}export type ${name} =\n${members.map(m => `  | ${m}`).join('\n')};\n`;
    }
    return `${header}export type ${name} = ${type};\n`;
  }

  isInterface(node) {
    return (
      !node.anyOf &&
      !node.oneOf &&
      !node.enum &&
      !('const' in node) &&
      (node.type === undefined || node.type === 'object') &&
      Boolean(node.properties)
    );
  }

  /**
   * The files: one per family (`api/results/<family>.generated.ts`: its task results first,
   * then its other named types by name, importing what other families declare) and the index
   * (`api/resultTypes.generated.ts`: every family re-exported, `TaskResultMap`, `TaskId`).
   */
  generate() {
    const families = new Map(); // family -> [name, declaration, isTask]
    const home = new Map(); // name -> family
    const tasks = [...this.schemas.keys()]
      .filter(id => id !== SHARED)
      .sort()
      .map(taskOf);
    const taskNames = new Set(tasks.map(resultName));
    for (const [node, { name, id }] of this.names) {
      const family = id.split('.')[0];
      home.set(name, family);
      if (!families.has(family)) {
        families.set(family, []);
      }
      families.get(family).push([name, this.declare(node), taskNames.has(name)]);
    }
    const files = new Map();
    const familyNames = [...families.keys()].sort();
    for (const family of familyNames) {
      const entries = families
        .get(family)
        .sort(([a, , ta], [b, , tb]) => Number(tb) - Number(ta) || (a < b ? -1 : a > b ? 1 : 0));
      const body = entries.map(([, text]) => text).join('\n');
      const imports = new Map(); // other family -> names
      for (const word of new Set(body.match(/\b[A-Z][A-Za-z0-9]*\b/g) || [])) {
        const other = home.get(word);
        if (other && other !== family) {
          imports.set(other, [...(imports.get(other) || []), word].sort());
        }
      }
      const importLines = [...imports.keys()]
        .sort()
        .map(
          other => `import type { ${imports.get(other).join(', ')} } from './${other}.generated';\n`
        )
        .join('');
      files.set(
        path.join(resultsDir, `${family}.generated.ts`),
        HEADER + (importLines ? importLines + '\n' : '') + body
      );
    }
    const map = tasks.map(task => `  ${literal(task)}: ${resultName(task)};\n`).join('');
    const taskImports = familyNames
      .map(family => [family, [...taskNames].filter(n => home.get(n) === family).sort()])
      .filter(([, names]) => names.length)
      .map(
        ([family, names]) =>
          `import type { ${names.join(', ')} } from './results/${family}.generated';\n`
      )
      .join('');
    files.set(
      target,
      [
        HEADER +
          familyNames.map(f => `export * from './results/${f}.generated';\n`).join('') +
          taskImports,
        `/** Task id -> the type of its run's result. */\nexport interface TaskResultMap {\n${map}}\n`,
        '/** A task id of the catalog. */\nexport type TaskId = keyof TaskResultMap;\n'
      ].join('\n')
    );
    return files;
  }
}

const HEADER =
  '/*\n * Generated by labextension/scripts/result-types.js from the task result schemas,\n' +
  ' * kernels/dlviz_kernel/<family>/<task>.result.schema.json (see docs/protocol.md).\n' +
  ' * The schemas describe every field; here, comments keep only array shapes.\n' +
  ' * Do not edit: change the schemas and run `npm run build:types`.\n */\n';

function main() {
  const schemas = new Map();
  for (const file of findSchemas(schemaRoot)) {
    const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof schema.$id !== 'string' || !schema.$id.endsWith('.result')) {
      throw new Error(`${file}: its $id must be "<task id>.result"`);
    }
    schemas.set(schema.$id, { schema, file });
  }
  const files = new Generator(schemas).generate();
  const stale = fs.existsSync(resultsDir)
    ? fs
        .readdirSync(resultsDir)
        .map(name => path.join(resultsDir, name))
        .filter(file => !files.has(file))
    : [];
  if (process.argv.includes('--check')) {
    const old = [...files].filter(
      ([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text
    );
    for (const file of [...old.map(([f]) => f), ...stale]) {
      console.error(`${path.relative(root, file)} is out of date: run npm run build:types`);
    }
    if (old.length || stale.length) {
      process.exit(1);
    }
    console.log(`result types: ${files.size} files up to date`);
    return;
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const file of stale) {
    fs.unlinkSync(file);
  }
  for (const [file, text] of files) {
    fs.writeFileSync(file, text);
  }
  console.log(`result types: ${schemas.size - 1} tasks -> ${files.size} files`);
}

main();
