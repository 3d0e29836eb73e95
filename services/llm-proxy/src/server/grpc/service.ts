import { implementService, llmproxy, type ServiceBinding } from '@switchyard/proto';
import { createChatCompletion } from './create-chat-completion.js';
import type { GrpcDeps } from './deps.js';
import { listModelsHandler } from './list-models.js';
import { streamChatCompletion } from './stream-chat-completion.js';

export type { GrpcDeps } from './deps.js';

/** LlmProxyService, bound to its handlers. */
export function llmProxyBinding(deps: GrpcDeps): ServiceBinding {
  return {
    service: llmproxy.LlmProxyService,
    implementation: implementService(llmproxy.LlmProxyService, {
      createChatCompletion: createChatCompletion(deps),
      streamChatCompletion: streamChatCompletion(deps),
      listModels: listModelsHandler(deps),
    }),
  };
}
