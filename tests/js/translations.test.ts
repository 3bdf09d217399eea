/**
 * Every message of the frontend is in every catalog: the `trans.__('...')` calls of
 * labextension/src (found with the rule of FRONTEND_CALL in dlviz_lab/translations.py) are keys
 * of the Portuguese (Brazil) and Spanish catalogs that JupyterLab loads, each with a non-empty
 * translation that has the same `%1`, `%2` placeholders as its English message.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCES = path.join(ROOT, 'labextension', 'src');
const LANGUAGES = ['pt_BR', 'es_ES'];

/** The same pattern as FRONTEND_CALL: `trans.__(` then one quoted literal. */
const FRONTEND_CALL = /trans\.__\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gs;

/** The text of a literal's body, its escapes read as Python's unicode_escape reads them. */
function unescape(body: string): string {
  const simple: { [c: string]: string } = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '`': '`'
  };
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, code: string) => {
    if (code.length > 1) {
      return String.fromCharCode(parseInt(code.slice(1), 16));
    }
    return simple[code] ?? `\\${code}`;
  });
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out.sort();
}

/** Every message id of the frontend, with the first file that uses it. */
function frontendMessages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(SOURCES)) {
    const text = fs.readFileSync(file, 'utf-8');
    for (const match of text.matchAll(FRONTEND_CALL)) {
      const id = match[2].includes('\\') ? unescape(match[2]) : match[2];
      if (!found.has(id)) {
        found.set(id, path.relative(ROOT, file));
      }
    }
  }
  return found;
}

/** A catalog as JupyterLab loads it: `{"": header, msgid: [translation, ...]}`. */
function catalog(language: string): { [id: string]: unknown } {
  const file = path.join(ROOT, 'dlviz_lab', 'locale', language, 'LC_MESSAGES', 'dlviz_lab.json');
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** The placeholders of a message, sorted: `%1`, `%2`, ... */
function placeholders(text: string): string[] {
  return (text.match(/%\d+/g) ?? []).sort();
}

describe('translations of the frontend', () => {
  const messages = frontendMessages();

  it('finds the messages of the panel, the commands and the views', () => {
    expect(messages.get('Open DL Viz panel')).toBe(path.join('labextension', 'src', 'index.ts'));
    expect(messages.get('Scratch kernel')).toBe(
      path.join('labextension', 'src', 'panel', 'formLogic.ts')
    );
    expect(messages.has('Epoch %1 of %2')).toBe(true);
    expect(messages.size).toBeGreaterThan(100);
  });

  it('reads escapes in a literal the way the Python extractor does', () => {
    expect(unescape("it\\'s \\u00e9poca\\n")).toBe("it's época\n");
  });

  for (const language of LANGUAGES) {
    describe(language, () => {
      const entries = catalog(language);

      it('has every message id, each with a non-empty translation', () => {
        const missing: string[] = [];
        for (const [id, file] of messages) {
          const value = entries[id];
          const text = Array.isArray(value) ? value[0] : undefined;
          if (typeof text !== 'string' || !text.trim()) {
            missing.push(`${file}: ${JSON.stringify(id)}`);
          }
        }
        expect(missing).toEqual([]);
      });

      it('keeps the placeholders of each message', () => {
        const wrong: string[] = [];
        for (const id of messages.keys()) {
          const value = entries[id];
          const text = Array.isArray(value) ? value[0] : undefined;
          if (
            typeof text === 'string' &&
            text.trim() &&
            placeholders(text).join() !== placeholders(id).join()
          ) {
            wrong.push(`${JSON.stringify(id)} -> ${JSON.stringify(text)}`);
          }
        }
        expect(wrong).toEqual([]);
      });
    });
  }
});
