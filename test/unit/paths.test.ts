import * as assert from 'node:assert/strict';
import { join, sep } from 'node:path';
import { containedPath, PathEscapeError, safeFileName } from '../../src/core/paths';

describe('paths: hostile names', () => {
  it('makes one harmless file-name segment of any text', () => {
    assert.equal(safeFileName('..'), '__');
    assert.equal(safeFileName('.'), '_');
    assert.equal(safeFileName('.hidden'), '_hidden');
    assert.equal(safeFileName('../../etc/passwd'), '___.._etc_passwd');
    assert.equal(safeFileName('a\\b'), 'a_b');
    assert.equal(safeFileName('my server\u202e\u0000'), 'my_server_');
    assert.equal(safeFileName('report.v2-final'), 'report.v2-final');
    assert.equal(safeFileName('x'.repeat(500)).length, 60);
    assert.equal(safeFileName('', 'server'), 'server');
  });

  it('returns a joined path only when it stays strictly inside its folder', () => {
    const folder = join(sep, 'tmp', 'results');
    assert.equal(containedPath(folder, 'a', 'b.png'), join(folder, 'a', 'b.png'));
    assert.equal(containedPath(folder, 'a/../b'), join(folder, 'b'));
    for (const escaping of [['..'], ['a', '..', '..', 'x'], ['/etc/passwd'], ['.'], ['..x/../../y']]) {
      assert.throws(() => containedPath(folder, ...escaping), PathEscapeError, escaping.join(', '));
    }
    assert.equal(containedPath(folder, '..x'), join(folder, '..x'), 'a name that merely starts with dots is inside');
  });
});
