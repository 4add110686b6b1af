import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One build for every runtime. main and cli share the host/core chunks; dependencies
// (better-sqlite3 above all) stay external, so the CLI loads no React and no Electron.
export default defineConfig({
  main: {
    build: {
      target: 'node20',
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          cli: resolve(import.meta.dirname, 'electron/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        // a sandboxed renderer's preload must be CommonJS
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [
      react(),
      // Vite's dev server injects <style> tags; only there may styles be inline.
      { name: 'errand-dev-csp', apply: 'serve', transformIndexHtml: (h: string) => h.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") },
    ],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      minify: true,
      // loaded from disk or loopback, never over a network: one 560 kB chunk is fine
      chunkSizeWarningLimit: 1000,
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } },
    },
  },
});
