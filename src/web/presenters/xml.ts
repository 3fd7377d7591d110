// A tiny XML writer for feeds and OpenSearch descriptions: every string is escaped on the way in,
// so the output is well-formed whatever a notice contains.

/** A piece of XML that is already well-formed (made only by el()). */
export type Xml = { readonly xml: string };

// Characters XML 1.0 forbids anywhere, even escaped: C0 controls other than tab, newline and
// carriage return, unpaired surrogates, and U+FFFE/U+FFFF. They become U+FFFD.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text made safe for XML element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '\ufffd').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** An element with attributes (undefined ones left out) and children: strings are escaped text. */
export function el(name: string, attributes: Record<string, string | undefined> = {}, ...children: (Xml | string | undefined)[]): Xml {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value!)}"`)
    .join('');
  const content = children.map((child) => (child === undefined ? '' : typeof child === 'string' ? escapeXml(child) : child.xml)).join('');
  return { xml: content === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>` };
}

/** A whole XML document, with its declaration. */
export function xmlDocument(root: Xml): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.xml}\n`;
}
