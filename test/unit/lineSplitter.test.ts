// The stdio transport's line splitter (src/core/stdio.ts): lines whole in one chunk (the warm
// path, decoded in place) and lines across chunks must come out the same, CRLF included.
import * as assert from 'node:assert/strict';
import { LineSplitter } from '../../src/core/stdio';

function split(chunks: (string | Buffer)[], maxLineBytes = 1024): { lines: string[]; oversize: number } {
  const lines: string[] = [];
  let oversize = 0;
  const splitter = new LineSplitter((line) => lines.push(line), maxLineBytes, () => oversize++);
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.flush();
  return { lines, oversize };
}

describe('LineSplitter', () => {
  it('strips one CR before LF, whether the line came in one chunk or several', () => {
    assert.deepEqual(split(['{"a":1}\r\n{"b":2}\n\r\n']).lines, ['{"a":1}', '{"b":2}', '']);
    assert.deepEqual(split(['{"a":', '1}\r', '\n{"b":2}\r\r\n']).lines, ['{"a":1}', '{"b":2}\r']);
  });

  it('keeps a CR that is not at the end of its line, and text after the last LF until the stream ends', () => {
    assert.deepEqual(split(['a\rb\nrest']).lines, ['a\rb', 'rest']);
  });

  it('decodes a multi-byte character split across chunks, and the same one whole in a chunk', () => {
    const line = Buffer.from('{"text":"é€😀"}\n');
    assert.deepEqual(split([line.subarray(0, 11), line.subarray(11)]).lines, ['{"text":"é€😀"}']);
    assert.deepEqual(split([Buffer.concat([line, line])]).lines, ['{"text":"é€😀"}', '{"text":"é€😀"}']);
  });

  it('drops a line over the limit, once, whether it came whole or in pieces, and goes on with the next', () => {
    assert.deepEqual(split([`${'x'.repeat(20)}\nok\n`], 10), { lines: ['ok'], oversize: 1 });
    assert.deepEqual(split(['x'.repeat(8), 'x'.repeat(8), 'x'.repeat(8), '\nok\n'], 10), { lines: ['ok'], oversize: 1 });
  });
});
