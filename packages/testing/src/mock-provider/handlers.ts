import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { anthropicError, anthropicJson, anthropicModelsJson, anthropicStream } from './anthropic.js';
import { makeCompletion } from './completion.js';
import { isRecord, promptChars, tokens } from './content.js';
import { DirectiveError } from './directives.js';
import { openaiError, openaiJson, openaiModelsJson, openaiStream } from './openai.js';
import { resolvePlan, type Plan } from './plan.js';
import type { ScenarioStore } from './scenarios.js';
import { writeStream } from './sse.js';
import type { MockApi, RecordedRequest } from './types.js';

/** What the handlers need from the server. */
export interface MockContext {
  latencyMs: number;
  validKeys: Set<string> | undefined;
  keyFailures: Record<string, number>;
  store: ScenarioStore;
  record(entry: RecordedRequest): void;
  nextSeq(): string;
}

export interface ParsedRequest {
  req: IncomingMessage;
  res: ServerResponse;
  api: MockApi;
  raw: string;
  body: unknown;
}

const JSON_TYPE = 'application/json';

export function sendJson(res: ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, api: MockApi, status: number, message: string): void {
  const body = api === 'anthropic' ? anthropicError(status, message) : openaiError(status, message);
  sendJson(res, status, body, status === 429 ? { 'retry-after': '0' } : undefined);
}

function later(res: ServerResponse, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  res.on('error', () => undefined);
  const timer = setTimeout(() => {
    if (!res.socket?.destroyed) fn();
  }, ms);
  res.once('close', () => clearTimeout(timer));
}

// Anthropic takes `x-api-key`; its SDK 1.x sends `Authorization: Bearer` instead, so both count there.
function apiKeyOf(api: MockApi, headers: IncomingHttpHeaders): string | undefined {
  if (api === 'anthropic') {
    const key = headers['x-api-key'];
    if (typeof key === 'string' && key !== '') return key;
  }
  const auth = headers.authorization;
  if (auth === undefined || !auth.startsWith('Bearer ')) return undefined;
  const key = auth.slice('Bearer '.length).trim();
  return key === '' ? undefined : key;
}

/** The auth failure for this request, if any: [status, message]. */
function authFailure(ctx: MockContext, api: MockApi, headers: IncomingHttpHeaders, key: string | undefined): [number, string] | undefined {
  if (key === undefined) {
    return api === 'anthropic'
      ? [401, 'x-api-key header is required']
      : [401, "You didn't provide an API key. Provide it in the Authorization header (Bearer auth)."];
  }
  if (api === 'anthropic' && headers['anthropic-version'] === undefined) return [400, 'anthropic-version: header is required'];
  const forced = ctx.keyFailures[key];
  if (forced !== undefined) return [forced, `mock: key ${key} always fails (status ${forced})`];
  if (ctx.validKeys !== undefined && !ctx.validKeys.has(key)) return [401, 'Incorrect API key provided (mock)'];
  return undefined;
}

function badBody(body: unknown): string | undefined {
  if (!isRecord(body)) return 'request body must be a JSON object';
  if (typeof body['model'] !== 'string' || body['model'] === '') return 'model: field required';
  if (!Array.isArray(body['messages'])) return 'messages: field required';
  return undefined;
}

/** Authenticates and records; returns the record (or undefined when already answered). */
function admit(ctx: MockContext, p: ParsedRequest): { rec: RecordedRequest; ok: boolean } {
  const { req, res, api } = p;
  const apiKey = apiKeyOf(api, req.headers);
  const rec: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: p.body, time: Date.now(), api };
  if (apiKey !== undefined) rec.apiKey = apiKey;
  ctx.record(rec);
  const failure = authFailure(ctx, api, req.headers, apiKey);
  if (failure === undefined) return { rec, ok: true };
  rec.status = failure[0];
  later(res, ctx.latencyMs, () => sendError(res, api, failure[0], failure[1]));
  return { rec, ok: false };
}

function respond(p: ParsedRequest, plan: Plan, ctx: MockContext, body: Record<string, unknown>): void {
  const { res, req, api } = p;
  if (plan.hang) return;
  if (plan.status !== 200) return sendError(res, api, plan.status, plan.errorMessage);
  const stream = body['stream'] === true;
  const drop = plan.drop === 'auto' ? (stream ? 'mid' : 'before') : plan.drop;
  if (drop === 'before') return void req.socket.destroy();
  const c = makeCompletion(ctx.nextSeq(), String(body['model']), plan, promptChars(body));
  if (stream) {
    const options = body['stream_options'];
    const includeUsage = isRecord(options) && options['include_usage'] === true;
    const events = api === 'anthropic' ? anthropicStream(c) : openaiStream(c, includeUsage);
    return writeStream(res, events, { intervalMs: plan.intervalMs, dropMid: drop === 'mid' });
  }
  const json = api === 'anthropic' ? anthropicJson(c) : openaiJson(c);
  if (drop !== 'mid') return sendJson(res, 200, json);
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
  res.write(json.slice(0, json.length >> 1), () => req.socket.destroy());
}

/** POST /v1/chat/completions and POST /v1/messages. */
export function handleCompletion(ctx: MockContext, p: ParsedRequest): void {
  const { rec, ok } = admit(ctx, p);
  if (!ok) return;
  const problem = badBody(p.body);
  if (problem !== undefined || !isRecord(p.body)) {
    rec.status = 400;
    return sendError(p.res, p.api, 400, problem ?? 'invalid body');
  }
  const body = p.body;
  let plan: Plan;
  try {
    plan = resolvePlan({ body, raw: p.raw, headers: p.req.headers, latencyMs: ctx.latencyMs, store: ctx.store });
  } catch (err) {
    if (!(err instanceof DirectiveError)) throw err;
    rec.status = 400;
    return sendError(p.res, p.api, 400, `mock directive: ${err.message}`);
  }
  if (plan.scenario !== undefined) rec.scenario = plan.scenario;
  if (plan.step !== undefined) rec.step = plan.step;
  rec.status = plan.hang || plan.drop !== undefined ? 0 : plan.status;
  later(p.res, plan.latencyMs, () => respond(p, plan, ctx, body));
}

/** GET /v1/models, in the Anthropic shape when the request carries Anthropic headers. */
export function handleModels(ctx: MockContext, p: ParsedRequest): void {
  const { rec, ok } = admit(ctx, p);
  if (!ok) return;
  rec.status = 200;
  sendJson(p.res, 200, p.api === 'anthropic' ? anthropicModelsJson : openaiModelsJson);
}

/** POST /v1/messages/count_tokens */
export function handleCountTokens(ctx: MockContext, p: ParsedRequest): void {
  const { rec, ok } = admit(ctx, p);
  if (!ok) return;
  if (!isRecord(p.body)) return sendError(p.res, p.api, 400, 'request body must be a JSON object');
  rec.status = 200;
  sendJson(p.res, 200, `{"input_tokens":${tokens(promptChars(p.body))}}`);
}
