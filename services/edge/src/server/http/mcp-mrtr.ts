import { randomBytes } from 'node:crypto';
import { hmac, isSignedToken, signedToken, verifiedBody } from './signed-token.js';
import type { JsonRpcResponse } from './mcp-server-protocol.js';

/**
 * MRTR (Multi Round-Trip Requests, 2026-07-28) bridging for `/mcp`: an upstream that
 * sends `sampling/createMessage`, `elicitation/create` or `roots/list` during a modern
 * `tools/call` cannot reach the caller (a modern response stream carries no requests), so
 * the call is parked here and the caller gets `resultType: "input_required"` with the
 * relayed request(s) as `inputRequests` (keyed by the gateway's relay id) and a signed
 * `requestState`. The caller's retry (same `tools/call`, new request id, `inputResponses`
 * + `requestState`) delivers the answers upstream and waits for the next event of the
 * same upstream call: its final result or another round. A parked call waits at most
 * `waitMs` for the retry, then it is aborted.
 *
 * The state is HMAC-signed with the edge secret and bound to the caller's key and the
 * endpoint, so a forged or replayed-elsewhere state is refused without a lookup. The
 * parked upstream call itself lives in this replica's memory (its gRPC stream is held
 * here): a retry reaching another replica is refused as expired (documented limit).
 */

type Json = Record<string, unknown>;

/** A server-to-client request relayed out of the upstream call. */
export interface RelayedRequest {
  readonly id: string;
  readonly method: string;
  readonly params: Json;
}

/** What a round of the call ends with. */
export type RoundEvent = { readonly kind: 'answer'; readonly answer: JsonRpcResponse } | { readonly kind: 'input'; readonly requests: readonly RelayedRequest[] };

/** Relayed requests arriving within this long of the first form one round (an upstream asking several things at once). */
const GATHER_MS = 20;

/** The methods MRTR carries, and the client capability each needs. */
export const INPUT_METHODS: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export interface StateClaims {
  /** The parked call's handle. */
  readonly h: string;
  /** The tool the state was issued for. */
  readonly n: string;
  /** The relay ids this round asked for. */
  readonly ids: readonly string[];
  /** Expiry, ms since the epoch. */
  readonly exp: number;
}

function mac(secret: string, payload: string, binding: string): string {
  return hmac(secret, `mrtr\n${binding}\n${payload}`);
}

/** `sy1.<claims, base64url JSON>.<HMAC>`, bound to `binding` (caller key + endpoint). */
export function signState(secret: string, binding: string, claims: StateClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return signedToken(payload, mac(secret, payload, binding));
}

/** True for a state this gateway issues (whatever its validity); anything else belongs to the upstream. */
export function isGatewayState(state: unknown): state is string {
  return typeof state === 'string' && isSignedToken(state);
}

/** The claims of a state signed for `binding`, unexpired; undefined when forged, tampered, foreign or expired. */
export function verifyState(secret: string, binding: string, state: string, now = Date.now()): StateClaims | undefined {
  const payload = verifiedBody(state, (p) => mac(secret, p, binding));
  if (payload === undefined) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const c = claims as Partial<StateClaims>;
  if (typeof c.h !== 'string' || typeof c.n !== 'string' || !Array.isArray(c.ids) || !c.ids.every((i) => typeof i === 'string') || typeof c.exp !== 'number') return undefined;
  if (c.exp < now) return undefined;
  return { h: c.h, n: c.n, ids: c.ids, exp: c.exp };
}

/**
 * One upstream tool call that may span several downstream requests. Messages the call
 * emits go to the current round's emitter (progress, logs), or are dropped while the
 * call is parked; relayed requests end the round (gathered for `GATHER_MS`, so requests
 * the upstream sends together form one round).
 */
export class MrtrCall {
  readonly handle = randomBytes(18).toString('base64url');
  private readonly queue: RoundEvent[] = [];
  private waiter: ((e: RoundEvent) => void) | undefined;
  private target: ((m: Json) => void) | undefined;
  private batch: RelayedRequest[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  /** Relayed requests asked for and not yet answered, by relay id. */
  readonly outstanding = new Map<string, RelayedRequest>();

  constructor(
    readonly tool: string,
    private readonly abort: AbortController,
    private readonly waitMs: number,
    private readonly onGone: (call: MrtrCall) => void,
  ) {}

  /** A round is waiting on this call (a second concurrent retry is refused). */
  get active(): boolean {
    return this.waiter !== undefined || this.target !== undefined;
  }

  /** Starts the upstream call; `run` gets the emitter to hand to dispatch. */
  start(run: (emit: (m: Json) => void) => Promise<JsonRpcResponse>): void {
    run((m) => this.onMessage(m)).then(
      (answer) => this.push({ kind: 'answer', answer }),
      (err: unknown) => this.push({ kind: 'answer', answer: { jsonrpc: '2.0', id: null, error: { code: -32603, message: err instanceof Error ? err.message : 'tool call failed' } } }),
    );
  }

  private onMessage(m: Json): void {
    if (typeof m.id === 'string' && typeof m.method === 'string') {
      const request: RelayedRequest = { id: m.id, method: m.method, params: typeof m.params === 'object' && m.params !== null ? (m.params as Json) : {} };
      if (this.batch) { this.batch.push(request); return; }
      this.batch = [request];
      setTimeout(() => {
        const requests = this.batch ?? [];
        this.batch = undefined;
        for (const r of requests) this.outstanding.set(r.id, r);
        this.push({ kind: 'input', requests });
      }, GATHER_MS).unref();
      return;
    }
    this.target?.(m);
  }

  private push(e: RoundEvent): void {
    if (e.kind === 'answer') this.settled = true;
    const w = this.waiter;
    if (w) { this.waiter = undefined; w(e); } else this.queue.push(e);
  }

  /**
   * The next event of the call, with `emit` receiving what the call sends meanwhile. An
   * `input` event parks the call (the bounded wait starts); an `answer` ends it.
   */
  async next(emit: (m: Json) => void, signal: AbortSignal): Promise<RoundEvent> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.target = emit;
    const onAbort = (): void => this.cancel(signal.reason instanceof Error ? signal.reason : new Error('client went away'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const e = this.queue.shift() ?? await new Promise<RoundEvent>((resolve) => { this.waiter = resolve; });
      if (e.kind === 'answer') this.onGone(this);
      else this.park();
      return e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.target = undefined;
    }
  }

  /** The caller asked again without every answer: the bounded wait starts over. */
  rearm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.park();
  }

  private park(): void {
    if (this.settled) return;
    this.timer = setTimeout(() => this.cancel(new Error('no retry with inputResponses in time')), this.waitMs);
    this.timer.unref();
  }

  /** Aborts the upstream call and forgets it. */
  cancel(reason: Error): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.onGone(this);
    if (!this.settled) this.abort.abort(reason);
  }
}

/** This replica's parked calls, by handle. */
export class MrtrRegistry {
  private readonly calls = new Map<string, MrtrCall>();

  constructor(readonly secret: string, readonly waitMs: number) {}

  open(tool: string, abort: AbortController): MrtrCall {
    const call = new MrtrCall(tool, abort, this.waitMs, (c) => { if (this.calls.get(c.handle) === c) this.calls.delete(c.handle); });
    this.calls.set(call.handle, call);
    return call;
  }

  get(handle: string): MrtrCall | undefined {
    return this.calls.get(handle);
  }

  get size(): number {
    return this.calls.size;
  }

  /** The `input_required` result for a round, with a state signed for `binding`. */
  inputRequired(binding: string, call: MrtrCall, requests: readonly RelayedRequest[]): Json {
    const inputRequests: Json = {};
    for (const r of requests) inputRequests[r.id] = { method: r.method, params: r.params };
    const requestState = signState(this.secret, binding, { h: call.handle, n: call.tool, ids: requests.map((r) => r.id), exp: Date.now() + this.waitMs });
    return { resultType: 'input_required', inputRequests, requestState };
  }
}
