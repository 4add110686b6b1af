import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';
// @ts-expect-error -- plain JS module without types
import { checkImport } from '../../build/lint/layers.js';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return res!.messages.filter((m) => m.ruleId === 'errand/layers').map((m) => m.message);
}

describe('layer rule (DESIGN.md §4) as run by npm test', () => {
  test('core importing electron is reported', async () => {
    expect(await problems('electron/core/breach.ts', "import { app } from 'electron';\nexport const x = app;\n")).toEqual([expect.stringMatching(/electron\/core may not import 'electron'/)]);
  });

  test('core importing React or the host is reported', async () => {
    const found = await problems('electron/core/breach.ts', "import React from 'react';\nimport { startHost } from '../host/host';\nexport const x = [React, startHost];\n");
    expect(found).toHaveLength(2);
    expect(found[1]).toMatch(/electron\/core may not import electron\/host/);
  });

  test('renderer importing node builtins, electron or core is reported', async () => {
    const found = await problems(
      'renderer/src/breach.ts',
      "import fs from 'node:fs';\nimport { ipcRenderer } from 'electron';\nimport { Engine } from '../../electron/core/engine';\nexport const x = [fs, ipcRenderer, Engine];\n",
    );
    expect(found).toEqual([expect.stringMatching(/Node builtin 'node:fs'/), expect.stringMatching(/'electron'/), expect.stringMatching(/renderer may not import electron\/core/)]);
  });

  test('only core may import better-sqlite3', async () => {
    expect(await problems('electron/host/breach.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n")).toHaveLength(1);
    expect(await problems('electron/core/ok.ts', "import Database from 'better-sqlite3';\nexport const x = Database;\n")).toEqual([]);
  });

  test('the cli may not reach into core; dynamic imports count too', async () => {
    expect(await problems('electron/cli/breach.ts', "export const load = () => import('../core/engine');\n")).toHaveLength(1);
  });

  test('allowed imports pass', async () => {
    expect(await problems('electron/main/ok.ts', "import { app } from 'electron';\nimport { startHost } from '../host/host';\nexport const x = [app, startHost];\n")).toEqual([]);
    expect(await problems('renderer/src/ok.ts', "import { create } from 'zustand';\nimport type { Job } from '../../electron/contract/job';\nexport const x = create;\nexport type J = Job;\n")).toEqual([]);
  });

  test('client: may import the contract, zod-bearing modules only as types; node builtins only under client/node', async () => {
    expect(await problems('electron/client/ok.ts', "import type { Input } from '../contract/api';\nimport { ErrandError } from '../contract/errors';\nimport { MAX_FRAME_BYTES } from '../contract/protocol';\nexport type I = Input<'add'>;\nexport const x = [ErrandError, MAX_FRAME_BYTES];\n")).toEqual([]);
    expect(await problems('electron/client/breach.ts', "import { methods } from '../contract/api';\nimport { validate } from '../contract/validate';\nexport const x = [methods, validate];\n")).toEqual([
      expect.stringMatching(/electron\/client may import electron\/contract\/api only with `import type`/),
      expect.stringMatching(/electron\/contract\/validate only with `import type`/),
    ]);
    expect(await problems('electron/client/breach.ts', "import net from 'node:net';\nexport const x = net;\n")).toEqual([expect.stringMatching(/Node builtin 'node:net'/)]);
    expect(await problems('electron/client/node/ok.ts', "import net from 'node:net';\nimport { Session } from '../session';\nexport const x = [net, Session];\n")).toEqual([]);
    expect(await problems('electron/client/breach.ts', "import { Engine } from '../core/engine';\nimport { startHost } from '../host/host';\nimport { app } from 'electron';\nexport const x = [Engine, startHost, app];\n")).toHaveLength(3);
  });

  test('who may use the client: cli, main and host all of it; renderer and preload not its node/ part', async () => {
    for (const file of ['electron/cli/ok.ts', 'electron/main/ok.ts', 'electron/host/ok.ts']) {
      expect(await problems(file, "import { Session } from '../client/session';\nimport { connectSocket } from '../client/node/socket';\nexport const x = [Session, connectSocket];\n"), file).toEqual([]);
    }
    expect(await problems('renderer/src/ok.ts', "import { Session } from '../../electron/client/session';\nexport const x = Session;\n")).toEqual([]);
    expect(await problems('renderer/src/breach.ts', "import { connectSocket } from '../../electron/client/node/socket';\nexport const x = connectSocket;\n")).toEqual([expect.stringMatching(/renderer may not import electron\/client\/node/)]);
    expect(await problems('electron/preload/breach.ts', "import { socketPath } from '../client/node/paths';\nexport const x = socketPath;\n")).toEqual([expect.stringMatching(/electron\/preload may not import electron\/client\/node/)]);
    // and the core stays below the client
    expect(await problems('electron/core/breach.ts', "import { Session } from '../client/session';\nexport const x = Session;\n")).toEqual([expect.stringMatching(/electron\/core may not import electron\/client/)]);
  });

  test('checkImport resolves relative paths against the importing file', () => {
    expect(checkImport(path.join(root, 'electron/contract/a.ts'), '../core/engine', root)).toMatch(/contract may not import electron\/core/);
    expect(checkImport(path.join(root, 'electron/contract/a.ts'), './job', root)).toBeNull();
  });
});
