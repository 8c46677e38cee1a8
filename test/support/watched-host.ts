// A stand-in host for the host-death test: starts a plain server, a stubborn one (ignores stdin
// EOF and SIGTERM, with a grandchild) and a stubborn one behind `sh`, with no ledger, prints
// "running", and waits to be SIGKILLed: only the watchdogs can end the servers then.
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker } from './processes';

const [pidDir] = process.argv.slice(2);
const fixtures = new FixtureTracker();
const stubborn = ['--ignore-eof', '--ignore-sigterm', '--spawn-child'];
const registry = new SessionRegistry({});
registry.reconcile([
  fixtures.stdio('plain', [], { pidDir }),
  fixtures.stdio('stubborn', stubborn, { pidDir }),
  fixtures.stdio('wrapped', stubborn, { pidDir, wrapped: true }),
]);
Promise.all(['plain', 'stubborn', 'wrapped'].map((name) => registry.start(name))).then(
  () => process.stdout.write('running\n'),
  (e) => {
    process.stderr.write(`watched host: ${e}\n`);
    process.exit(1);
  },
);
setInterval(() => undefined, 1000);
