type Json = Record<string, unknown>;

/** Reads SSE `data:` messages of a response body as they come; `next(ms)` gives up (undefined) after `ms` (10 s by default). */
export function sseStream(body: ReadableStream<Uint8Array>): { next(ms?: number): Promise<Json | undefined>; cancel(): Promise<void> } {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: Json[] = [];
  let reading: Promise<void> | undefined;
  const pump = async (): Promise<void> => {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
      buffer = buffer.slice(end + 2);
      if (data) queue.push(JSON.parse(data) as Json);
    }
  };
  return {
    async next(ms = 10_000) {
      const deadline = Date.now() + ms;
      while (queue.length === 0) {
        reading ??= pump().finally(() => { reading = undefined; });
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        const timedOut = await Promise.race([reading.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), left))]);
        if (timedOut) return undefined;
      }
      return queue.shift();
    },
    cancel: () => reader.cancel(),
  };
}
