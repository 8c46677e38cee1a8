// Which protocol era each server definition speaks, learned from its last connection, so a
// restart connects without the `server/discover` probe (`connect({ prior })`). Keyed by the
// definition's fingerprint: a changed definition is a different server and is probed again.
//
// A modern verdict keeps the server's DiscoverResult (adopted with zero round trips; if the
// server was downgraded, the first request fails loudly and the next start probes again). A
// legacy verdict is dated and trusted only for `legacyMaxAgeMs`: a stale one never fails (an
// upgraded server still answers `initialize`), so without a bound it would hide the upgrade forever.

import type { Client, PriorDiscovery } from '@modelcontextprotocol/client';

interface Verdict {
  prior: PriorDiscovery;
  at: number;
}

export class EraVerdicts {
  private readonly verdicts = new Map<string, Verdict>();

  constructor(private readonly legacyMaxAgeMs: number) {}

  /** The cached verdict for `key`, or undefined to probe. */
  get(key: string, now = Date.now()): PriorDiscovery | undefined {
    const verdict = this.verdicts.get(key);
    if (!verdict) return undefined;
    if (verdict.prior.kind === 'legacy' && now - verdict.at >= this.legacyMaxAgeMs) {
      this.verdicts.delete(key);
      return undefined;
    }
    return verdict.prior;
  }

  /** Records what `client` negotiated. A legacy verdict that is re-confirmed keeps its first date, so the bound holds. */
  record(key: string, client: Client, now = Date.now()): void {
    const discover = client.getProtocolEra() === 'modern' ? client.getDiscoverResult() : undefined;
    if (discover) {
      this.verdicts.set(key, { prior: { kind: 'modern', discover }, at: now });
    } else if (this.verdicts.get(key)?.prior.kind !== 'legacy') {
      this.verdicts.set(key, { prior: { kind: 'legacy' }, at: now });
    }
  }

  /** Forgets `key`: its next connection probes (a modern verdict that failed to connect). */
  forget(key: string): void {
    this.verdicts.delete(key);
  }
}
