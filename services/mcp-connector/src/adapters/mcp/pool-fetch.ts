import { Readable } from 'node:stream';
import { Pool } from 'undici';
import { linkedSignalFetch } from './linked-signal-fetch.js';

/**
 * A `fetch` for the SDK's HTTP transports built on an undici `Pool` per upstream origin
 * (keep-alive connections, as llm-proxy reaches providers), instead of the global
 * WHATWG `fetch`. The global one builds a `Request`, guarded `Headers`, a fetch
 * controller and body streams for every call: on a `tools/call` through `/mcp` that was
 * the largest CPU item of the gateway. Here a POST with a string body (every JSON-RPC
 * message the SDK sends) goes straight to `Pool.request`; a JSON answer is read whole
 * and handed back as a `Response` over those bytes; an event stream is handed back as
 * a `Response` over the live body. What the SDK sees is a real `Response` either way.
 *
 * Anything else (a `Request` object, a non-string body such as an OAuth form, a
 * redirect) goes to the global `fetch` unchanged, so behaviour never depends on which
 * path a request took. Errors look like fetch's: an abort rejects with the signal's
 * reason, a connection failure with `TypeError('fetch failed', { cause })`.
 * undici removes its abort listener from the caller's signal as each request ends, so
 * the SDK's transport-wide signal does not collect listeners (see linked-signal-fetch.ts).
 */
export interface PoolFetch extends AsyncDisposable {
  fetch: typeof fetch;
  close(): Promise<void>;
}

export interface PoolFetchOptions {
  /** Keep-alive connections per origin. */
  connections?: number;
  keepAliveTimeoutMs?: number;
  /** The fallback for what the pools do not take (tests). */
  fallback?: typeof fetch;
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function createPoolFetch(options: PoolFetchOptions = {}): PoolFetch {
  const pools = new Map<string, Pool>();
  const fallback = options.fallback ?? linkedSignalFetch();
  let closed = false;
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connections ?? 64,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
        // As global fetch for the headers; no body timeout: an event stream may idle for long.
        headersTimeout: 300_000,
        bodyTimeout: 0,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  const pooled: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = init?.body;
    if (closed || !url || (body !== undefined && body !== null && typeof body !== 'string') || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return fallback(input, init);
    }
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await poolFor(url.origin).request({
        method: (init?.method ?? 'GET').toUpperCase() as 'GET',
        path: url.pathname + url.search,
        headers: headerList(init?.headers),
        body: body ?? null,
        signal: signal ?? null,
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause: err });
    }
    const status = res.statusCode;
    // undici's names are lower case; the Response validates the pairs once (no Headers built first).
    const headers = responseHeaders(res.headers);
    if (status >= 300 && status < 400 && res.headers.location !== undefined && init?.redirect !== 'manual') {
      // Redirects are rare on MCP endpoints: let fetch follow them (the POST was not processed).
      discard(res.body);
      return fallback(input, init);
    }
    if (NULL_BODY.has(status) || init?.method === 'HEAD') {
      discard(res.body);
      return new Response(null, { status, headers });
    }
    const contentType = res.headers['content-type'];
    if (typeof contentType === 'string' && contentType.split(';')[0]?.trim().toLowerCase() === 'text/event-stream') {
      return new Response(Readable.toWeb(res.body) as ReadableStream<Uint8Array>, { status, headers });
    }
    let bytes: ArrayBuffer;
    try {
      bytes = await res.body.arrayBuffer();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause: err });
    }
    return new Response(bytes.byteLength === 0 ? null : bytes, { status, headers });
  };

  const close = async (): Promise<void> => {
    closed = true;
    const all = [...pools.values()];
    pools.clear();
    await Promise.allSettled(all.map((p) => p.destroy()));
  };
  return { fetch: pooled, close, [Symbol.asyncDispose]: close };
}

/** Drops a body nobody reads (destroying it would emit an abort error with no listener). */
function discard(body: { dump(): Promise<void> }): void {
  body.dump().catch(() => {});
}

/** RequestInit headers (a Headers, pairs or a record) as undici's flat list; names lower-cased. */
function headerList(headers: RequestInit['headers']): string[] {
  const out: string[] = [];
  if (headers === undefined || headers === null) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => { out.push(name, value); });
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) if (name !== undefined && value !== undefined) out.push(name.toLowerCase(), value);
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string>)) out.push(name.toLowerCase(), value);
  }
  return out;
}

/** undici's response headers as the pairs a `Response` takes (a repeated header stays repeated). */
function responseHeaders(raw: Record<string, string | string[] | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
    else pairs.push([name, value]);
  }
  return pairs;
}
