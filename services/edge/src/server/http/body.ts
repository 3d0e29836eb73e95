import type { IncomingMessage } from 'node:http';
import { SwitchyardError } from '@switchyard/errors';

export function payloadTooLarge(limit: number): SwitchyardError {
  return new SwitchyardError('payload_too_large', `request body exceeds the limit of ${limit} bytes`, { code: 'payload_too_large' });
}

/**
 * The request body as one Buffer, read from the raw Node request. A Content-Length
 * over the limit fails before reading; otherwise the limit is enforced while
 * reading, and the read stops (413) as soon as it is exceeded.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(payloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new SwitchyardError('cancelled', 'request body incomplete: the client went away', { cause: err }));
    };
    const onClose = (): void => {
      if (req.complete) return;
      onError(new Error('connection closed while reading the body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
