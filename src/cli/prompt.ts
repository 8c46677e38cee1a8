// Asks a question on the terminal: the question goes to stderr (stdout carries results), the
// answer comes from stdin. Hidden answers (passwords) are read in raw mode without echo.

import { createInterface } from 'node:readline';
import type { ReadStream } from 'node:tty';
import { CliError, ExitCode } from './exitCodes';

export interface Terminal {
  input: ReadStream;
  output: NodeJS.WritableStream;
}

/** The terminal to ask on, when stdin is one. */
export function processTerminal(): Terminal | undefined {
  return process.stdin.isTTY ? { input: process.stdin as ReadStream, output: process.stderr } : undefined;
}

const interrupted = () => new CliError(ExitCode.interrupted, 'interrupted');

/** Resolves with the answer, undefined at end of input; rejects with exit code 130 on Ctrl-C. */
export function ask(terminal: Terminal, question: string, options: { hidden?: boolean } = {}): Promise<string | undefined> {
  return options.hidden ? askHidden(terminal, question) : askVisible(terminal, question);
}

function askVisible(terminal: Terminal, question: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      rl.close();
      finish();
    };
    // readline puts the terminal in raw mode, so Ctrl-C arrives here rather than as a signal.
    rl.on('SIGINT', () => settle(() => reject(interrupted())));
    rl.on('close', () => settle(() => resolve(undefined)));
    rl.question(question, (answer) => settle(() => resolve(answer)));
  });
}

function askHidden(terminal: Terminal, question: string): Promise<string | undefined> {
  const { input, output } = terminal;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (settle: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      settle();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(interrupted()));
        if (ch === '\u0004' && value === '') return finish(() => resolve(undefined));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    // Echo off before the question shows, so an answer typed at once is not echoed either.
    input.setRawMode(true);
    output.write(question);
    input.on('data', onData);
    input.resume();
  });
}
