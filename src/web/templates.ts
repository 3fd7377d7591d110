// How EJS renders the views: compiled once, without `with` and without per-line debug bookkeeping.
//
// By default EJS wraps each template in `with (locals) { ... }`, which makes every name the
// template reads (its own variables and EJS's output buffer included) a dynamic scope lookup, and
// with compileDebug it also stores the line number before each line. Together they were more than
// half of a timeline page's rendering time. Instead each template starts by reading the render data
// into variables (EJS's destructuredLocals): the names any view reads from its data, found once at
// start-up by scanning views/ for the identifiers in their code. A name that is not in the data
// is simply undefined, as with `with`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

// Words of the language, and the names EJS's compiled function already defines.
const NOT_LOCALS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof ' +
    'let new return super switch this throw try typeof var void while with yield true false null undefined of async await ' +
    'locals include escapeFn rethrow __output __append __locals __line __lines __filename'
  ).split(' '),
);

function viewFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return viewFiles(file);
    return entry.name.endsWith('.ejs') ? [file] : [];
  });
}

/**
 * Every identifier the code of the views may read from their render data: all identifiers in
 * their <% %> tags, but property names, object keys, words inside plain string literals, the
 * language's words and globals (URL, Object, ...). Taking a few names too many is harmless; a
 * template that declares one of them at its top level fails to compile (test/unit/templates.test.ts
 * compiles them all).
 */
export function templateLocals(viewsDir: string): string[] {
  const names = new Set<string>();
  for (const file of viewFiles(viewsDir)) {
    const text = readFileSync(file, 'utf8');
    for (const tag of text.matchAll(/<%[-=_]?(?!#)([\s\S]*?)[-_]?%>/g)) {
      const code = tag[1]!
        .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''") // plain strings hold no code (template literals may)
        .replace(/\.\s*[A-Za-z_$][\w$]*/g, '') // property reads: obj.name, obj?.name
        .replace(/([{,]\s*)[A-Za-z_$][\w$]*\s*:/g, '$1'); // object keys: { name: value }
      for (const [identifier] of code.matchAll(/[A-Za-z_$][\w$]*/g)) {
        if (!NOT_LOCALS.has(identifier) && !(identifier in globalThis)) names.add(identifier);
      }
    }
  }
  return [...names].sort();
}

/** The options every view is compiled with (the includes inherit them). */
export function templateOptions(viewsDir: string): ejs.Options {
  return {
    root: viewsDir, // includes by their path from views/: no stat() of the disk per include
    cache: true,
    compileDebug: false,
    _with: false,
    destructuredLocals: templateLocals(viewsDir),
  };
}

/** An Express view engine for the views under viewsDir. */
export function templateEngine(viewsDir: string): (file: string, data: object, done: (error: Error | null, html?: string) => void) => void {
  const options = templateOptions(viewsDir);
  return (file, data, done) => ejs.renderFile(file, data as ejs.Data, options, done);
}
