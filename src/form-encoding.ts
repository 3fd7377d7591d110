// Strict reading of application/x-www-form-urlencoded text (form bodies and query strings). The
// usual parsers decode percent-escapes and bytes that are not valid UTF-8 into U+FFFD (or leave
// them escaped), after which nobody can tell them from text someone really typed. Here the bytes
// of every name and value are checked with a fatal UTF-8 decoder first: a value that fails is kept
// as an InvalidText, which no reader mistakes for a string, so it cannot be stored by accident;
// readForm turns such fields into a 400 that can show the form again with what was typed.
import { HttpError, ValidationError } from './errors.ts';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** A form or query value whose bytes were not valid UTF-8; `lossy` shows it with U+FFFD in their place. */
export class InvalidText {
  readonly lossy: string;
  constructor(lossy: string) {
    this.lossy = lossy;
  }
  // Never silently "[object Object]" in a page or a row: a reader that forgot the check fails loudly.
  toString(): string {
    throw new TypeError('invalid UTF-8 text must be refused, not used');
  }
  toJSON(): never {
    throw new TypeError('invalid UTF-8 text must be refused, not used');
  }
}

/** One field's value: a string, an InvalidText, or a list of them when the name repeats. */
export type FormValue = string | InvalidText | (string | InvalidText)[];
/** A parsed form, with a null prototype (a field named __proto__ is just a field). */
export type ParsedForm = Record<string, FormValue>;

/** Whether a value is text that was not valid UTF-8. */
export function isInvalidText(value: unknown): value is InvalidText {
  return value instanceof InvalidText;
}

const PLUS = 0x2b;
const PERCENT = 0x25;

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

// "+" is a space and "%XX" a byte; a "%" not followed by two hex digits stays as it is (as in WHATWG URL).
function unescapeBytes(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === PLUS) out[length++] = 0x20;
    else if (byte === PERCENT && hexValue(input[i + 1]) >= 0 && hexValue(input[i + 2]) >= 0) {
      out[length++] = hexValue(input[i + 1]) * 16 + hexValue(input[i + 2]);
      i += 2;
    } else out[length++] = byte;
  }
  return out.subarray(0, length);
}

function decode(bytes: Buffer): string | InvalidText {
  try {
    return strict.decode(bytes);
  } catch {
    return new InvalidText(lenient.decode(bytes));
  }
}

/**
 * Parses form-encoded bytes (or a query string); repeated names give a list. 400 when a field
 * name is not valid UTF-8, 413 when there are more than `maxFields` fields.
 */
export function parseFormStrict(input: Buffer | string, maxFields = Infinity): ParsedForm {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const form: ParsedForm = Object.create(null) as ParsedForm;
  let count = 0;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x26, start); // "&"
    if (end < 0) end = bytes.length;
    const pair = bytes.subarray(start, end);
    start = end + 1;
    if (pair.length === 0) continue;
    if (++count > maxFields) throw new HttpError(413, `Too many fields: at most ${maxFields} are accepted.`);
    const equals = pair.indexOf(0x3d); // "="
    const name = decode(unescapeBytes(equals < 0 ? pair : pair.subarray(0, equals)));
    const value = decode(unescapeBytes(equals < 0 ? Buffer.alloc(0) : pair.subarray(equals + 1)));
    if (isInvalidText(name)) throw new HttpError(400, 'A field name is not valid UTF-8 text.');
    const previous = form[name];
    if (previous === undefined) form[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else form[name] = [previous, value];
  }
  return form;
}

/** The end of the sentence that refuses a field: 'The field “x” ' + NOT_UTF8. */
export const NOT_UTF8 = 'could not be read: it contained bytes that are not UTF-8 text (shown as �). Check it and send it again.';

/** 400: fields whose bytes were not valid UTF-8; `values` holds every field asked for, as typed (U+FFFD for the bad bytes). */
export class InvalidTextError<K extends string = string> extends ValidationError {
  readonly values: Record<K, string>;
  constructor(fields: Record<string, string>, values: Record<K, string>) {
    super(fields, 400);
    this.values = values;
  }
}

/**
 * The named fields of a form body as typed ('' when absent), and the InvalidTextError to show the
 * form again with when any of them was not valid UTF-8; 400 when a field is repeated or nested.
 */
export function readForm<K extends string>(body: unknown, names: readonly K[]): { fields: Record<K, string>; invalid: InvalidTextError<K> | undefined } {
  const source = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const fields = {} as Record<K, string>;
  const problems: Record<string, string> = {};
  for (const name of names) {
    const value = source[name];
    if (value === undefined) fields[name] = '';
    else if (typeof value === 'string') fields[name] = value;
    else if (isInvalidText(value)) {
      fields[name] = value.lossy;
      problems[name] = `The field “${name}” ${NOT_UTF8}`;
    } else throw new HttpError(400, `The field “${name}” was sent more than once.`);
  }
  return { fields, invalid: Object.keys(problems).length > 0 ? new InvalidTextError(problems, fields) : undefined };
}
