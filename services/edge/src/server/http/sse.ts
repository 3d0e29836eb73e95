/** Server-sent events framing for OpenAI-compatible streams. */

const DATA = Buffer.from('data: ');
const END = Buffer.from('\n\n');
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** The stream's last event, as OpenAI sends it. */
export const SSE_DONE: Buffer = Buffer.from('data: [DONE]\n\n');

/**
 * `data: <payload>\n\n` in one buffer (one write, one chunk on the wire). A raw line
 * break would split the event, and in JSON one can only be whitespace between tokens,
 * so any CR or LF becomes a space (a native scan first; replaced in the frame, never in the input).
 */
export function sseFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(DATA.length + payload.byteLength + END.length);
  DATA.copy(frame, 0);
  frame.set(payload, DATA.length);
  END.copy(frame, DATA.length + payload.byteLength);
  const body = frame.subarray(DATA.length, DATA.length + payload.byteLength);
  if (body.indexOf(LF) !== -1 || body.indexOf(CR) !== -1) {
    for (let i = 0; i < body.length; i++) if (body[i] === LF || body[i] === CR) body[i] = SPACE;
  }
  return frame;
}

/** An error after the stream started: one `data: {"error":{...}}` event (the stream then ends). */
export function sseErrorFrame(errorJson: string): Buffer {
  return sseFrame(Buffer.from(errorJson));
}
