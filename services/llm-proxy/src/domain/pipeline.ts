import { SwitchyardError, toSwitchyardError } from '@switchyard/errors';
import type { CallInfo, ChatRequest, JsonObject, RouteOutcome, Usage } from './types.js';

export interface HookContext {
  call: CallInfo;
  /** Aborted when the caller goes away or the deadline passes. */
  signal: AbortSignal;
}

/** A complete `chat.completion` a hook answers with instead of a provider (a cache, a guard's refusal). */
export interface EarlyAnswer {
  body: JsonObject;
  usage?: Usage;
}

export type HookResult =
  | { ok: true; outcome: RouteOutcome; early: boolean }
  | { ok: false; error: SwitchyardError };

/**
 * A pipeline stage. `before` runs in order and may answer early; `after` runs in reverse
 * order, only for hooks whose `before` ran (or that have none). A hook that throws denies
 * the request unless it is marked `failMode: 'open'`.
 */
export interface Hook {
  name: string;
  failMode: 'closed' | 'open';
  before?(ctx: HookContext, request: ChatRequest): Promise<EarlyAnswer | undefined> | EarlyAnswer | undefined;
  after?(ctx: HookContext, request: ChatRequest, result: HookResult): Promise<void> | void;
}

/** Called when a fail-open hook throws (the pipeline carries on). */
export type HookErrorReporter = (hook: string, phase: 'before' | 'after', err: unknown) => void;

export interface BeforeResult {
  /** The hooks whose `after` must run. */
  ran: Hook[];
  answer?: EarlyAnswer;
}

function denial(hook: Hook, err: unknown): SwitchyardError {
  const e = toSwitchyardError(err);
  return e.kind === 'internal' ? new SwitchyardError('internal', `hook ${hook.name} failed`, { cause: err }) : e;
}

export async function runBefore(hooks: readonly Hook[], ctx: HookContext, request: ChatRequest, report: HookErrorReporter): Promise<BeforeResult> {
  const ran: Hook[] = [];
  for (const hook of hooks) {
    if (!hook.before) {
      ran.push(hook);
      continue;
    }
    let answer: EarlyAnswer | undefined;
    try {
      answer = await hook.before(ctx, request);
    } catch (err) {
      if (hook.failMode === 'open') {
        report(hook.name, 'before', err);
        continue;
      }
      const error = denial(hook, err);
      await runAfter(ran, ctx, request, { ok: false, error }, report).catch(() => {});
      throw error;
    }
    ran.push(hook);
    if (answer) return { ran, answer };
  }
  return { ran };
}

/** Runs every `after` in reverse; the first closed hook that throws fails the request once all have run. */
export async function runAfter(ran: readonly Hook[], ctx: HookContext, request: ChatRequest, result: HookResult, report: HookErrorReporter): Promise<void> {
  let failure: SwitchyardError | undefined;
  for (let i = ran.length - 1; i >= 0; i--) {
    const hook = ran[i];
    if (!hook?.after) continue;
    try {
      await hook.after(ctx, request, result);
    } catch (err) {
      if (hook.failMode === 'open') report(hook.name, 'after', err);
      else failure ??= denial(hook, err);
    }
  }
  if (failure) throw failure;
}
