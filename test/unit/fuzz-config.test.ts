// The configuration fuzz campaign with a fixed seed: the same documents on every run, so a
// failure here replays exactly. `npm run fuzz` runs it longer with a random seed.
import * as assert from 'node:assert/strict';
import { campaign, iterations } from '../fuzz/config.fuzz';

const seed = 20_261_130;

describe('fuzz: configuration (fixed seed)', function () {
  this.timeout(120_000);

  it(`parses ${iterations.test} mutated documents without a crash or a broken guarantee`, async () => {
    const report = await campaign({ seed, iterations: iterations.test, log: () => {} });
    assert.equal(report.cases, iterations.test);
    const describe = (list: typeof report.crashes) => list.slice(0, 5).map((f) => `${f.case}: ${f.error}`).join('\n');
    assert.deepEqual(report.crashes.length, 0, `crashes:\n${describe(report.crashes)}`);
    assert.deepEqual(report.violations.length, 0, `violations:\n${describe(report.violations)}`);
  });
});
