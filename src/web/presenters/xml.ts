// A tiny XML writer for feeds and OpenSearch descriptions: every string is escaped on the way in,
// so the output is well-formed whatever a notice contains.

/** A piece of XML that is already well-formed (made only by el()). */
export type Xml = { readonly xml: string };

// Characters XML 1.0 forbids anywhere, even escaped: C0 controls other than tab, newline and
// carriage return, unpaired surrogates, and U+FFFE/U+FFFF. They become U+FFFD.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Cheap first looks (no /g state, no lookaround): most text has nothing to replace, and the full
// pattern above, with its surrogate-pair lookarounds, was most of a feed's escaping time.
const MAYBE_NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/** Text made safe for XML element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  const valid = MAYBE_NOT_XML.test(text) ? text.replace(NOT_XML, '\ufffd') : text;
  return SPECIAL.test(valid) ? valid.replace(SPECIALS, (c) => ENTITIES[c]!) : valid;
}

/** An element with attributes (undefined ones left out) and children: strings are escaped text. */
export function el(name: string, attributes: Record<string, string | undefined> = {}, ...children: (Xml | string | undefined)[]): Xml {
  let attrs = '';
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) attrs += ` ${key}="${escapeXml(value)}"`;
  }
  let content = '';
  for (const child of children) {
    if (child !== undefined) content += typeof child === 'string' ? escapeXml(child) : child.xml;
  }
  return { xml: content === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>` };
}

/** A whole XML document, with its declaration. */
export function xmlDocument(root: Xml): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.xml}\n`;
}
