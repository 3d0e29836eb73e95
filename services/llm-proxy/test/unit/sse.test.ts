import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/adapters/http/sse.js';
import { fixture } from './helpers.js';

const enc = new TextEncoder();

function parseIn(pieces: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const p of pieces) out.push(...parser.push(p));
  out.push(...parser.end());
  return out;
}

/** Every way of splitting `bytes` in two, plus one byte at a time. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) all.push([bytes.slice(0, i), bytes.slice(i)]);
  all.push([...bytes].map((b) => Uint8Array.of(b)));
  return all;
}

describe('SseParser', () => {
  it('parses event and data lines', () => {
    const events = parseIn([enc.encode('event: message_start\ndata: {"a":1}\n\ndata: [DONE]\n\n')]);
    expect(events).toEqual([{ event: 'message_start', data: '{"a":1}' }, { event: undefined, data: '[DONE]' }]);
  });

  it('gives the same events however the bytes are split, UTF-8 and CRLF included', () => {
    const source = 'event: a\r\ndata: héllo ☀️ 🌍\r\n\r\n: comment\ndata: line1\ndata:line2\n\nevent: b\rdata: x\r\r';
    const bytes = enc.encode(source);
    const expected = [
      { event: 'a', data: 'héllo ☀️ 🌍' },
      { event: undefined, data: 'line1\nline2' },
      { event: 'b', data: 'x' },
    ];
    for (const pieces of splits(bytes)) expect(parseIn(pieces)).toEqual(expected);
  });

  it('parses a recorded Anthropic stream split at every byte', () => {
    const bytes = enc.encode(fixture('anthropic/stream-tool-use.sse'));
    const whole = parseIn([bytes]);
    expect(whole.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    for (let i = 1; i < bytes.length; i += 7) expect(parseIn([bytes.slice(0, i), bytes.slice(i)])).toEqual(whole);
  });

  it('dispatches a final event without its blank line at the end', () => {
    expect(parseIn([enc.encode('data: last')])).toEqual([{ event: undefined, data: 'last' }]);
  });

  it('ignores events without data and resets the event name', () => {
    expect(parseIn([enc.encode('event: ping\n\ndata: x\n\n')])).toEqual([{ event: undefined, data: 'x' }]);
  });

  it('does not keep references to the caller buffers', () => {
    const parser = new SseParser();
    const buf = enc.encode('data: abc');
    parser.push(buf);
    buf.fill(0x20);
    expect(parser.push(enc.encode('\n\n'))).toEqual([{ event: undefined, data: 'abc' }]);
  });
});
