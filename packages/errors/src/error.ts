import { KINDS, type ErrorKind } from './kinds.js';

export interface SwitchyardErrorOptions {
  /** Machine-readable code for the client, e.g. `model_not_allowed` (defaults to the kind). */
  code?: string;
  /** The request parameter at fault, if any. */
  param?: string;
  /** Upstream HTTP status, when an upstream answered. */
  upstreamStatus?: number;
  /** Seconds after which the caller may retry (429s). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * The one error class. `message` is safe to show to clients for every kind but
 * `internal`, whose clients only ever see "internal error".
 */
export class SwitchyardError extends Error {
  override readonly name = 'SwitchyardError';
  readonly kind: ErrorKind;
  readonly code: string;
  readonly param: string | undefined;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = options.code ?? kind;
    this.param = options.param;
    this.upstreamStatus = options.upstreamStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get httpStatus(): number {
    return KINDS[this.kind].http;
  }

  /** Whether llm-proxy may try the next fallback target. */
  get allowsFallback(): boolean {
    return KINDS[this.kind].fallback;
  }

  /** The message a client may see. */
  get publicMessage(): string {
    return this.kind === 'internal' ? 'internal error' : this.message;
  }
}

export function isSwitchyardError(err: unknown): err is SwitchyardError {
  return err instanceof SwitchyardError;
}

/** Any thrown value as a SwitchyardError; unknown failures become `internal`. */
export function toSwitchyardError(err: unknown): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  if (err instanceof Error && err.name === 'AbortError') {
    return new SwitchyardError('cancelled', 'request cancelled', { cause: err });
  }
  return new SwitchyardError('internal', 'internal error', { cause: err });
}
