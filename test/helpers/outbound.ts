// An outbound HTTP client for a test server that records every request it makes (and still makes it).
import { createHttpClient } from '../../src/federation/http-client.ts';
import type { HttpClient, OutboundRequest } from '../../src/federation/http-client.ts';

export type RecordedRequest = { method: string; url: string; status: number | undefined };

export type RecordingHttpClient = HttpClient & { requests: RecordedRequest[] };

/** A real client (loopback allowed) that remembers the method, URL and answer status of each request. */
export function recordingHttpClient(): RecordingHttpClient {
  const inner = createHttpClient({ allowPrivateAddresses: true, userAgent: 'Ostrakon (test)' });
  const requests: RecordedRequest[] = [];
  return {
    requests,
    async request(url: string, init: OutboundRequest = {}) {
      const recorded: RecordedRequest = { method: init.method ?? 'GET', url, status: undefined };
      requests.push(recorded);
      const response = await inner.request(url, init);
      recorded.status = response.status;
      return response;
    },
  };
}
