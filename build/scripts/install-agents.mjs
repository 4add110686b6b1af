#!/usr/bin/env node
// Installs the agent CLIs Errand's tests drive for real, pinned, into a cache outside the
// repository (they are far too big for devDependencies: Codex ~424 MB, Claude Code
// ~245 MB, opencode ~177 MB, Gemini CLI ~100 MB). Their native binaries ship inside the
// npm packages, so this works with the npm registry alone.
//
//   node build/scripts/install-agents.mjs [name…]      (npm run agents:install)
//
// The cache: $ERRAND_AGENTS_DIR, else ~/.cache/errand-agents; one folder per package and
// version, so a version bump installs beside the old one and nothing is half-replaced.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The pinned CLIs: the versions the adapters and their tests are written against. */
export const AGENTS = {
  codex: { pkg: '@openai/codex', version: '0.171.0', bin: 'codex' },
  claude: { pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  gemini: { pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
  opencode: { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
};

export const agentsDir = (env = process.env) => env.ERRAND_AGENTS_DIR || path.join(os.homedir(), '.cache', 'errand-agents');

/** Where a pinned CLI's executable is once installed (null when it is not). */
export function agentBin(name, env = process.env) {
  const a = AGENTS[name];
  const file = path.join(agentsDir(env), `${name}-${a.version}`, 'node_modules', '.bin', a.bin);
  return fs.existsSync(file) ? file : null;
}

function install(name) {
  const a = AGENTS[name];
  if (agentBin(name)) return console.log(`${name} ${a.version}: installed`);
  const dir = path.join(agentsDir(), `${name}-${a.version}`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'package.json'), '{"private":true}\n');
  console.log(`${name} ${a.version}: installing ${a.pkg} into ${dir}`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `${a.pkg}@${a.version}`], { cwd: tmp, stdio: 'inherit' });
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.error(`${name}: npm install failed (exit ${r.status}); its tests will skip`);
    return false;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir); // all or nothing: a half install is never found as installed
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(AGENTS);
  let ok = true;
  for (const n of names) {
    if (!AGENTS[n]) {
      console.error(`unknown agent ${n}; one of ${Object.keys(AGENTS).join(', ')}`);
      process.exit(2);
    }
    ok = install(n) !== false && ok;
  }
  process.exit(ok ? 0 : 1);
}
