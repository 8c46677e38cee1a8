// What a failure notification says and offers, by the failure's code.
import * as assert from 'node:assert/strict';
import { failureKind, failureNotice, type Failure } from '../../src/vscode/failureNotice';

describe('failure notices', () => {
  it('a missing command offers Open Configuration and names the server once', () => {
    const failure: Failure = {
      code: 'start-failed',
      retryable: false,
      message: 'Could not start "missing": the command "mcp-no-such-command" was not found on PATH. Check its command in the configuration.',
    };
    const notice = failureNotice('missing', failure);
    assert.equal(notice.text, 'Could not start "missing": the command "mcp-no-such-command" was not found on PATH. Check its command in the configuration.');
    assert.equal(notice.text.split('"missing"').length - 1, 1, 'one subject');
    assert.deepEqual(notice.actions, ['Open Configuration', 'Show Logs']);
    assert.ok(!notice.actions.includes('Restart'), 'a restart cannot help');
  });

  it('a crash offers Show Logs and quotes the last stderr lines', () => {
    const notice = failureNotice('crashy', {
      code: 'crashed',
      retryable: true,
      message: '"crashy" exited with code 9; restarting in 500 ms.',
      exitCode: 9,
      restartInMs: 500,
      stderrTail: ['line 1', '', 'line 2', 'line 3', '   ', 'line 4'],
    });
    assert.equal(notice.text, 'MCP server "crashy" exited with code 9; restarting in 500 ms. Last stderr output: line 2 | line 3 | line 4');
    assert.deepEqual(notice.actions, ['Show Logs']);
  });

  it('a crash during a call names the call and quotes stderr', () => {
    const notice = failureNotice('crashy', {
      code: 'crashed',
      retryable: true,
      message: '"crashy" stopped unexpectedly during the call of "crash": exited with code 7.',
      exitCode: 7,
      stderrTail: ['fixture: crashing with exit code 7'],
    });
    assert.equal(notice.text, 'MCP server "crashy" stopped unexpectedly during the call of "crash": exited with code 7. Last stderr output: fixture: crashing with exit code 7');
  });

  it('an exit before initialize is a crash, not a configuration problem', () => {
    const failure: Failure = { code: 'start-failed', retryable: true, message: '"broken" exited with code 3 before it finished initializing.', exitCode: 3, stderrTail: ['fixture: fatal configuration error'] };
    assert.equal(failureKind(failure), 'crash');
    assert.equal(failureNotice('broken', failure).text, 'MCP server "broken" exited with code 3 before it finished initializing. Last stderr output: fixture: fatal configuration error');
  });

  it('transient failures offer Restart', () => {
    for (const failure of [
      { code: 'start-failed', retryable: true, message: '"slow" did not answer initialize within 30000 ms.' },
      { code: 'connection', retryable: true, message: 'http://127.0.0.1:9/mcp could not be reached: fetch failed.' },
      { code: 'timeout', retryable: true, message: 'The call of "slow" on "slow" timed out after 60000 ms without progress.' },
      { code: 'session-expired', retryable: true, message: '"remote" ended its session during the call of "x"; a new session is starting, so try again.' },
    ] satisfies Failure[]) {
      assert.equal(failureKind(failure), 'transient', failure.message);
      assert.equal(failureNotice('slow', failure).actions[0], 'Restart');
    }
  });

  it('a message without the server\'s name gets it once; long stderr lines are cut', () => {
    const notice = failureNotice('remote', { code: 'crashed', retryable: true, message: 'http://x/mcp could not be reached', stderrTail: ['x'.repeat(500)] });
    assert.match(notice.text, /^MCP server "remote" failed: http:\/\/x\/mcp could not be reached\. Last stderr output: x{159}…$/);
  });
});
