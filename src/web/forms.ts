// Reading HTML form fields and query parameters as plain strings.
import { HttpError } from '../errors.ts';

/** The named fields of a form body as strings ('' when absent); 400 when a field is repeated or nested. */
export function formFields<K extends string>(body: unknown, names: readonly K[]): Record<K, string> {
  const source = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const fields = {} as Record<K, string>;
  for (const name of names) {
    const value = source[name];
    if (value === undefined) fields[name] = '';
    else if (typeof value === 'string') fields[name] = value;
    else throw new HttpError(400, `The field “${name}” was sent more than once.`);
  }
  return fields;
}

/** One query parameter as a string, or undefined; 400 when it is repeated. */
export function queryParam(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown>)[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new HttpError(400, `The parameter “${name}” was sent more than once.`);
}

/** A path on this site to go back to, or the fallback (never another site: "//host" is refused). */
export function localReturnPath(raw: string | undefined, fallback: string): string {
  if (raw && /^\/(?![/\\])[^\s]*$/.test(raw) && raw.length <= 4000) return raw; // long enough for an OMB authorization URL
  return fallback;
}
