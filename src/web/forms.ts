// Reading HTML form fields and query parameters as plain strings. Bodies and query strings are
// parsed strictly (form-encoding.ts): a value whose bytes were not valid UTF-8 arrives as an
// InvalidText, and is refused here with 400 rather than read as text.
import { HttpError } from '../errors.ts';
import { InvalidTextError, isInvalidText, NOT_UTF8, readForm } from '../form-encoding.ts';

export { InvalidTextError, readForm };

/** The named fields of a form body as strings ('' when absent); 400 when one is repeated, nested or not valid UTF-8. */
export function formFields<K extends string>(body: unknown, names: readonly K[]): Record<K, string> {
  const { fields, invalid } = readForm(body, names);
  if (invalid) throw invalid;
  return fields;
}

/** One query parameter as a string, or undefined; 400 when it is repeated or not valid UTF-8. */
export function queryParam(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown>)[name];
  if (value === undefined || typeof value === 'string') return value;
  if (isInvalidText(value)) throw new InvalidTextError({ [name]: `The parameter “${name}” ${NOT_UTF8}` }, { [name]: value.lossy });
  throw new HttpError(400, `The parameter “${name}” was sent more than once.`);
}

/** A path on this site to go back to, or the fallback (never another site: "//host" is refused). */
export function localReturnPath(raw: string | undefined, fallback: string): string {
  if (raw && /^\/(?![/\\])[^\s]*$/.test(raw) && raw.length <= 4000) return raw; // long enough for an OMB authorization URL
  return fallback;
}
