/** One server-sent event: its `event:` name (Anthropic) and its joined `data:` lines (both). */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

const LF = 10;
const CR = 13;
const decoder = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * An incremental SSE parser over byte chunks, split anywhere (mid-line, mid-CRLF,
 * mid-UTF-8 sequence: lines are decoded only once complete). Lines end with LF, CRLF
 * or CR; comments and `id:`/`retry:` fields are ignored.
 */
export class SseParser {
  private carry: Uint8Array | undefined;
  private skipLf = false;
  private event: string | undefined;
  private data: string[] = [];

  /** The events completed by this chunk. */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    if (this.skipLf && chunk.length > 0) {
      this.skipLf = false;
      if (chunk[0] === LF) start = 1;
    }
    for (let i = start; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte !== LF && byte !== CR) continue;
      let line = chunk.subarray(start, i);
      if (this.carry) {
        line = concat(this.carry, line);
        this.carry = undefined;
      }
      this.line(line, out);
      if (byte === CR) {
        if (i + 1 < chunk.length) {
          if (chunk[i + 1] === LF) i++;
        } else {
          this.skipLf = true;
        }
      }
      start = i + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // Copy: the caller may reuse its buffer.
      this.carry = this.carry ? concat(this.carry, rest) : rest.slice();
    }
    return out;
  }

  /** The end of the stream: a last event without its blank line still counts. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.carry) {
      this.line(this.carry, out);
      this.carry = undefined;
    }
    this.line(new Uint8Array(0), out);
    return out;
  }

  private line(bytes: Uint8Array, out: SseEvent[]): void {
    if (bytes.length === 0) {
      if (this.data.length > 0) out.push({ event: this.event, data: this.data.join('\n') });
      this.data = [];
      this.event = undefined;
      return;
    }
    const text = decoder.decode(bytes);
    if (text.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
