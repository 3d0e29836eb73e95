import { SwitchyardError } from '@switchyard/errors';
import type { ProviderSpec } from '../spec.js';
import { anthropicRequest } from './request.js';
import { anthropicResponse } from './response.js';
import { anthropicStreamTranslator } from './stream.js';

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Anthropic's Messages API behind the OpenAI chat shape. */
export const anthropicSpec: ProviderSpec = {
  kind: 'anthropic',
  chatPath: '/v1/messages',
  headers: (apiKey, options) => ({ 'x-api-key': apiKey, 'anthropic-version': options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION }),
  toUpstream: (request, model, ctx) => anthropicRequest(request, model, ctx),
  fromUpstream: (body) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(body));
    } catch (err) {
      throw new SwitchyardError('upstream_error', 'anthropic sent invalid JSON', { cause: err });
    }
    const { body: completion, usage } = anthropicResponse(parsed);
    return { body: encoder.encode(JSON.stringify(completion)), usage };
  },
  streamTranslator: (request) => anthropicStreamTranslator(request),
};
