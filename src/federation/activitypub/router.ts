// Express 5 in front of Fedify: a request Fedify answers (WebFinger, NodeInfo, actors, inboxes,
// collections) becomes a WHATWG Request for federation.fetch, and its Response is sent back; any
// other request passes on untouched. Also host-meta, and actors by content negotiation on /:nickname.
import express from 'express';
import type { Request as ExpressRequest, Response as ExpressResponse, Router } from 'express';
import { FetchError } from '@fedify/fedify/runtime';
import type { FederationContext } from '../context.ts';
import { escapeHtml } from '../../domain/notice-text.ts';
import { apFederationFor } from './federation.ts';
import { inboxRefusal } from './inbound-gate.ts';
import { federationPathOf } from './requests.ts';

/** The largest inbox POST accepted. */
export const MAX_INBOX_BYTES = 1024 * 1024;

const ACTOR_HTML_PATH = /^\/users\/([a-z0-9]{1,64})\/?$/;

class TooLarge extends Error {}

// Errors that come from what the other server sent (an unreachable JSON-LD context, a document
// that is not what it claims, a malformed URL): its fault, so a 400, never a 500.
function isInputError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error instanceof FetchError || error instanceof TypeError || error instanceof SyntaxError || error instanceof RangeError || /^jsonld\b|JsonLdError/.test(error.name) || error.constructor.name === 'JsonLdError';
}

async function readBody(req: ExpressRequest): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_INBOX_BYTES) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INBOX_BYTES) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function headersOf(req: ExpressRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    try {
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    } catch {
      // a header the fetch API refuses cannot matter to Fedify
    }
  }
  return headers;
}

async function send(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  // An inbox's 202 has no body: reading an empty stream through the fetch API costs more than the answer.
  res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
}

function hostMeta(publicUrl: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" type="application/jrd+json" template="${escapeHtml(publicUrl)}/.well-known/webfinger?resource={uri}"/>
</XRD>
`;
}

/** The ActivityPub routes, mounted before the browser stack (no session, no form parsing, no CSRF). */
export function activityPubRouter(ctx: FederationContext): Router {
  const federation = apFederationFor(ctx);
  const origin = new URL(ctx.config.publicUrl).origin;
  const router = express.Router();

  router.get('/.well-known/host-meta', (_req, res) => {
    res.type('application/xrd+xml').send(hostMeta(ctx.config.publicUrl));
  });

  router.use(async (req, res, next) => {
    // The profile URL asked for as an actor is the actor's path.
    const path = federationPathOf(req.method, req.path, req.headers.accept);
    if (path === undefined) return next();
    const query = req.originalUrl.slice(req.originalUrl.indexOf('?') >= 0 ? req.originalUrl.indexOf('?') : req.originalUrl.length);
    const reading = req.method === 'GET' || req.method === 'HEAD';
    let body: Buffer | undefined;
    if (!reading) {
      try {
        body = await readBody(req);
      } catch (error) {
        if (!(error instanceof TooLarge)) return next(error);
        res.status(413).set('Connection', 'close').type('text/plain').send(`Request bodies are limited to ${MAX_INBOX_BYTES} bytes.`);
        return;
      }
      const refusal = await inboxRefusal(ctx, req.headers, body);
      if (refusal) return void res.status(403).type('text/plain').send(refusal);
    }
    let passed: 'not-found' | 'not-acceptable' | undefined;
    const pass = (why: 'not-found' | 'not-acceptable') => () => {
      passed = why;
      return new Response(null, { status: 404 });
    };
    try {
      // The URL is ours as configured (ids never come from the Host header); the signature check
      // still sees the headers as they arrived.
      const request = new Request(`${origin}${path}${query}`, { method: req.method, headers: headersOf(req), body: body ? new Uint8Array(body) : undefined });
      const response = await federation.fetch(request, { contextData: ctx, onNotFound: pass('not-found'), onNotAcceptable: pass('not-acceptable') });
      if (!passed) return await send(res, response);
    } catch (error) {
      if (!isInputError(error)) return next(error);
      res.status(400).type('text/plain').send('The activity could not be read.');
      return;
    }
    const actorPage = passed === 'not-acceptable' ? ACTOR_HTML_PATH.exec(req.path) : null;
    if (actorPage) return res.redirect(`/${actorPage[1]}`); // a browser following an actor id gets the profile page
    next();
  });
  return router;
}
