// What every fuzz campaign shares: a seeded random source (so a failing case replays from its
// seed) and the report `npm run fuzz` prints. Campaigns live in test/fuzz/<name>.fuzz.ts and
// export `campaign`; the unit suite runs each one with a fixed seed and a small count, and
// `npm run fuzz` (scripts/fuzz.mjs) runs them longer.

export interface FuzzOptions {
  seed: number;
  /** How many cases to generate. */
  iterations: number;
  /** Progress and case lines; the unit suite passes a no-op. */
  log: (line: string) => void;
}

export interface FuzzCrash {
  /** Enough to replay it: the seed and the case number, plus a short description. */
  case: string;
  error: string;
}

export interface FuzzReport {
  campaign: string;
  seed: number;
  cases: number;
  crashes: FuzzCrash[];
  /** Failures that are not crashes but break a stated guarantee (a bound exceeded, a valid server lost). */
  violations: FuzzCrash[];
  slowest: { case: string; ms: number };
  peakRssMiB: number;
}

export type Campaign = (options: FuzzOptions) => Promise<FuzzReport>;

/** mulberry32: small, fast and good enough to drive mutations; the same seed gives the same cases. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** Tracks the process's peak resident set size while a campaign runs. */
export class PeakMemory {
  private peak = process.memoryUsage().rss;

  sample(): void {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
  }

  get mib(): number {
    return Math.round((this.peak / 1024 / 1024) * 10) / 10;
  }
}
