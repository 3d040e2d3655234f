/**
 * The HTTP client handed to isomorphic-git: its Node client plus auth
 * headers, an abort signal, and request/byte counters for metrics.
 * Loaded natively inside the checkout worker, so it imports no values from
 * sibling modules (types only).
 */
import { request } from "isomorphic-git/http/node";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";

/** Where the client reports what it did. */
export interface HttpCounters {
  onRequest(): void;
  onBytes(n: number): void;
}

/** Wraps isomorphic-git's Node HTTP client with headers, an abort signal and counters. */
export function createHttpClient(opts: {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  counters: HttpCounters;
}): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      opts.signal?.throwIfAborted();
      opts.counters.onRequest();
      const res = await request({
        ...req,
        headers: { ...req.headers, ...opts.headers },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return res.body ? { ...res, body: counted(res.body, opts.counters, opts.signal) } : res;
    },
  };
}

/** Passes a response body through, counting bytes and failing fast once aborted. */
async function* counted(
  body: AsyncIterableIterator<Uint8Array>,
  counters: HttpCounters,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<Uint8Array> {
  for await (const chunk of body) {
    signal?.throwIfAborted();
    counters.onBytes(chunk.byteLength);
    yield chunk;
  }
}
