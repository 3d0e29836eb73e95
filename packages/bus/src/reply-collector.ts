import type { RequestOptions } from './types.js';

/**
 * Gathers the replies to one request as `RequestOptions` says: the first one ends it, or
 * each one restarts an idle window, or `until` ends it early; `timeoutMs` ends it anyway.
 */
export class ReplyCollector {
  readonly #replies: Uint8Array[] = [];
  readonly #timer: NodeJS.Timeout;
  #idle: NodeJS.Timeout | undefined;
  #done = false;
  readonly done: Promise<Uint8Array[]>;
  #resolve!: (replies: Uint8Array[]) => void;

  constructor(private readonly options: RequestOptions, private readonly onFinish: () => void) {
    this.done = new Promise((resolve) => { this.#resolve = resolve; });
    this.#timer = setTimeout(() => this.finish(), options.timeoutMs);
  }

  add(reply: Uint8Array): void {
    if (this.#done) return;
    this.#replies.push(reply);
    const idleMs = this.options.idleMs ?? 0;
    if (idleMs <= 0 || this.options.until?.(reply) === true) {
      this.finish();
      return;
    }
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.finish(), idleMs);
  }

  finish(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#idle);
    this.onFinish();
    this.#resolve(this.#replies);
  }
}
