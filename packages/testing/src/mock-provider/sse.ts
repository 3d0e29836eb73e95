import type { ServerResponse } from 'node:http';

export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

export function sseEvent(name: string, json: string): string {
  return `event: ${name}\ndata: ${json}\n\n`;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;

/** Splits `text` into at most `n` non-empty pieces of about equal length (never inside a surrogate pair). */
export function splitText(text: string, n: number): string[] {
  if (text.length === 0) return [];
  if (n <= 1 || text.length === 1) return [text];
  const size = Math.ceil(text.length / Math.min(n, text.length));
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

export interface StreamOptions {
  intervalMs: number;
  /** Destroy the connection after about half the events. */
  dropMid: boolean;
  extraHeaders?: Record<string, string>;
}

/** Writes SSE events: all at once when there is no interval (the cheap path), else one per tick. */
export function writeStream(res: ServerResponse, events: string[], opts: StreamOptions): void {
  res.writeHead(200, { ...SSE_HEADERS, ...opts.extraHeaders });
  // A client that goes away mid-stream is expected here, not an error.
  if (opts.intervalMs > 0 || opts.dropMid) res.on('error', () => undefined);
  const last = opts.dropMid ? Math.max(1, Math.floor(events.length / 2)) : events.length;
  const finish = (): void => {
    if (opts.dropMid) res.socket?.destroy();
    else res.end();
  };
  if (opts.intervalMs <= 0) {
    if (opts.dropMid) res.write(events.slice(0, last).join(''), finish);
    else res.end(events.join(''));
    return;
  }
  let i = 0;
  const tick = (): void => {
    if (res.destroyed) return;
    if (i >= last) {
      finish();
      return;
    }
    res.write(events[i++] ?? '');
    setTimeout(tick, opts.intervalMs);
  };
  tick();
}
