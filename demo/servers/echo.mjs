#!/usr/bin/env node
// Demo MCP server "echo": the smallest useful stdio server, built with the SDK's McpServer.
// Tools: echo {text}, add {a, b} (with structured output), swatch (an image) and configure (nested arguments, for the call form). Started by demo/.vscode/mcp.json with `node`, so it
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

// Nested options, used twice: the second use is a `$ref` to the first in the JSON Schema.
const options = z
  .object({
    depth: z.number().int().min(1).max(10).default(2).describe('How deep to go'),
    label: z.string().optional().describe('A label for the run'),
  })
  .describe('Nested options');

server.registerTool(
  'configure',
  {
    title: 'Configure',
    description: 'Returns its arguments as JSON. Open it with "Open Form": its arguments are nested.',
    inputSchema: {
      name: z.string().min(2).describe('What to call this configuration'),
      mode: z.enum(['fast', 'safe', 'thorough']).default('safe').describe('How to run'),
      retries: z.number().int().min(0).max(5).optional().describe('Attempts after the first'),
      tags: z.array(z.string().min(1)).optional().describe('Labels to attach'),
      options,
      target: z
        .union([z.object({ path: z.string().describe('A file path') }).strict(), z.object({ url: z.string().url().describe('A URL') }).strict()])
        .optional()
        .describe('Where to send the output'),
      fallback: options.optional(),
      notify: z.boolean().optional().describe('Say when done'),
    },
    annotations: { readOnlyHint: true },
  },
  async (args) => ({
    content: [{ type: 'text', text: JSON.stringify(args, null, 2) }],
    structuredContent: args,
  }),
);

// MCP stdio shutdown: the client closes our stdin, we exit.
process.stdin.on('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
process.stderr.write(`demo-echo: ready (pid ${process.pid})\n`);
