// Ids that arrive in URLs and forms.

/** A positive database id from its decimal text, or undefined for anything else. */
export function parseId(raw: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}
