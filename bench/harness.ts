// What every section of the benchmark shares: the table row, alternating rounds, forced GC.

export type Call = () => Promise<unknown>;

export interface Row {
  metric: string;
  ours: number;
  raw: number;
  unit: string;
  /** ours / raw, or raw / ours for the per-request row (see `ratioLabel`). */
  ratio: number;
  ratioLabel?: string;
  target: string;
  met: boolean;
  /** A target that is reported, never a reason for the run to fail. */
  reportOnly?: boolean;
  oursLabel?: string;
  rawLabel?: string;
}

const startedAt = Date.now();

/** A progress line on stderr, with the seconds since the bench started (to see where the time goes). */
export function log(line: string): void {
  process.stderr.write(`bench [${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s]: ${line}\n`);
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Forced GC (the bench runs with --expose-gc), so one side's garbage is not collected in the next
 * side's turn; then waits until the process is idle, since V8 finishes a GC on background threads
 * (up to ~6 ms of CPU here) and that CPU time would land in the next side's measurement.
 */
export async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const windowMs = 20;
  for (let i = 0; i < 10; i++) {
    const before = process.cpuUsage();
    await delay(windowMs);
    const used = process.cpuUsage(before);
    // Below 5 % of one core in the window: idle (timers and the event loop use a little).
    if (used.user + used.system < windowMs * 1000 * 0.05) return;
  }
}

/**
 * Runs each side once per round, rotating which goes first (ABC, BCA, CAB, …), and returns each
 * side's results in round order (so results of one round can be paired).
 */
export async function alternate<K extends string, T>(rounds: number, sides: Record<K, () => Promise<T>>): Promise<Record<K, T[]>> {
  const names = Object.keys(sides) as K[];
  const results = Object.fromEntries(names.map((n) => [n, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const side = names[(round + i) % names.length];
      await settle();
      results[side].push(await sides[side]());
    }
  }
  return results;
}
