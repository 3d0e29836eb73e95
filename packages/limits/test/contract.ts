import { describe, expect, it } from 'vitest';
import { Counters, type CounterDriver, type LedgerSource, type Limits, type ReserveResult } from '../src/index.js';

/** A driver under test, fresh per case, and a way to lose its state (a restart). */
export interface DriverFixture {
  driver(): CounterDriver;
  lose(): Promise<void>;
}

export class FakeLedger implements LedgerSource {
  readonly rows = new Map<string, number>();
  reads = 0;
  async spent(windows: readonly { budgetId: string; windowStartMs: number }[]): Promise<number[]> {
    this.reads++;
    return windows.map((w) => this.rows.get(`${w.budgetId}@${w.windowStartMs}`) ?? 0);
  }
}

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0); // a Monday, on a minute boundary

function ok(r: ReserveResult) {
  if (!r.ok) throw new Error(`expected a reservation, got ${JSON.stringify(r.denial)}`);
  return r.reservation;
}

const llm = (costMicros: number, tokens = 0) => ({ costMicros, tokens, llm: true });

/** The same rules for every driver (memory in unit tests, Redis in integration tests). */
export function counterContract(name: string, fixture: () => DriverFixture): void {
  describe(`counters contract: ${name}`, () => {
    function setup(ledger?: LedgerSource) {
      const f = fixture();
      const clock = { now: T0 };
      const counters = new Counters({ driver: f.driver(), ledger, now: () => clock.now });
      return { f, clock, counters };
    }

    it('a request must fit every budget; the first that does not is reported; windows reset on time', async () => {
      const { clock, counters } = setup();
      const limits: Limits = {
        budgets: [
          { id: 'perMin', entityKind: 'key', entityId: 'k1', limitMicros: 100, period: '1m' },
          { id: 'perHour', entityKind: 'team', entityId: 't1', limitMicros: 150, period: '1h' },
        ],
        rateLimits: [],
      };
      ok(await counters.reserve(limits, llm(60)));
      const denied = await counters.reserve(limits, llm(60));
      expect(denied.ok).toBe(false);
      if (!denied.ok && denied.denial.reason === 'budget_exceeded') {
        expect(denied.denial.budget.id).toBe('perMin');
        expect(denied.denial.usedMicros).toBe(60);
        expect(denied.denial.resetsAtMs).toBe(T0 + 60_000);
      } else throw new Error('expected budget_exceeded');
      clock.now = T0 + 60_000;
      ok(await counters.reserve(limits, llm(60)));
      clock.now = T0 + 120_000;
      const hourly = await counters.reserve(limits, llm(60));
      expect(!hourly.ok && hourly.denial.reason === 'budget_exceeded' && hourly.denial.budget.id).toBe('perHour');
      clock.now = T0 + 3_600_000;
      ok(await counters.reserve(limits, llm(100)));
    });

    it('all or nothing: a denied request reserves nothing on the counters that did fit', async () => {
      const { counters } = setup();
      const limits: Limits = {
        budgets: [{ id: 'b', entityKind: 'key', entityId: 'k', limitMicros: 100, period: '1d' }],
        rateLimits: [{ id: 'rl', entityKind: 'key', entityId: 'k', unit: 'requests', limit: 5, period: '1m' }],
      };
      expect((await counters.reserve(limits, llm(150))).ok).toBe(false);
      const values = await counters.values(limits);
      expect(values.map((v) => v.used)).toEqual([0, 0]);
    });

    it('rate limits count requests and tokens per window and answer retry-after', async () => {
      const { clock, counters } = setup();
      const limits: Limits = {
        budgets: [],
        rateLimits: [
          { id: 'req', entityKind: 'key', entityId: 'k', unit: 'requests', limit: 2, period: '1m' },
          { id: 'tok', entityKind: 'key', entityId: 'k', unit: 'tokens', limit: 1000, period: '1h' },
        ],
      };
      clock.now = T0 + 15_000;
      ok(await counters.reserve(limits, llm(0, 400)));
      ok(await counters.reserve(limits, llm(0, 400)));
      const third = await counters.reserve(limits, llm(0, 100));
      expect(third.ok).toBe(false);
      if (third.ok || third.denial.reason !== 'rate_limited') throw new Error('expected rate_limited');
      expect(third.denial.rateLimit.id).toBe('req');
      expect(third.denial.retryAfterMs).toBe(45_000);
      clock.now = T0 + 60_000;
      const tokens = await counters.reserve(limits, llm(0, 400));
      expect(!tokens.ok && tokens.denial.reason === 'rate_limited' && tokens.denial.rateLimit.id).toBe('tok');
      // A tool call does not count against token limits, only against request limits.
      ok(await counters.reserve(limits, { costMicros: 0, tokens: 0, llm: false }));
    });

    it('settles down (refund), up (top-up) and releases on failure; request counts stay', async () => {
      const { counters } = setup();
      const limits: Limits = {
        budgets: [{ id: 'b', entityKind: 'customer', entityId: 'c', limitMicros: 1_000, period: '1M' }],
        rateLimits: [
          { id: 'req', entityKind: 'key', entityId: 'k', unit: 'requests', limit: 10, period: '1m' },
          { id: 'tok', entityKind: 'key', entityId: 'k', unit: 'tokens', limit: 10_000, period: '1m' },
        ],
      };
      const a = ok(await counters.reserve(limits, llm(500, 4000)));
      const charges = await counters.settle(a, { costMicros: 120, tokens: 300 });
      expect(charges).toEqual([{ budgetId: 'b', windowStartMs: Date.UTC(2026, 0, 1), costMicros: 120 }]);
      expect((await counters.values(limits)).map((v) => v.used)).toEqual([120, 1, 300]);
      const b = ok(await counters.reserve(limits, llm(100, 10)));
      await counters.settle(b, { costMicros: 250, tokens: 50 });
      expect((await counters.values(limits)).map((v) => v.used)).toEqual([370, 2, 350]);
      const c = ok(await counters.reserve(limits, llm(600, 1000)));
      expect((await counters.values(limits)).map((v) => v.used)).toEqual([970, 3, 1350]);
      await counters.release(c);
      expect((await counters.values(limits)).map((v) => v.used)).toEqual([370, 3, 350]);
      // Exhausted: even a free request is refused once the budget is used up.
      const d = ok(await counters.reserve(limits, llm(630)));
      await counters.settle(d, { costMicros: 630, tokens: 0 });
      expect((await counters.reserve(limits, llm(0))).ok).toBe(false);
    });

    it('a lost budget counter is rebuilt from the ledger; a reservation across the loss settles in full', async () => {
      const ledger = new FakeLedger();
      const { f, counters } = setup(ledger);
      const limits: Limits = { budgets: [{ id: 'b', entityKind: 'key', entityId: 'k', limitMicros: 1_000, period: '1d' }], rateLimits: [] };
      const day = Date.UTC(2026, 0, 5);
      ledger.rows.set(`b@${day}`, 700);
      const first = ok(await counters.reserve(limits, llm(200)));
      expect(ledger.reads).toBe(1);
      expect((await counters.values(limits))[0]!.used).toBe(900);
      ok(await counters.reserve(limits, llm(10)));
      expect(ledger.reads).toBe(1); // the counter exists now: no ledger read
      await f.lose();
      ledger.rows.set(`b@${day}`, 710); // what the ledger holds by then
      const after = await counters.reserve(limits, llm(300));
      expect(after.ok).toBe(false); // 710 + 300 > 1000
      await counters.settle(first, { costMicros: 150, tokens: 0 }); // the rebuilt counter did not have it: added in full
      expect((await counters.values(limits))[0]!.used).toBe(860);
    });
  });
}
