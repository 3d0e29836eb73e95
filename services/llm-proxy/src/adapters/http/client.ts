import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import { SwitchyardError } from '@switchyard/errors';

export interface HttpCall {
  /** Names the upstream in error messages (the provider id). */
  name: string;
  /** e.g. https://api.openai.com/v1/chat/completions */
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  timeoutMs: number;
  /** Streams: the timeout restarts with every body chunk (an idle timeout). */
  idle: boolean;
  /** Keep-alive connections to this origin (the first call to an origin sizes its pool). */
  connections: number;
}

export interface HttpExchange {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body (JSON answers and errors). */
  bytes(): Promise<Uint8Array>;
  /** The body as it arrives (streams). */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Stops the exchange (aborting the upstream request if still running) and its timer. */
  close(): void;
}

export interface HttpClient extends AsyncDisposable {
  request(call: HttpCall): Promise<HttpExchange>;
}

/** The per-attempt timer: clearable (120 s timers must not pile up at 5,000 rps) and restartable. */
class AttemptTimer {
  readonly controller = new AbortController();
  fired = false;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new DOMException('upstream attempt timed out', 'TimeoutError'));
    }, ms);
    this.timer.unref();
  }
  refresh(): void {
    if (!this.fired) this.timer.refresh();
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'unknown';
}

/** Maps a failure of the exchange: our timer, the caller's signal, or the connection. */
function mapFailure(call: HttpCall, timer: AttemptTimer, err: unknown, phase: string): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  if (timer.fired) {
    return new SwitchyardError('upstream_timeout', `${call.name} did not answer within ${call.timeoutMs} ms`, { cause: err });
  }
  if (call.signal.aborted) return new SwitchyardError('cancelled', 'request cancelled', { cause: err });
  return new SwitchyardError('upstream_error', `${call.name} ${phase} failed (${errorCode(err)})`, { cause: err });
}

export interface HttpClientOptions {
  keepAliveTimeoutMs?: number;
}

/** undici pools, one per upstream origin: keep-alive, no pipelining, our own timeouts. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const pools = new Map<string, Pool>();
  const poolFor = (url: URL, connections: number): Pool => {
    let pool = pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, {
        connections,
        pipelining: 1,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
        // The attempt timer governs; undici's own timers would fire with other errors.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      pools.set(url.origin, pool);
    }
    return pool;
  };

  async function request(call: HttpCall): Promise<HttpExchange> {
    const timer = new AttemptTimer(call.timeoutMs);
    const signal = AbortSignal.any([call.signal, timer.controller.signal]);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await poolFor(call.url, call.connections).request({
        method: 'POST',
        path: call.url.pathname + call.url.search,
        headers: call.headers,
        body: call.body,
        signal,
      });
    } catch (err) {
      timer.clear();
      throw mapFailure(call, timer, err, 'request');
    }
    const { body } = response;
    const close = (): void => {
      timer.clear();
      if (!body.destroyed) body.destroy();
    };
    return {
      status: response.statusCode,
      headers: response.headers,
      async bytes() {
        try {
          return await body.bytes();
        } catch (err) {
          throw mapFailure(call, timer, err, 'response');
        } finally {
          timer.clear();
        }
      },
      async *chunks() {
        try {
          for await (const chunk of body as AsyncIterable<Uint8Array>) {
            if (call.idle) timer.refresh();
            yield chunk;
          }
        } catch (err) {
          throw mapFailure(call, timer, err, 'stream');
        } finally {
          close();
        }
      },
      close,
    };
  }

  return {
    request,
    async [Symbol.asyncDispose]() {
      const all = [...pools.values()];
      pools.clear();
      // Called after the gRPC server drained: nothing is in flight that should survive.
      await Promise.all(all.map((p) => p.destroy()));
    },
  };
}
