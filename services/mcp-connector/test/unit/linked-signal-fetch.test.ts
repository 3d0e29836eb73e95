import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkedSignalFetch } from '../../src/adapters/mcp/linked-signal-fetch.js';

// The fetch the SDK transports get: per-request signals, linked to the shared one only
// while a request (or an event stream) is in flight.
describe('linkedSignalFetch', () => {
  let server: http.Server;
  let base = '';
  const streams: http.ServerResponse[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        streams.push(res);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of streams) s.end();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('leaves no listener on the shared signal once JSON answers are in', async () => {
    const shared = new AbortController();
    const f = linkedSignalFetch();
    for (let i = 0; i < 50; i++) {
      const res = await f(`${base}/json`, { signal: shared.signal });
      expect(await res.json()).toEqual({ ok: true });
    }
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('unlinks a failed request', async () => {
    const shared = new AbortController();
    await expect(linkedSignalFetch()('http://127.0.0.1:1/nothing', { signal: shared.signal })).rejects.toThrow();
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('keeps an event stream abortable by the shared signal until it ends', async () => {
    const shared = new AbortController();
    const res = await linkedSignalFetch()(`${base}/sse`, { signal: shared.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    shared.abort(new Error('transport closed'));
    await expect(reader.read()).rejects.toThrow();
  });

  it('unlinks an event stream when it ends or is cancelled', async () => {
    const shared = new AbortController();
    const f = linkedSignalFetch();
    const ended = await f(`${base}/sse`, { signal: shared.signal });
    const cancelled = await f(`${base}/sse`, { signal: shared.signal });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(2);
    streams.at(-2)!.end();
    expect(await ended.text()).toBe('data: one\n\n');
    await cancelled.body!.cancel();
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('passes requests without a signal, or with an aborted one, straight through', async () => {
    const f = linkedSignalFetch();
    expect((await f(`${base}/json`)).status).toBe(200);
    const gone = new AbortController();
    gone.abort();
    await expect(f(`${base}/json`, { signal: gone.signal })).rejects.toThrow();
  });
});
