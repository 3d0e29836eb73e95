import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { WorkerReply, WorkerRequest } from './pglite-thread.js';

// The worker side of openPgliteThread: owns the PGlite instance, answers requests in order.
const port = parentPort;
if (!port) throw new Error('pglite-worker must run in a worker thread');
const { dataDir } = workerData as { dataDir: string | undefined };
const db = dataDir ? new PGlite(dataDir) : new PGlite();

function errorFields(err: unknown): WorkerReply['error'] {
  const e = err as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const k of ['code', 'detail', 'constraint', 'table', 'column', 'schema', 'severity']) if (typeof e?.[k] === 'string') out[k] = e[k];
  return { message: err instanceof Error ? err.message : String(err), fields: out };
}

port.on('message', (req: WorkerRequest) => {
  const run = async (): Promise<WorkerReply> => {
    await db.waitReady;
    if (req.op === 'query') {
      const r = await db.query(req.sql, req.params);
      return { id: req.id, rows: r.rows, ...(r.affectedRows !== undefined ? { affectedRows: r.affectedRows } : {}) };
    }
    if (req.op === 'exec') {
      await db.exec(req.sql);
      return { id: req.id };
    }
    await db.close();
    return { id: req.id };
  };
  run().then((reply) => port.postMessage(reply), (err: unknown) => port.postMessage({ id: req.id, error: errorFields(err) }));
});
