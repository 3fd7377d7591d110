// What another server said, short enough for a log line or a page: HTML error pages lose their
// markup, whitespace runs become one space, and the text is cut.

/** The readable start of a remote answer (at most `max` characters), or "(empty)". */
export function answerExcerpt(body: string, max = 200): string {
  const text = body
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<\/?(br|p|div|li|tr|td|th|h\d|title|head|body|html|pre|table|ul|ol)\b[^>]*>/gi, ' ') // blocks part words
    .replace(/<[^>]*>/g, '') // inline markup (<b>, <a>) does not
    .replace(/&nbsp;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return '(empty)';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
