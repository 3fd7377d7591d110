// Yadis discovery of a listener's OMB services from the profile URL they typed (reference §4.4).
import type { HttpClient, OutboundResponse } from '../http-client.ts';
import { OutboundError } from '../http-client.ts';
import { XRDS_MEDIA_TYPE } from './constants.ts';
import { parseXrds, XrdsError } from './xrds.ts';
import type { OmbServices } from './xrds.ts';

/** Discovery failed; the message is meant for the person who typed the URL. */
export class DiscoveryError extends Error {}

const ACCEPT = 'application/xrds+xml, text/html;q=0.3, application/xhtml+xml;q=0.5';
const MAX_XRDS_BYTES = 1024 * 1024;

function header(response: OutboundResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// <meta http-equiv="X-XRDS-Location" content="..."> (or X-YADIS-Location), attributes in any order.
function metaLocation(html: string): string | undefined {
  for (const match of html.matchAll(/<meta\b[^>]*>/gi)) {
    const tag = match[0];
    const equiv = /http-equiv\s*=\s*["']?([^"'\s>]+)/i.exec(tag)?.[1]?.toLowerCase();
    if (equiv !== 'x-xrds-location' && equiv !== 'x-yadis-location') continue;
    const content = /content\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
    const value = content?.[1] ?? content?.[2];
    if (value) return value.replace(/&amp;/g, '&').trim();
  }
  return undefined;
}

// XRDS documents are UTF-8 (Yadis 1.0 §6.2.1): one that is not is refused, not patched with U+FFFD.
function xrdsText(response: OutboundResponse): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(response.bytes);
  } catch {
    throw new DiscoveryError('Not a valid profile URL: its XRDS document is not UTF-8 text.');
  }
}

async function fetchOk(client: HttpClient, url: string, headers: Record<string, string>): Promise<OutboundResponse> {
  let response: OutboundResponse;
  try {
    response = await client.request(url, { method: 'GET', headers, maxBytes: MAX_XRDS_BYTES });
  } catch (error) {
    if (error instanceof OutboundError) throw new DiscoveryError(`Could not fetch ${url}: ${error.message}.`);
    throw error;
  }
  if (response.status !== 200 && response.status !== 206) throw new DiscoveryError(`${url} answered with status ${response.status}.`);
  return response;
}

/** Finds the five OMB endpoints and the identifier URI behind a profile URL. */
export async function discoverServices(client: HttpClient, profileUrl: string): Promise<OmbServices> {
  const first = await fetchOk(client, profileUrl, { accept: ACCEPT });
  let document: string;
  const type = (header(first, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === XRDS_MEDIA_TYPE) {
    document = xrdsText(first);
  } else {
    const location = header(first, 'x-xrds-location') ?? metaLocation(first.body);
    if (!location) throw new DiscoveryError('Not a valid profile URL (no YADIS document).');
    let xrdsUrl: string;
    try {
      xrdsUrl = new URL(location, first.url).href;
    } catch {
      throw new DiscoveryError('Not a valid profile URL (the XRDS location is not a URL).');
    }
    document = xrdsText(await fetchOk(client, xrdsUrl, {}));
  }
  try {
    return parseXrds(document);
  } catch (error) {
    if (error instanceof XrdsError) throw new DiscoveryError(`Not a valid profile URL: ${error.message}`);
    throw error;
  }
}
