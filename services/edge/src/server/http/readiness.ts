import type { ReadinessProbe } from '../../domain/ports.js';

/** A probe that has not answered by then counts as down (pings have no cost to stop). */
const PROBE_TIMEOUT_MS = 1_500;

export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | 'unavailable'>;
}

async function probe(p: ReadinessProbe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([p.check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every dependency, in parallel. */
export async function checkReadiness(probes: readonly ReadinessProbe[]): Promise<Readiness> {
  const results = await Promise.all(probes.map(probe));
  const checks: Record<string, 'ok' | 'unavailable'> = {};
  probes.forEach((p, i) => {
    checks[p.name] = results[i] ? 'ok' : 'unavailable';
  });
  return { ready: results.every(Boolean), checks };
}
