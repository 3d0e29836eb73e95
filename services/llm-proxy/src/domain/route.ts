import { SwitchyardError, toSwitchyardError } from '@switchyard/errors';
import type { ChatUpstream, Random, RouterEvents, Sleep, UpstreamCall } from './ports.js';
import { decideRetry } from './retry-policy.js';
import { selectKey } from './select-key.js';
import type { ChatRequest, ChunkStream, CompletionResult, ProviderKey, RouteOutcome, StreamResult, Target } from './types.js';

export interface RouterDeps {
  upstream: ChatUpstream;
  random: Random;
  sleep: Sleep;
  events: RouterEvents;
  /** Milliseconds, monotonic enough for durations. */
  now: () => number;
}

interface Served<T> {
  value: T;
  target: Target;
  key: ProviderKey;
  attempts: number;
  fallbacksUsed: number;
}

type Attempt<T> = (call: UpstreamCall) => Promise<T>;

/** The error for a call whose signal aborted: its deadline (upstream_timeout) or the caller (cancelled). */
export function abortError(signal: AbortSignal): SwitchyardError {
  const reason: unknown = signal.reason;
  if (reason instanceof SwitchyardError) return reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new SwitchyardError('upstream_timeout', 'request deadline exceeded', { cause: reason });
  }
  return new SwitchyardError('cancelled', 'request cancelled', { cause: reason });
}

function noKey(target: Target, last?: SwitchyardError): SwitchyardError {
  return new SwitchyardError('upstream_rejected', `no usable provider key for ${target.provider.id}/${target.model}`, {
    code: 'upstream_credentials_exhausted',
    ...(last?.upstreamStatus !== undefined ? { upstreamStatus: last.upstreamStatus } : {}),
    ...(last ? { cause: last } : {}),
  });
}

/** Runs `attempt` against one target with its own retry budget, rotating keys as the policy says. */
async function serveTarget<T>(target: Target, request: ChatRequest, signal: AbortSignal, deps: RouterDeps, counter: { attempts: number }, attempt: Attempt<T>): Promise<{ value: T; key: ProviderKey }> {
  const { provider } = target;
  const dead = new Set<string>();
  let retries = 0;
  const first = selectKey(provider.keys, target.model, dead, deps.random);
  if (!first) throw noKey(target);
  let key: ProviderKey = first;
  for (;;) {
    counter.attempts++;
    const started = deps.now();
    try {
      const value = await attempt({ target, key, request, signal });
      deps.events.attempt({ provider: provider.id, keyName: key.name, seconds: (deps.now() - started) / 1000, ok: true });
      return { value, key };
    } catch (err) {
      deps.events.attempt({ provider: provider.id, keyName: key.name, seconds: (deps.now() - started) / 1000, ok: false });
      if (signal.aborted) throw abortError(signal);
      const e = toSwitchyardError(err);
      const decision = decideRetry(e, retries, provider.retry, deps.random);
      if (decision.action === 'fail') throw e;
      if (decision.spendsBudget) retries++;
      if (decision.markDead) dead.add(key.name);
      if (decision.rotate) {
        const others = selectKey(provider.keys, target.model, new Set([...dead, key.name]), deps.random);
        const next: ProviderKey | undefined = others ?? (decision.markDead ? undefined : key);
        if (!next) throw noKey(target, e);
        key = next;
      }
      deps.events.retry({ provider: provider.id, reason: decision.reason, delayMs: decision.delayMs });
      if (decision.delayMs > 0) {
        try {
          await deps.sleep(decision.delayMs, signal);
        } catch {
          throw abortError(signal);
        }
      }
    }
  }
}

/** Tries the targets in order; only errors whose kind allows fallback move on to the next. */
export async function serve<T>(request: ChatRequest, signal: AbortSignal, deps: RouterDeps, attempt: Attempt<T>): Promise<Served<T>> {
  const counter = { attempts: 0 };
  const { targets } = request;
  for (let i = 0; ; i++) {
    const target = targets[i];
    if (!target) throw new SwitchyardError('internal', 'no route targets');
    try {
      const { value, key } = await serveTarget(target, request, signal, deps, counter, attempt);
      return { value, target, key, attempts: counter.attempts, fallbacksUsed: i };
    } catch (err) {
      const e = toSwitchyardError(err);
      const next = targets[i + 1];
      if (signal.aborted || !e.allowsFallback || !next) throw signal.aborted ? abortError(signal) : e;
      deps.events.fallback({ from: target.provider.id, to: next.provider.id, kind: e.kind });
    }
  }
}

function outcomeOf(served: Served<unknown>, usage: RouteOutcome['usage']): RouteOutcome {
  return {
    provider: served.target.provider.id,
    model: served.target.model,
    keyName: served.key.name,
    attempts: served.attempts,
    fallbacksUsed: served.fallbacksUsed,
    usage,
  };
}

export async function routeCompletion(request: ChatRequest, signal: AbortSignal, deps: RouterDeps): Promise<CompletionResult> {
  const served = await serve(request, signal, deps, (call) => deps.upstream.complete(call));
  return { body: served.value.body, outcome: outcomeOf(served, served.value.usage) };
}

interface OpenedStream {
  stream: ChunkStream;
  iterator: AsyncIterator<Uint8Array>;
  first: Uint8Array;
}

/** Opens a stream and waits for its first chunk, so that failures up to then can still retry or fall back. */
async function openStream(call: UpstreamCall, upstream: ChatUpstream): Promise<OpenedStream> {
  const stream = await upstream.stream(call);
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new SwitchyardError('upstream_error', `${call.target.provider.id} ended the stream without data`);
  return { stream, iterator, first: first.value };
}

/** Resolves with the first chunk in hand; after that, upstream errors propagate to the consumer. */
export async function routeStream(request: ChatRequest, signal: AbortSignal, deps: RouterDeps): Promise<StreamResult> {
  const served = await serve(request, signal, deps, (call) => openStream(call, deps.upstream));
  const { stream, iterator, first } = served.value;
  let finished = false;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      yield first;
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        yield next.value;
      }
      finished = true;
    } catch (err) {
      throw signal.aborted ? abortError(signal) : toSwitchyardError(err);
    } finally {
      if (!finished) await iterator.return?.();
    }
  }
  return { chunks: chunks(), outcome: () => outcomeOf(served, stream.usage()) };
}
