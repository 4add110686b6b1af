// The engine as one ESM file for things that run outside vitest (fixture hosts that a
// test SIGKILLs, the benchmarks, the fixture-store generator). Built by engine-bundle.mjs.
export { Engine } from '../../electron/core/engine';
export { openEngine, testApi } from './test-api';
export { MIGRATIONS, SCHEMA_VERSION } from '../../electron/core/store/migrations';
export { openDatabase, schemaVersion } from '../../electron/core/store/database';
export { dbPath, logPath } from '../../electron/core/paths';
export { startCommand } from '../../electron/core/runners/command-runner';
