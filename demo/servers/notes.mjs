#!/usr/bin/env node
// Demo MCP server "notes": an in-memory notebook that exercises more of the protocol than
// echo does: resources (one per note, with list_changed), a prompt with an argument, a
// slow tool that reports progress and honours cancellation, logging notifications and an
// image result.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { deflateSync } from 'node:zlib';

const server = new McpServer(
  { name: 'demo-notes', version: '1.0.0' },
  { capabilities: { logging: {} }, instructions: 'A small notebook. Add notes with add_note, read them as note:// resources.' },
);

const notes = new Map([
  ['welcome', 'Welcome to the notes demo. Try the add_note tool, then open the new resource.'],
  ['shortcuts', 'The Tool Explorer lists tools, resources and prompts of every configured server.'],
]);
const registered = new Map();

function registerNote(id) {
  registered.set(
    id,
    server.registerResource(
      id,
      `note://${id}`,
      { title: id, description: `The note "${id}"`, mimeType: 'text/plain' },
      async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: notes.get(id) ?? '' }] }),
    ),
  );
}
for (const id of notes.keys()) registerNote(id);

server.registerTool(
  'add_note',
  {
    title: 'Add note',
    description: 'Adds or replaces a note; it appears as the resource note://<id>.',
    inputSchema: {
      id: z.string().regex(/^[a-z0-9-]+$/).describe('Lower-case id, letters, digits and dashes'),
      text: z.string().describe('The note'),
    },
  },
  async ({ id, text }) => {
    const isNew = !notes.has(id);
    notes.set(id, text);
    if (isNew) registerNote(id);
    await server.sendLoggingMessage({ level: 'info', logger: 'notes', data: `${isNew ? 'added' : 'updated'} note ${id}` });
    return { content: [{ type: 'text', text: `${isNew ? 'Added' : 'Updated'} note://${id}` }] };
  },
);

server.registerTool(
  'search_notes',
  {
    title: 'Search notes',
    description: 'Searches every note for a word, slowly: `delayMs` per note, with progress. Cancellable.',
    inputSchema: {
      query: z.string().describe('Word to look for (case-insensitive)'),
      delayMs: z.number().int().min(0).max(10000).default(500).describe('Delay per note, to watch progress'),
    },
    annotations: { readOnlyHint: true },
  },
  async ({ query, delayMs }, extra) => {
    const ids = [...notes.keys()];
    const hits = [];
    for (let i = 0; i < ids.length; i++) {
      if (extra.signal.aborted) throw new Error('cancelled');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (notes.get(ids[i]).toLowerCase().includes(query.toLowerCase())) hits.push(ids[i]);
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken, progress: i + 1, total: ids.length, message: `Searched ${ids[i]}` },
        });
      }
    }
    return {
      content: [{ type: 'text', text: hits.length ? hits.map((id) => `note://${id}`).join('\n') : 'No match' }],
      structuredContent: { query, hits },
    };
  },
);

// A 16×16 PNG drawn at startup (a blue square with a white page), to show how image results open.
function notePng() {
  const size = 16;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = [0]; // filter: none
    for (let x = 0; x < size; x++) {
      const page = x >= 4 && x <= 11 && y >= 3 && y <= 12;
      row.push(...(page ? [255, 255, 255] : [30, 110, 220]));
    }
    rows.push(...row);
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]).toString('base64');
}
server.registerTool(
  'note_icon',
  { title: 'Note icon', description: 'Returns a small PNG image.', annotations: { readOnlyHint: true } },
  async () => ({ content: [{ type: 'image', data: notePng(), mimeType: 'image/png' }, { type: 'text', text: 'A note icon' }] }),
);

server.registerPrompt(
  'summarize',
  {
    title: 'Summarize notes',
    description: 'Asks the model to summarize every note about a topic.',
    argsSchema: { topic: z.string().describe('What the summary is about') },
  },
  ({ topic }) => ({
    messages: [
      {
        role: 'user',
        content: {
          type: 'text',
          text: `Summarize what these notes say about ${topic}:\n\n${[...notes].map(([id, text]) => `- ${id}: ${text}`).join('\n')}`,
        },
      },
    ],
  }),
);

process.stdin.on('end', () => process.exit(0));
await server.connect(new StdioServerTransport());
process.stderr.write(`demo-notes: ready (pid ${process.pid}), ${notes.size} notes, owner ${process.env.NOTES_OWNER ?? 'unknown'}\n`);
