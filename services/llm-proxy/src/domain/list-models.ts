import type { Provider } from './types.js';

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ModelList {
  object: 'list';
  data: ModelEntry[];
}

/** OpenAI's model list from the providers' advertised models, named `provider/model`. */
export function listModels(providers: Iterable<Provider>, created: number): ModelList {
  const data: ModelEntry[] = [];
  for (const p of providers) {
    for (const model of p.models) data.push({ id: `${p.id}/${model}`, object: 'model', created, owned_by: p.id });
  }
  return { object: 'list', data };
}
