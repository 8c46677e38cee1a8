// Starts test/fixtures/oauth-server.mjs (an auto-approving authorization server protecting an
// MCP endpoint) and resolves once it prints where it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fixturesDir } from './paths';

export interface OAuthFixtureProcess {
  url: string;
  issuer: string;
  pid: number;
  child: ChildProcess;
  stderr: string[];
}

/** What the fixture has counted so far (its GET /control/stats). */
export interface OAuthFixtureStats {
  registrations: number;
  authorizations: Array<{ client_id: string; scope: string; resource: string | null }>;
  tokens: { authorization_code: number; refresh_token: number };
  mcp: { ok: number; 401: number; 403: number };
  requests: Record<string, number>;
}

export async function oauthFixtureStats(fixture: OAuthFixtureProcess): Promise<OAuthFixtureStats> {
  return (await (await fetch(`${fixture.issuer}/control/stats`)).json()) as OAuthFixtureStats;
}

export async function spawnOAuthFixture(flags: string[] = []): Promise<OAuthFixtureProcess> {
  const child = spawn(process.execPath, [join(fixturesDir, 'oauth-server.mjs'), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`oauth-server.mjs exited with ${code} before listening: ${stderr.join('\n')}`)));
  });
  lines.close();
  return { ...(JSON.parse(first) as { url: string; issuer: string; pid: number }), child, stderr };
}
