import { SwitchyardError } from '@switchyard/errors';
import type { ChatUpstream, UpstreamCall, UpstreamCompletion } from '../../domain/ports.js';
import type { ChunkStream, ProviderKind, Usage } from '../../domain/types.js';
import type { HttpClient, HttpExchange } from '../http/client.js';
import { SseParser } from '../http/sse.js';
import { statusError } from '../http/status.js';
import { anthropicSpec } from './anthropic/spec.js';
import { openAISpec } from './openai/spec.js';
import type { ProviderOptions, ProviderSpec, StreamTranslator, TransformContext } from './spec.js';

export const PROVIDER_SPECS: Record<ProviderKind, ProviderSpec> = { openai: openAISpec, anthropic: anthropicSpec };

/** How to reach one configured provider. */
export interface ProviderEndpoint {
  id: string;
  kind: ProviderKind;
  /** base_url + the spec's chat path. */
  chatUrl: URL;
  headers: Record<string, string>;
  options: ProviderOptions;
  connections: number;
}

export interface ProviderUpstreamOptions {
  http: HttpClient;
  endpoints: ReadonlyMap<string, ProviderEndpoint>;
  ctx: TransformContext;
}

export function chatUrl(baseUrl: string, kind: ProviderKind): URL {
  return new URL(baseUrl.replace(/\/+$/, '') + PROVIDER_SPECS[kind].chatPath);
}

async function ensureOk(exchange: HttpExchange, name: string): Promise<void> {
  if (exchange.status >= 200 && exchange.status < 300) return;
  let body: Uint8Array = new Uint8Array(0);
  try {
    body = await exchange.bytes();
  } catch {
    // the status says enough
  }
  exchange.close();
  throw statusError(name, exchange.status, exchange.headers, body);
}

async function* translate(exchange: HttpExchange, translator: StreamTranslator, name: string): AsyncGenerator<Uint8Array> {
  const parser = new SseParser();
  try {
    // Read to the end of the body even after the last event, so the connection stays pooled.
    for await (const bytes of exchange.chunks()) {
      if (translator.done()) continue;
      for (const event of parser.push(bytes)) {
        for (const chunk of translator.event(event)) yield chunk;
        if (translator.done()) break;
      }
    }
    if (!translator.done()) {
      for (const event of parser.end()) {
        for (const chunk of translator.event(event)) yield chunk;
      }
    }
    if (!translator.done()) throw new SwitchyardError('upstream_error', `${name} ended the stream early`);
  } finally {
    exchange.close();
  }
}

/** The ChatUpstream port over HTTP: one spec per provider kind, undici pools underneath. */
export function createProviderUpstream(options: ProviderUpstreamOptions): ChatUpstream {
  const endpoint = (id: string): ProviderEndpoint => {
    const found = options.endpoints.get(id);
    if (!found) throw new SwitchyardError('internal', `provider ${id} has no endpoint`);
    return found;
  };

  const send = (call: UpstreamCall, stream: boolean): { spec: ProviderSpec; exchange: Promise<HttpExchange>; name: string } => {
    const ep = endpoint(call.target.provider.id);
    const spec = PROVIDER_SPECS[ep.kind];
    const body = JSON.stringify(spec.toUpstream(call.request, call.target.model, options.ctx));
    const exchange = options.http.request({
      name: ep.id,
      url: ep.chatUrl,
      headers: { ...ep.headers, ...spec.headers(call.key.value, ep.options), 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' },
      body,
      signal: call.signal,
      timeoutMs: call.target.provider.timeoutMs,
      idle: stream,
      connections: ep.connections,
    });
    return { spec, exchange, name: ep.id };
  };

  return {
    async complete(call): Promise<UpstreamCompletion> {
      const { spec, exchange: pending, name } = send(call, false);
      const exchange = await pending;
      await ensureOk(exchange, name);
      return spec.fromUpstream(await exchange.bytes(), options.ctx);
    },
    async stream(call): Promise<ChunkStream> {
      const { spec, exchange: pending, name } = send(call, true);
      const exchange = await pending;
      await ensureOk(exchange, name);
      const translator = spec.streamTranslator(call.request, options.ctx);
      const chunks = translate(exchange, translator, name);
      return {
        [Symbol.asyncIterator]: () => chunks,
        usage: (): Usage | undefined => translator.usage(),
      };
    },
  };
}
