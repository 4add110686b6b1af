// MCP benchmark (issue 11). Run by `npm run bench` (or `npm run bench mcp`) after a build.
//   A `status` tool call round trip through `errand mcp` over stdio, with the SDK's own
//   client, median once the server has started, against the same `status` call over the
//   host's socket (raw NDJSON), measured in the same run, interleaved so background noise
//   hits both alike. Goal: < 5 ms median. The server's start (spawn → initialized, host
//   already up) is reported beside it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'electron/cli/bin/errand');
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

/** One NDJSON connection to the host: request → the next reply line (one call in flight at a time). */
async function socketClient(sock) {
  const s = net.createConnection(sock);
  await new Promise((r, j) => s.once('connect', r).once('error', j));
  let buf = '';
  let waiting = null;
  s.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting;
      waiting = null;
      w?.(JSON.parse(line));
    }
  });
  let id = 0;
  const ask = (method, params) => new Promise((r) => ((waiting = r), s.write(`${JSON.stringify({ id: ++id, method, params })}\n`)));
  await ask('hello', { protocolVersion: 2, client: 'bench-socket' });
  return { ask, close: () => s.destroy() };
}

export async function runMcpBench({ log = console.log, rounds = 20, perRound = 50 } = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-mcpbench-'));
  const errand = (...args) => execFileSync(process.execPath, [BIN, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let client = null;
  let sock = null;
  try {
    errand('status'); // starts the host: the benchmark times calls, not the host's start
    sock = await socketClient(path.join(home, 'errand.sock'));

    const t0 = process.hrtime.bigint();
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--home', home], stderr: 'ignore' });
    client = new Client({ name: 'bench', version: '1' });
    await client.connect(transport);
    const startMs = ms(t0);
    await client.callTool({ name: 'status', arguments: {} }); // the first call waits for the host connection

    const viaMcp = [];
    const viaSocket = [];
    for (let i = 0; i < 3 * perRound; i++) await client.callTool({ name: 'status', arguments: {} }); // warm up both paths
    for (let i = 0; i < 3 * perRound; i++) await sock.ask('status', {});
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < perRound; i++) {
        const t = process.hrtime.bigint();
        const res = await client.callTool({ name: 'status', arguments: {} });
        viaMcp.push(ms(t));
        if (res.isError) throw new Error(`status failed: ${JSON.stringify(res.content)}`);
      }
      for (let i = 0; i < perRound; i++) {
        const t = process.hrtime.bigint();
        await sock.ask('status', {});
        viaSocket.push(ms(t));
      }
    }
    const mcpMed = quantile(viaMcp, 0.5);
    const sockMed = quantile(viaSocket, 0.5);
    log(`status round trip over ${viaMcp.length} calls each: MCP stdio median ${mcpMed.toFixed(2)} ms (p95 ${quantile(viaMcp, 0.95).toFixed(2)}), host socket median ${sockMed.toFixed(2)} ms (p95 ${quantile(viaSocket, 0.95).toFixed(2)})`);
    log(`errand mcp start (spawn → initialized, host running): ${startMs.toFixed(0)} ms`);
    return [
      { bench: 'MCP `status` tool over stdio (median ms)', value: mcpMed.toFixed(2), baseline: `host socket: ${sockMed.toFixed(2)} ms`, ratio: (mcpMed / sockMed).toFixed(1), goal: '< 5 ms', ok: mcpMed < 5 },
      { bench: '`errand mcp` start → initialized (ms)', value: startMs.toFixed(0), baseline: '—', ratio: '—', goal: 'report' },
    ];
  } finally {
    await client?.close().catch(() => {});
    sock?.close();
    try {
      errand('shutdown');
    } catch {
      // already gone
    }
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await runMcpBench()) console.log(r);
}
