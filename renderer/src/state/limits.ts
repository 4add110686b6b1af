// Mirrors of contract/api.ts limits without importing zod into the bundle.
export const CONCURRENCY_MAX = 64;
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
