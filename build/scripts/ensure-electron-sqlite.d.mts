// Types for the tests (the script itself is plain ESM so Node runs it without a build).
export const CACHE: string;
export interface Versions {
  electronVersion: string;
  sqliteVersion: string;
}
export interface Step {
  label: string;
  cmd: string;
  args: string[];
}
export type Runner = (cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) => number;
export function readVersions(root: string): Versions;
export function bindingDir(root: string, v: Versions & { platform: string; arch: string }): string;
export function bindingFile(dir: string): string;
export function distBindingFile(root: string, platform: string, arch: string): string;
export function resolveBin(root: string, pkg: string, name?: string): string | null;
export function findNodeGyp(root: string, env?: NodeJS.ProcessEnv, execPath?: string): string | null;
export function buildSteps(o: { root: string; electronVersion: string; platform: string; arch: string; env?: NodeJS.ProcessEnv; execPath?: string }): Step[];
export function copyPackage(src: string, dest: string): void;
export const defaultRun: Runner;
export class EnsureError extends Error {}
export function ensureElectronSqlite(o?: {
  root?: string;
  platform?: string;
  arch?: string;
  run?: Runner;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}): { file: string; built: boolean };
export function stageForDist(root: string, file: string, platform: string, arch: string): string;
