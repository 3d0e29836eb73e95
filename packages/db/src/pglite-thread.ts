import { Worker } from 'node:worker_threads';
import type { EmbeddedPostgres } from './embedded.js';

type Request = { op: 'query'; sql: string; params: unknown[] } | { op: 'exec'; sql: string } | { op: 'close' };
export type WorkerRequest = Request & { id: number };

export interface WorkerReply {
  id: number;
  rows?: unknown[];
  affectedRows?: number;
  error?: { message: string; fields: Record<string, string> };
}

/**
 * PGlite in a worker thread: its WASM Postgres never blocks the event loop that serves
 * requests. Queries travel by structured clone (Dates, Uint8Arrays and bigints survive);
 * errors come back with their SQLSTATE `code` and details.
 */
export async function openPgliteThread(dataDir?: string): Promise<EmbeddedPostgres> {
  // From dist the worker sits beside this file; from src (tests run the TypeScript) it is the built one.
  const entry = import.meta.url.endsWith('.ts') ? '../dist/pglite-worker.js' : './pglite-worker.js';
  const worker = new Worker(new URL(entry, import.meta.url), { workerData: { dataDir } });
  const pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  let next = 1;
  let failure: Error | undefined;
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    p?.resolve(reply);
  });
  worker.on('error', (err) => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  const call = (req: Request): Promise<WorkerReply> =>
    new Promise<WorkerReply>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id });
    }).then((reply) => {
      if (reply.error) throw Object.assign(new Error(reply.error.message), reply.error.fields);
      return reply;
    });
  await call({ op: 'exec', sql: 'select 1' });
  return {
    async query<R>(sql: string, params: unknown[] = []) {
      const reply = await call({ op: 'query', sql, params });
      return { rows: (reply.rows ?? []) as R[], ...(reply.affectedRows !== undefined ? { affectedRows: reply.affectedRows } : {}) };
    },
    exec: (sql) => call({ op: 'exec', sql }),
    async close() {
      await call({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
