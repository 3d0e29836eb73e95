import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoolFetch } from '../../src/adapters/mcp/pool-fetch.js';

let server: Server;
let base: string;
const seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {};

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.method = req.method;
  seen.headers = req.headers;
  seen.body = body;
  switch (req.url) {
    case '/json': res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's-1', 'set-cookie': ['a=1', 'b=2'] }).end('{"ok":true}'); return;
    case '/accepted': res.writeHead(202).end(); return;
    case '/no-content': res.writeHead(204).end(); return;
    case '/error': res.writeHead(404, { 'content-type': 'text/plain' }).end('no such endpoint'); return;
    case '/redirect': res.writeHead(307, { location: '/json' }).end(); return;
    case '/events':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
      return;
    case '/hang': return; // never answers
    default: res.writeHead(500).end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('pool fetch', () => {
  it('POSTs a string body with the given headers and answers a JSON reply as a Response', async () => {
    await using pf = createPoolFetch();
    const res = await pf.fetch(new URL(`${base}/json`), {
      method: 'POST', body: '{"jsonrpc":"2.0"}',
      headers: new Headers({ 'Content-Type': 'application/json', 'X-Api-Key': 'k' }),
    });
    expect(res).toBeInstanceOf(Response);
    expect(res.ok).toBe(true);
    expect(res.headers.get('mcp-session-id')).toBe('s-1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toMatchObject({ method: 'POST', body: '{"jsonrpc":"2.0"}', headers: { 'content-type': 'application/json', 'x-api-key': 'k' } });
  });

  it('takes headers as a record or pairs too, and answers 202/204 with a null body and errors with their text', async () => {
    await using pf = createPoolFetch();
    const accepted = await pf.fetch(`${base}/accepted`, { method: 'POST', body: '{}', headers: { Accept: 'application/json' } });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe('');
    expect(seen.headers?.accept).toBe('application/json');
    const none = await pf.fetch(`${base}/no-content`, { method: 'DELETE', headers: [['Mcp-Session-Id', 's-1']] });
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
    expect(seen).toMatchObject({ method: 'DELETE', headers: { 'mcp-session-id': 's-1' } });
    const missing = await pf.fetch(`${base}/error`, { method: 'POST', body: '{}' });
    expect(missing.ok).toBe(false);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no such endpoint');
  });

  it('hands an event stream back live, chunk by chunk', async () => {
    await using pf = createPoolFetch();
    const res = await pf.fetch(`${base}/events`, { method: 'GET', headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toBe('data: one\n\n');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    expect(rest).toBe('data: two\n\n');
  });

  it('rejects with the signal reason on abort, before and during the request', async () => {
    await using pf = createPoolFetch();
    const before = new AbortController();
    before.abort(new DOMException('gone', 'AbortError'));
    await expect(pf.fetch(`${base}/json`, { method: 'POST', body: '{}', signal: before.signal })).rejects.toMatchObject({ name: 'AbortError', message: 'gone' });
    const during = new AbortController();
    const pending = pf.fetch(`${base}/hang`, { method: 'POST', body: '{}', signal: during.signal });
    setTimeout(() => during.abort(new DOMException('stop', 'AbortError')), 30);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', message: 'stop' });
  });

  it('fails a refused connection as fetch does, with the cause kept', async () => {
    await using pf = createPoolFetch();
    const err: unknown = await pf.fetch('http://127.0.0.1:1/mcp', { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('fetch failed');
    expect(String((err as TypeError).cause)).toMatch(/ECONNREFUSED/);
  });

  it('leaves non-string bodies, Request objects and redirects to the fallback fetch', async () => {
    const calls: string[] = [];
    const fallback: typeof fetch = async (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${input instanceof Request ? input.url : String(input)}`);
      return fetch(input, init);
    };
    await using pf = createPoolFetch({ fallback });
    await pf.fetch(`${base}/json`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    await pf.fetch(new Request(`${base}/json`, { method: 'POST', body: '{}' }));
    const followed = await pf.fetch(`${base}/redirect`, { method: 'POST', body: '{}' });
    expect(await followed.json()).toEqual({ ok: true });
    await pf.fetch(`${base}/json`, { method: 'POST', body: '{}' });
    expect(calls).toEqual([`POST ${base}/json`, `GET ${base}/json`, `POST ${base}/redirect`]);
  });

  it('hands requests to the fallback once closed', async () => {
    const calls: string[] = [];
    const pf = createPoolFetch({ fallback: async (input, init) => { calls.push(String(input)); return fetch(input, init); } });
    await pf.close();
    const res = await pf.fetch(`${base}/json`, { method: 'POST', body: '{}' });
    expect(res.ok).toBe(true);
    expect(calls).toEqual([`${base}/json`]);
  });
});
