import { SwitchyardError } from '@switchyard/errors';
import { ALLOW_ALL_MODELS } from '@switchyard/config';
import type { Principal } from './types.js';

/**
 * llm-proxy's `{"object":"list","data":[{"id":...}]}` narrowed to the models the
 * principal may use. A key that may use everything gets the bytes as they came.
 */
export function filterModelList(body: Uint8Array, principal: Principal): Uint8Array | string {
  if (principal.models === ALLOW_ALL_MODELS) return body;
  let list: unknown;
  try {
    list = JSON.parse(new TextDecoder().decode(body));
  } catch (err) {
    throw new SwitchyardError('internal', 'llm-proxy returned a model list that is not JSON', { cause: err });
  }
  const data = typeof list === 'object' && list !== null && 'data' in list && Array.isArray(list.data) ? (list.data as unknown[]) : [];
  const allowed = data.filter((m) => {
    const id = typeof m === 'object' && m !== null && 'id' in m ? m.id : undefined;
    return typeof id === 'string' && principal.models(id);
  });
  return JSON.stringify({ object: 'list', data: allowed });
}
