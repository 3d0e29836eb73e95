import { listModels } from '../../domain/list-models.js';
import type { GrpcDeps } from './deps.js';

const encoder = new TextEncoder();

/** ListModels: OpenAI's `{"object":"list","data":[...]}` from the providers' configured models. */
export function listModelsHandler(deps: GrpcDeps) {
  const body = encoder.encode(JSON.stringify(listModels(deps.table.providers.values(), deps.createdAt)));
  return async () => ({ body });
}
