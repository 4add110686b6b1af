import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The JSON report is what .ci/run reads to print "N passed, N failed, N skipped".
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'node', environment: 'node', include: ['test/electron/**/*.test.ts', 'test/lint/**/*.test.ts', 'test/build/**/*.test.ts'] } },
      { extends: true, plugins: [react()], test: { name: 'dom', environment: 'jsdom', include: ['test/renderer/**/*.test.{ts,tsx}'] } },
      // Real browsers and real Electron: one file at a time keeps two cores calm.
      { extends: true, test: { name: 'e2e', environment: 'node', include: ['test/e2e/**/*.test.ts', 'test/electron-app/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
