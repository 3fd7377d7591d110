// The Fedify federation of this process: key-value store in Postgres, every fetch through the one
// outbound HTTP client (signed by the site's actor when no user fetches), ids from PUBLIC_URL.
import { createFederation } from '@fedify/fedify';
import type { Federation } from '@fedify/fedify';
import { preloadedContexts } from '@fedify/fedify/runtime';
import type { FederationContext } from '../context.ts';
import { rootContext } from '../context.ts';
import { registerActors } from './actors.ts';
import { registerCollections } from './collections.ts';
import { registerInbox } from './inbox.ts';
import { PostgresKvStore } from './kv-store.ts';
import { contextLoaderFor, documentLoaderFor, fetchDocument } from './loaders.ts';
import type { Signer } from './loaders.ts';
import { registerNodeInfo } from './nodeinfo.ts';
import { INSTANCE_IDENTIFIER } from './paths.ts';

/** How far a signed request's Date may be from our clock. */
export const SIGNATURE_WINDOW_MINUTES = 30;

function build(ctx: FederationContext): Federation<FederationContext> {
  const client = ctx.http;
  const contexts = contextLoaderFor(client);
  // Servers in authorized-fetch mode refuse unsigned GETs: fetches no user makes are signed by
  // the site's own actor.
  const instanceSigner = async (): Promise<Signer> => {
    const keys = await federation.createContext(new URL(ctx.config.publicUrl), ctx).getActorKeyPairs(INSTANCE_IDENTIFIER);
    const rsa = keys.find((pair) => pair.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5');
    if (!rsa) throw new Error('the site actor has no RSA key');
    return { keyId: rsa.keyId, privateKey: rsa.privateKey };
  };
  const federation: Federation<FederationContext> = createFederation<FederationContext>({
    kv: new PostgresKvStore(ctx.db),
    origin: ctx.config.publicUrl,
    documentLoaderFactory: () => async (url) => (url in preloadedContexts ? contexts(url) : fetchDocument(client, url, await instanceSigner())),
    contextLoaderFactory: () => contexts,
    authenticatedDocumentLoaderFactory: (identity) => documentLoaderFor(client, identity),
    signatureTimeWindow: { minutes: SIGNATURE_WINDOW_MINUTES },
    firstKnock: 'draft-cavage-http-signatures-12',
  });
  registerActors(federation);
  registerCollections(federation);
  registerInbox(federation);
  registerNodeInfo(federation);
  return federation;
}

const federations = new WeakMap<FederationContext, Federation<FederationContext>>();

/**
 * The federation of the process `ctx` belongs to, built once: a copy of the context made for a
 * transaction (a distribution job's) finds the one of the context it was copied from, which the
 * federation's own store and signer use. Requests and jobs pass their context as Fedify's data.
 */
export function apFederationFor(ctx: FederationContext): Federation<FederationContext> {
  const root = rootContext(ctx);
  let federation = federations.get(root);
  if (!federation) federations.set(root, (federation = build(root)));
  return federation;
}
