/**
 * How many virtual keys exist, as governance last said. While the count is 0 an
 * `optional` gateway is open; an unknown count (governance never answered) is closed.
 * Refreshes requested while one is running cause one more run after it, so a refresh
 * asked for after a PolicyChanged event never returns a count read before the change.
 */
export class AuthState {
  private count: number | undefined;
  private wanted = 0;
  private running: Promise<number> | undefined;

  /** `onChange` hears every change of the count (undefined: unknown again). */
  constructor(
    private readonly source: () => Promise<number>,
    private readonly onChange: (count: number | undefined, previous: number | undefined) => void = () => {},
  ) {}

  /** Undefined until governance has answered once. */
  get keyCount(): number | undefined {
    return this.count;
  }

  refresh(): Promise<number> {
    this.wanted++;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<number> {
    let done = 0;
    let count = 0;
    do {
      const target = this.wanted;
      try {
        count = await this.source();
      } catch (err) {
        // Fail closed: an open gateway whose key count cannot be read is open no longer.
        if (this.count === 0) this.set(undefined);
        throw err;
      }
      this.set(count);
      done = target;
    } while (done < this.wanted);
    return count;
  }

  private set(count: number | undefined): void {
    const previous = this.count;
    this.count = count;
    if (previous !== count) this.onChange(count, previous);
  }
}
