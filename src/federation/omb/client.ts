// The outbound HTTP client of the OMB module, one per process, set up from the configuration.
import type { Config } from '../../config.ts';
import { createHttpClient } from '../http-client.ts';
import type { HttpClient } from '../http-client.ts';

const clients = new WeakMap<Config, HttpClient>();

/** The shared client for this configuration (loopback and private addresses only when allowed). */
export function httpClientFor(config: Config): HttpClient {
  let client = clients.get(config);
  if (!client) {
    client = createHttpClient({ allowPrivateAddresses: config.allowPrivateAddresses, userAgent: `Ostrakon (+${config.publicUrl}/)` });
    clients.set(config, client);
  }
  return client;
}
