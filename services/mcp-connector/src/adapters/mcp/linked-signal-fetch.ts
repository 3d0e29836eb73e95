/**
 * A `fetch` for the SDK's HTTP transports that gives every request its own AbortSignal.
 *
 * The SDK passes one long-lived signal (the transport's) to every POST. Node's fetch
 * adds an abort listener to it per request and only drops that listener when the
 * request is garbage-collected, so the signal's listener list grows with the request
 * rate, and `addEventListener` (which scans the list for duplicates) costs O(listeners):
 * under load that was the single largest CPU cost of a tool call. Here the shared
 * signal gets one listener per request *in flight*, removed as soon as the request is
 * done: when the fetch fails, when a non-streaming answer arrives (the SDK reads such a
 * body right away), or when an event stream ends or is cancelled. Aborting the shared
 * signal still aborts every request and stream in flight.
 */
export function linkedSignalFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const shared = init?.signal;
    if (!shared || shared.aborted) return base(input, init);
    const own = new AbortController();
    const onAbort = (): void => own.abort(shared.reason);
    shared.addEventListener('abort', onAbort, { once: true });
    const unlink = (): void => shared.removeEventListener('abort', onAbort);
    let res: Response;
    try {
      res = await base(input, { ...init, signal: own.signal });
    } catch (err) {
      unlink();
      throw err;
    }
    if (res.body === null || !res.ok || !isEventStream(res.headers.get('content-type'))) {
      unlink();
      return res;
    }
    // An event stream stays abortable by the shared signal until it ends.
    const body = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: unlink, cancel: unlink }));
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

function isEventStream(contentType: string | null): boolean {
  return contentType !== null && contentType.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}
