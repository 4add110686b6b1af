// Types for the tests (the script itself is plain ESM so Node runs it without a build).
export function electronBinary(root: string): string | null;
export const MISSING_ELECTRON: string;
export function electronEnv(env: NodeJS.ProcessEnv, bindingFile: string): NodeJS.ProcessEnv;
