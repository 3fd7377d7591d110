// How EJS renders the views: compiled once, without `with` and without per-line debug bookkeeping.
//
// By default EJS wraps each template in `with (locals) { ... }`, which makes every name the
// template reads (its own variables and EJS's output buffer included) a dynamic scope lookup, and
// with compileDebug it also stores the line number before each line. Together they were more than
// half of a timeline page's rendering time. Instead each template starts by reading the names its
// code uses from the render data into constants, found once per template by scanning its code. A
// name that is not in the data is simply undefined, as with `with`.
import { readFileSync } from 'node:fs';
import ejs from 'ejs';

// Words of the language, and the names EJS's compiled function already defines.
const NOT_LOCALS = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof ' +
    'let new return super switch this throw try typeof var void while with yield true false null undefined of async await ' +
    'locals include escapeFn rethrow __output __append __locals __line __lines __filename'
  ).split(' '),
);

/**
 * Every identifier the code of a template may read from its render data: all identifiers in its
 * <% %> tags, but property names, object keys, words inside plain string literals, the language's
 * words and globals (URL, Object, and Object.prototype's names through globalThis), and the
 * text of template literals (their ${...} parts are code). Taking a few
 * names too many is harmless; a template that declares one of them at its top level fails to
 * compile (test/unit/templates.test.ts compiles them all).
 */
export function templateLocals(text: string): string[] {
  const names = new Set<string>();
  for (const tag of text.matchAll(/<%[-=_]?(?!#)([\s\S]*?)[-_]?%>/g)) {
    const code = tag[1]!
      .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''") // plain strings hold no code
      .replace(/`((?:[^`\\]|\\.)*)`/g, (_literal, body: string) => ` ${[...body.matchAll(/\$\{([^}]*)\}/g)].map((part) => part[1]).join(' ')} `) // template literals: only their ${...}
      .replace(/\.\s*[A-Za-z_$][\w$]*/g, '') // property reads: obj.name, obj?.name
      .replace(/([{,]\s*)[A-Za-z_$][\w$]*\s*:/g, '$1'); // object keys: { name: value }
    for (const [identifier] of code.matchAll(/[A-Za-z_$][\w$]*/g)) {
      if (!NOT_LOCALS.has(identifier) && !(identifier in globalThis)) names.add(identifier);
    }
  }
  return [...names].sort();
}

const sources = new Map<string, string>();

/**
 * A view's text as it is compiled: a first tag that reads the names its code uses from the data.
 * Kept once read: EJS asks for an included view's text on every include, before its own cache.
 */
export function viewSource(file: string): string {
  let source = sources.get(file);
  if (source === undefined) {
    const text = readFileSync(file, 'utf8');
    const names = templateLocals(text);
    source = names.length > 0 ? `<% const { ${names.join(', ')} } = locals; %>${text}` : text;
    sources.set(file, source);
  }
  return source;
}

/** The options every view is compiled with (the includes inherit them). */
export function templateOptions(viewsDir: string): ejs.Options {
  const options: ejs.Options & { unsafePrototypeLocals: boolean } = {
    root: viewsDir, // includes by their path from views/: no stat() of the disk per include
    cache: true,
    compileDebug: false,
    _with: false,
    // The data is Express's plain render object, and no name read from it is one of
    // Object.prototype's (they are globals, left out above): EJS need not copy it once more.
    unsafePrototypeLocals: true,
    includer: (_path, file) => ({ template: viewSource(file) }), // cached under its file's name
  };
  return options;
}

/** An Express view engine for the views under viewsDir: each view compiled on first use, then kept. */
export function templateEngine(viewsDir: string): (file: string, data: object, done: (error: Error | null, html?: string) => void) => void {
  const options = templateOptions(viewsDir);
  const compiled = new Map<string, ejs.TemplateFunction>();
  return (file, data, done) => {
    let html: string;
    try {
      let render = compiled.get(file);
      if (!render) {
        render = ejs.compile(viewSource(file), { ...options, filename: file, client: false, async: false }) as ejs.TemplateFunction;
        compiled.set(file, render);
      }
      html = render(data as ejs.Data);
    } catch (error) {
      return done(error as Error);
    }
    done(null, html);
  };
}
