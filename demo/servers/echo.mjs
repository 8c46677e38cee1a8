#!/usr/bin/env node
// Demo MCP server "echo": the smallest useful stdio server, built with the SDK's McpServer.
// Tools: echo {text}, add {a, b} (with structured output) and swatch (an image). Started by demo/.vscode/mcp.json with `node`, so it
// resolves @modelcontextprotocol/sdk and zod from the repository's node_modules.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'demo-echo', version: '1.0.0' });

server.registerTool(
  'echo',
  {
    title: 'Echo',
    description: 'Returns the text it is given.',
    inputSchema: { text: z.string().describe('The text to send back') },
    annotations: { readOnlyHint: true },
  },
  async ({ text }) => ({ content: [{ type: 'text', text }] }),
);

server.registerTool(
  'add',
  {
    title: 'Add',
    description: 'Adds two numbers.',
    inputSchema: { a: z.number().describe('First addend'), b: z.number().describe('Second addend') },
    outputSchema: { sum: z.number() },
    annotations: { readOnlyHint: true, idempotentHint: true },
  },
  async ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
    structuredContent: { sum: a + b },
  }),
);

/** A 64×64 PNG of four flat colours. */
const swatchPng =
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAAYElEQVR4nO3PIREAIBAAsA+DhhC0Ig1hkBgSQQbEu92twCLGTnVXpAoBAQEBAQEBAQEBAQEBAQEBAQEBAQEBge9AnT3VKS2VgICAgICAgICAgICAgICAgICAgICAgMC3Bydl+S1OQKxeAAAAAElFTkSuQmCC';

server.registerTool(
  'swatch',
  {
    title: 'Swatch',
    description: 'Returns a small image of four colours.',
    annotations: { readOnlyHint: true },
  },
  async () => ({
    content: [
      { type: 'image', data: swatchPng, mimeType: 'image/png' },
      { type: 'text', text: 'Four colours: blue, yellow, green, red.' },
    ],
  }),
);

// MCP stdio shutdown: the client closes our stdin, we exit.
process.stdin.on('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
process.stderr.write(`demo-echo: ready (pid ${process.pid})\n`);
