import { describe, expect, it } from 'vitest';
import { SSE_DONE, sseErrorFrame, sseFrame } from '../../src/server/http/sse.js';

describe('SSE framing', () => {
  it('frames a chunk as one data event', () => {
    const chunk = Buffer.from('{"id":"c1","choices":[]}');
    expect(sseFrame(chunk).toString()).toBe('data: {"id":"c1","choices":[]}\n\n');
  });

  it('ends with the [DONE] sentinel', () => {
    expect(SSE_DONE.toString()).toBe('data: [DONE]\n\n');
  });

  it('works on a view into a larger buffer (as gRPC hands bytes over)', () => {
    const backing = Buffer.from('xxxx{"a":1}yyyy');
    expect(sseFrame(backing.subarray(4, 11)).toString()).toBe('data: {"a":1}\n\n');
  });

  it('turns raw line breaks (pretty-printed JSON) into spaces so the event stays whole', () => {
    const pretty = Buffer.from('{\r\n  "a": "x\\ny"\n}');
    const framed = sseFrame(pretty).toString();
    expect(framed).toBe('data: {    "a": "x\\ny" }\n\n');
    expect(JSON.parse(framed.slice(6))).toEqual({ a: 'x\ny' });
    expect(pretty.toString()).toBe('{\r\n  "a": "x\\ny"\n}'); // the input is not modified
  });

  it('frames an error envelope', () => {
    const frame = sseErrorFrame(JSON.stringify({ error: { message: 'boom', type: 'server_error', param: null, code: 'upstream_error' } }));
    expect(frame.toString()).toBe('data: {"error":{"message":"boom","type":"server_error","param":null,"code":"upstream_error"}}\n\n');
  });
});
