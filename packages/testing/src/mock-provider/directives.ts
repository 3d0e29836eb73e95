import type { IncomingHttpHeaders } from 'node:http';
import { allTexts } from './content.js';
import type { MockToolCall } from './types.js';

// Directives reach the mock as lines `mock: key=value key=value` in any message's text (a
// gateway passes bodies through) or as `x-mock-<key>: value` headers (or one `x-mock` header
// holding a whole line). Values are bare words, "JSON strings", or JSON objects/arrays.

export type DropMode = 'auto' | 'before' | 'mid';

export interface Directives {
  reply?: string;
  latencyMs?: number;
  status?: number;
  fail?: number;
  count?: number;
  hang?: boolean;
  drop?: DropMode;
  tools: MockToolCall[];
  chunks?: number;
  intervalMs?: number;
  scenario?: string;
  /** The directive text as received: the fail counter's key when no scenario is named. */
  source: string;
}

export class DirectiveError extends Error {}

type Token = [key: string, value: string | undefined];

const LINE = /^\s*mock:(.*)$/gm;

function scanValue(line: string, start: number): number {
  const open = line[start];
  if (open === '"') {
    for (let i = start + 1; i < line.length; i++) {
      if (line[i] === '\\') i++;
      else if (line[i] === '"') return i + 1;
    }
    throw new DirectiveError(`unterminated string in ${JSON.stringify(line)}`);
  }
  if (open === '{' || open === '[') {
    let depth = 0;
    for (let i = start; i < line.length; i++) {
      const c = line[i];
      if (c === '"') {
        for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
      } else if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
    }
    throw new DirectiveError(`unbalanced JSON in ${JSON.stringify(line)}`);
  }
  let i = start;
  while (i < line.length && !/\s/.test(line[i] ?? '')) i++;
  return i;
}

/** Splits `key=value key "key=\"quoted\"" key={"json": 1}` into tokens. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    if (/\s/.test(line[i] ?? '')) {
      i++;
      continue;
    }
    const keyMatch = /^[a-z][a-z0-9_-]*/i.exec(line.slice(i));
    if (!keyMatch) throw new DirectiveError(`expected key=value at ${JSON.stringify(line.slice(i))}`);
    const key = keyMatch[0].toLowerCase();
    i += key.length;
    if (line[i] !== '=') {
      tokens.push([key, undefined]);
      continue;
    }
    const end = scanValue(line, i + 1);
    tokens.push([key, line.slice(i + 1, end)]);
    i = end;
  }
  return tokens;
}

function json(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new DirectiveError(`${key}: not valid JSON: ${raw}`);
  }
}

function text(key: string, raw: string | undefined): string {
  if (raw === undefined) throw new DirectiveError(`${key} needs a value`);
  if (!raw.startsWith('"')) return raw;
  const value = json(key, raw);
  if (typeof value !== 'string') throw new DirectiveError(`${key}: expected a string`);
  return value;
}

function int(key: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(text(key, raw));
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DirectiveError(`${key}: expected an integer in [${min}, ${max}], got ${String(raw)}`);
  }
  return value;
}

function flag(key: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === 'true' || raw === '1' || raw === '') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new DirectiveError(`${key}: expected true or false`);
}

function apply(d: Directives, [key, raw]: Token): void {
  switch (key) {
    case 'reply': d.reply = text(key, raw); return;
    case 'latency': d.latencyMs = int(key, raw, 0, 600_000); return;
    case 'status': d.status = int(key, raw, 100, 599); return;
    case 'fail': d.fail = int(key, raw, 100, 599); return;
    case 'count': d.count = int(key, raw, 0, 1_000_000); return;
    case 'hang': d.hang = flag(key, raw); return;
    case 'chunks': d.chunks = int(key, raw, 1, 100_000); return;
    case 'interval': d.intervalMs = int(key, raw, 0, 600_000); return;
    case 'scenario': d.scenario = text(key, raw); return;
    case 'tool': d.tools.push({ name: text(key, raw), arguments: {} }); return;
    case 'args': {
      const last = d.tools.at(-1);
      if (!last) throw new DirectiveError('args= must follow tool=');
      last.arguments = json(key, raw ?? '');
      return;
    }
    case 'drop': {
      if (raw === 'before' || raw === 'mid') d.drop = raw;
      else if (flag(key, raw)) d.drop = 'auto';
      return;
    }
    default:
      throw new DirectiveError(`unknown directive key "${key}"`);
  }
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(' ') : (value ?? '');
}

/** True if the request may carry directives; cheap enough for every request. */
export function mayHaveDirectives(raw: string, headers: IncomingHttpHeaders): boolean {
  if (raw.includes('mock:')) return true;
  for (const name in headers) if (name.startsWith('x-mock')) return true;
  return false;
}

/** The request's directives, or undefined if it has none. Throws DirectiveError on bad syntax. */
export function parseDirectives(body: Record<string, unknown>, headers: IncomingHttpHeaders): Directives | undefined {
  const tokens: Token[] = [];
  const headerArgs: Token[] = [];
  const sources: string[] = [];
  for (const text of allTexts(body)) {
    if (!text.includes('mock:')) continue;
    for (const match of text.matchAll(LINE)) {
      const line = (match[1] ?? '').trim();
      sources.push(line);
      tokens.push(...tokenize(line));
    }
  }
  for (const name in headers) {
    if (!name.startsWith('x-mock')) continue;
    const value = headerValue(headers[name]).trim();
    if (name === 'x-mock') {
      tokens.push(...tokenize(value));
      sources.push(value);
    } else if (name.startsWith('x-mock-')) {
      const key = name.slice('x-mock-'.length);
      // x-mock-args belongs to x-mock-tool whichever header came first.
      (key === 'args' ? headerArgs : tokens).push([key, value === '' ? undefined : value]);
      sources.push(`${key}=${value}`);
    }
  }
  tokens.push(...headerArgs);
  if (tokens.length === 0) return undefined;
  const d: Directives = { tools: [], source: sources.join(' ') };
  for (const token of tokens) apply(d, token);
  return d;
}
