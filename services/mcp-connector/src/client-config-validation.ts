import { SwitchyardError } from '@switchyard/errors';
import type { z } from 'zod';
import { mcpClientConfigSchema, type McpClientConfig } from './config.js';

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The first zod issue as one `invalid_argument` naming the field (the admin API's envelope). */
function invalid(error: z.ZodError): SwitchyardError {
  const issue = error.issues[0];
  if (issue === undefined) return new SwitchyardError('invalid_argument', 'invalid MCP client config');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `'${pathOf([...issue.path, k])}'`).join(', ');
    return new SwitchyardError('invalid_argument', `unknown field${issue.keys.length > 1 ? 's' : ''}: ${names}`, { param: pathOf([...issue.path, issue.keys[0] ?? '']) });
  }
  const param = pathOf(issue.path);
  return new SwitchyardError('invalid_argument', param ? `'${param}': ${issue.message}` : issue.message, param ? { param } : {});
}

/** A client config from the admin API, checked by the same schema as switchyard.yaml's. */
export function validateClientConfig(input: unknown): McpClientConfig {
  const result = mcpClientConfigSchema.safeParse(input);
  if (!result.success) throw invalid(result.error);
  return result.data;
}
