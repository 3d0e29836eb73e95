import { readFileSync } from 'node:fs';
import type { Env } from './load.js';

/** A secret from `NAME`, or from the file named by `NAME_FILE` (Kubernetes secret mounts). */
export function envSecret(env: Env, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return undefined;
}

export function envInt(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : Number.NaN; // NaN fails the schema with the key's path
}

export function envBool(env: Env, name: string): boolean | undefined {
  const v = env[name]?.toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

export function envList(env: Env, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
