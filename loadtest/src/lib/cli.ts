/** A numeric command-line flag within [min, max]; a bad value ends the process with exit code 2. */
export function num(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`bad --${name}: ${value} (expected ${min}..${max})\n`);
    process.exit(2);
  }
  return n;
}
