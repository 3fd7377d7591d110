// The outbound HTTP client of the ActivityPub module, one per configuration.
import type { Config } from '../../config.ts';
import { createHttpClient } from '../http-client.ts';
import type { HttpClient } from '../http-client.ts';

const clients = new WeakMap<Config, HttpClient>();

/** The shared client for this configuration (loopback and private addresses only when allowed). */
export function apHttpClientFor(config: Config): HttpClient {
  let client = clients.get(config);
  if (!client) {
    client = createHttpClient({ allowPrivateAddresses: config.allowPrivateAddresses, userAgent: `Ostrakon (+${config.publicUrl}/)` });
    clients.set(config, client);
  }
  return client;
}
