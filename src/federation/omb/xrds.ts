// XRDS documents: the one we publish for each user (exactly the shape StatusNet's parser needs)
// and a tolerant, namespace-aware reader for the ones peers publish.
import { XMLParser } from 'fast-xml-parser';
import {
  OAUTH_ACCESS,
  OAUTH_AUTH_HEADER,
  OAUTH_AUTHORIZE,
  OAUTH_DISCOVERY,
  OAUTH_HMAC_SHA1,
  OAUTH_POST_BODY,
  OAUTH_REQUEST,
  OAUTH_RESOURCE,
  OMB_POST_NOTICE,
  OMB_UPDATE_PROFILE,
  OMB_VERSION,
  XRD_NS,
  XRDS_NS,
  XRDS_SIMPLE_NS,
  XRDS_SIMPLE_TYPE,
} from './constants.ts';

export type OmbEndpoints = {
  requestToken: string;
  authorize: string;
  accessToken: string;
  postNotice: string;
  updateProfile: string;
};

/** What discovery yields: the five endpoints and the listener's identifier URI (LocalID). */
export type OmbServices = OmbEndpoints & { localId: string };

/** The document is not a usable OMB XRDS; the message says why, for the person who typed the URL. */
export class XrdsError extends Error {}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const OAUTH_TYPES = [OAUTH_AUTH_HEADER, OAUTH_POST_BODY, OAUTH_HMAC_SHA1];

function service(uri: string | undefined, types: string[], localId?: string): string {
  const lines = ['    <Service>'];
  if (uri !== undefined) lines.push(`      <URI>${xml(uri)}</URI>`);
  for (const type of types) lines.push(`      <Type>${xml(type)}</Type>`);
  if (localId !== undefined) lines.push(`      <LocalID>${xml(localId)}</LocalID>`);
  lines.push('    </Service>');
  return lines.join('\n');
}

function xrd(id: string | undefined, services: string[]): string {
  const idAttribute = id ? ` xml:id="${id}"` : '';
  return [
    `  <XRD xmlns="${XRD_NS}" xmlns:simple="${XRDS_SIMPLE_NS}"${idAttribute} version="2.0">`,
    `    <Type>${XRDS_SIMPLE_TYPE}</Type>`,
    ...services,
    '  </XRD>',
  ].join('\n');
}

/** The XRDS document of one local user (reference §4.3: pointers in the last XRD, no whitespace in values). */
export function toXrds(services: OmbServices): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<XRDS xmlns="${XRDS_NS}">`,
    xrd('oauth', [
      service(services.requestToken, [OAUTH_REQUEST, ...OAUTH_TYPES], services.localId),
      service(services.authorize, [OAUTH_AUTHORIZE, ...OAUTH_TYPES]),
      service(services.accessToken, [OAUTH_ACCESS, ...OAUTH_TYPES]),
      service(undefined, [OAUTH_RESOURCE, ...OAUTH_TYPES]),
    ]),
    xrd('omb', [service(services.postNotice, [OMB_POST_NOTICE]), service(services.updateProfile, [OMB_UPDATE_PROFILE])]),
    xrd(undefined, [service('#oauth', [OAUTH_DISCOVERY]), service('#omb', [OMB_VERSION])]),
    '</XRDS>',
    '',
  ].join('\n');
}

// ---- reading ----

type XmlNode = Record<string, unknown>;
type Element = { node: XmlNode | string; scope: Map<string, string> };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

function attributes(node: XmlNode | string): Record<string, string> {
  if (typeof node === 'string') return {};
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(node)) if (key.startsWith('@_') && typeof value === 'string') result[key.slice(2)] = value;
  return result;
}

function scopeOf(node: XmlNode | string, parent: Map<string, string>): Map<string, string> {
  const scope = new Map(parent);
  for (const [name, value] of Object.entries(attributes(node))) {
    if (name === 'xmlns') scope.set('', value);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
  }
  return scope;
}

// Child elements with a given namespace and local name, whatever prefix the document used.
function children(parent: Element, ns: string, local: string): Element[] {
  if (typeof parent.node === 'string') return [];
  const found: Element[] = [];
  for (const [key, value] of Object.entries(parent.node)) {
    if (key.startsWith('@_') || key === '#text' || !Array.isArray(value)) continue;
    const colon = key.indexOf(':');
    const prefix = colon === -1 ? '' : key.slice(0, colon);
    if ((colon === -1 ? key : key.slice(colon + 1)) !== local) continue;
    for (const item of value as (XmlNode | string)[]) {
      const scope = scopeOf(item, parent.scope);
      if (scope.get(prefix) === ns) found.push({ node: item, scope });
    }
  }
  return found;
}

function text(element: Element): string {
  if (typeof element.node === 'string') return element.node.trim();
  const value = element.node['#text'];
  return typeof value === 'string' ? value.trim() : '';
}

function priorityOf(element: Element): number {
  const raw = attributes(element.node).priority;
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Number.POSITIVE_INFINITY;
}

function byPriority(elements: Element[]): Element[] {
  return elements.map((element, index) => ({ element, index })).sort((a, b) => priorityOf(a.element) - priorityOf(b.element) || a.index - b.index).map((e) => e.element);
}

function servicesOfType(xrd: Element, type: string): Element[] {
  return byPriority(children(xrd, XRD_NS, 'Service').filter((s) => children(s, XRD_NS, 'Type').some((t) => text(t) === type)));
}

function firstUri(service: Element): string | undefined {
  const uri = byPriority(children(service, XRD_NS, 'URI')).map(text).find((u) => u !== '');
  return uri;
}

function httpUrl(value: string | undefined, what: string): string {
  if (value === undefined) throw new XrdsError(`The XRDS document names no ${what}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new XrdsError(`The ${what} in the XRDS document is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new XrdsError(`The ${what} in the XRDS document is not an http(s) URL.`);
  return value;
}

/** Reads the OMB services from an XRDS document; throws XrdsError when they are not all there. */
export function parseXrds(document: string): OmbServices {
  const source = document.replace(/^\uFEFF/, '').trim();
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw new XrdsError('The XRDS document declares a DTD or entities, which are not accepted.');
  let parsed: XmlNode;
  try {
    parsed = parser.parse(source, true) as XmlNode;
  } catch {
    throw new XrdsError('The XRDS document is not well-formed XML.');
  }
  const top: Element = { node: parsed, scope: new Map() };
  const root = children(top, XRDS_NS, 'XRDS')[0];
  if (!root) throw new XrdsError('The document is not an XRDS document.');
  const xrds = children(root, XRD_NS, 'XRD');
  if (xrds.length === 0) throw new XrdsError('The XRDS document has no XRD element.');

  const byId = (pointer: string | undefined, what: string): Element => {
    const hash = pointer?.indexOf('#') ?? -1;
    const id = pointer !== undefined && hash !== -1 ? pointer.slice(hash + 1) : undefined;
    const target = id ? xrds.find((x) => attributes(x.node)['xml:id'] === id) : undefined;
    if (!target) throw new XrdsError(`The XRDS document does not contain the ${what} services it points to.`);
    return target;
  };
  // StatusNet looks only in the last XRD for the pointers; we look there first, then anywhere.
  const pointer = (type: string) => {
    for (const candidate of [...xrds].reverse()) {
      const found = servicesOfType(candidate, type)[0];
      if (found) return firstUri(found);
    }
    return undefined;
  };
  const oauth = byId(pointer(OAUTH_DISCOVERY), 'OAuth');
  const omb = byId(pointer(OMB_VERSION), 'OpenMicroBlogging');

  const request = servicesOfType(oauth, OAUTH_REQUEST)[0];
  const localIdElement = request ? children(request, XRD_NS, 'LocalID')[0] : undefined;
  const localId = localIdElement ? text(localIdElement) : '';
  if (localId === '') throw new XrdsError('The XRDS document does not name the profile’s identifier (LocalID).');
  const uriOf = (xrd: Element, type: string) => {
    const found = servicesOfType(xrd, type)[0];
    return found ? firstUri(found) : undefined;
  };
  return {
    requestToken: httpUrl(request ? firstUri(request) : undefined, 'request token endpoint'),
    authorize: httpUrl(uriOf(oauth, OAUTH_AUTHORIZE), 'authorization endpoint'),
    accessToken: httpUrl(uriOf(oauth, OAUTH_ACCESS), 'access token endpoint'),
    postNotice: httpUrl(uriOf(omb, OMB_POST_NOTICE), 'postNotice endpoint'),
    updateProfile: httpUrl(uriOf(omb, OMB_UPDATE_PROFILE), 'updateProfile endpoint'),
    localId,
  };
}
