// The layer table of DESIGN.md §4 as an ESLint rule. A local rule rather than
// import/no-restricted-paths: that one needs a TS resolver and silently passes
// imports it cannot resolve, so a breach could slip through.
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const isNode = (spec) => NODE.has(spec) || spec.startsWith('node:');

// The contract modules that load zod when imported for their values; the client layer
// (the CLI's and the window's hot path) may take only their types.
const ZOD_MODULES = ['electron/contract/api', 'electron/contract/job', 'electron/contract/events', 'electron/contract/validate', 'electron/contract/index', 'electron/contract'];

/**
 * layer → which layers and which packages it may import. `packages: null` = any package
 * not denied; `typesOnly`: modules it may import only with `import type`. The client's
 * Node-only part (sockets, paths) is a layer of its own, so the renderer and the preload
 * can take the client but never its node/ folder. A longer prefix is listed first.
 */
export const LAYERS = {
  'electron/contract': { layers: ['electron/contract'], packages: ['zod'], node: false },
  'electron/core': { layers: ['electron/core', 'electron/contract'], packages: ['better-sqlite3', 'zod'], node: true },
  'electron/client/node': { layers: ['electron/client/node', 'electron/client', 'electron/contract'], packages: [], node: true, typesOnly: ZOD_MODULES },
  'electron/client': { layers: ['electron/client', 'electron/contract'], packages: [], node: false, typesOnly: ZOD_MODULES },
  'electron/host': { layers: ['electron/host', 'electron/core', 'electron/client', 'electron/client/node', 'electron/contract'], packages: ['ws', 'zod'], node: true },
  'electron/main': { layers: ['electron/main', 'electron/host', 'electron/client', 'electron/client/node', 'electron/contract'], packages: ['electron', 'electron-log', 'electron-log/main'], node: true },
  'electron/preload': { layers: ['electron/preload', 'electron/client', 'electron/contract'], packages: ['electron'], node: false },
  'electron/cli': { layers: ['electron/cli', 'electron/contract', 'electron/client', 'electron/client/node', 'electron/host'], packages: ['commander', '@modelcontextprotocol/sdk'], node: true },
  renderer: { layers: ['renderer', 'electron/client', 'electron/contract'], packages: null, deny: ['electron', 'better-sqlite3', 'ws', 'electron-log'], node: false },
};

function layerOf(file, root) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return Object.keys(LAYERS).find((l) => rel === l || rel.startsWith(`${l}/`));
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function checkImport(file, spec, root) {
  const from = layerOf(file, root);
  if (!from) return null;
  const rule = LAYERS[from];
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const resolved = path.resolve(path.dirname(file), spec);
    const target = layerOf(resolved, root);
    if (target && !rule.layers.includes(target)) return `${from} may not import ${target} (DESIGN.md §4)`;
    const rel = path.relative(root, resolved).split(path.sep).join('/').replace(/\.(ts|js)$/, '');
    if (rule.typesOnly?.includes(rel)) return `${from} may import ${rel} only with \`import type\` (it loads zod; DESIGN.md §4)`;
    if (!target && !path.resolve(path.dirname(file), spec).startsWith(path.resolve(root, from))) {
      return `${from} may not import ${spec}: outside the layer table (DESIGN.md §4)`;
    }
    return null;
  }
  if (isNode(spec)) return rule.node ? null : `${from} may not import the Node builtin '${spec}'`;
  const pkg = packageName(spec);
  if (rule.packages === null) {
    return rule.deny.includes(pkg) ? `${from} may not import '${pkg}'` : null;
  }
  return rule.packages.includes(spec) || rule.packages.includes(pkg) ? null : `${from} may not import '${pkg}' (allowed: ${rule.packages.join(', ')})`;
}

export const layerRule = {
  meta: { type: 'problem', docs: { description: 'Enforce the layer table of DESIGN.md §4' }, schema: [] },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      // `import type` is erased at build time, so a type-only import of contract types is always fine.
      if (node.importKind === 'type' && spec.includes('contract')) return;
      const problem = checkImport(file, spec, root);
      if (problem) context.report({ node, message: problem });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0].value);
        }
      },
    };
  },
};
