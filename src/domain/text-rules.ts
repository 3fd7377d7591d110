// Rules every piece of text follows, whoever wrote it: typed into a form here or sent by another server.

// Control characters other than tab, line feed and carriage return cannot be typed, break feeds
// (XML forbids them) and, for NUL, cannot be stored by Postgres at all.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const MAX_URI_BYTES = 255;

/** Whether the text holds a control character other than tab and line breaks. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Whether a value is an http(s) URL of at most 255 bytes (the longest any peer stores). */
export function isHttpUrl(value: string): boolean {
  if (byteLength(value) > MAX_URI_BYTES || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Whether a value is an identifier or notice URI from another server: an http(s) URL, or an old-style tag: URI. */
export function isRemoteUri(value: string): boolean {
  if (isHttpUrl(value)) return true;
  return byteLength(value) <= MAX_URI_BYTES && /^tag:[^\s,]+,\d{4}(-\d{2}(-\d{2})?)?:\S+$/.test(value);
}
