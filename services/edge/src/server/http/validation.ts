import { SwitchyardError } from '@switchyard/errors';
import type { z } from 'zod';

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** A zod failure as one `invalid_argument` naming the field (and every unknown field). */
export function validationError(error: z.ZodError): SwitchyardError {
  const issue = error.issues[0];
  if (issue === undefined) return new SwitchyardError('invalid_argument', 'invalid request');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `'${pathOf([...issue.path, k])}'`).join(', ');
    return new SwitchyardError('invalid_argument', `unknown field${issue.keys.length > 1 ? 's' : ''}: ${names}`, {
      param: pathOf([...issue.path, issue.keys[0] ?? '']),
    });
  }
  const param = pathOf(issue.path);
  return new SwitchyardError('invalid_argument', param ? `'${param}': ${issue.message}` : issue.message, param ? { param } : {});
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** A JSON request body (admin API): not JSON → 400, never 500. */
export function parseJsonBody(text: string): unknown {
  if (text.trim().length === 0) throw new SwitchyardError('invalid_argument', 'request body is empty: expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SwitchyardError('invalid_argument', 'request body is not valid JSON');
  }
}
