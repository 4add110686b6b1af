/** Builds the engine as one ESM file plain `node` can import; returns its path and a cleanup. */
export function buildEngineBundle(): Promise<{ file: string; dispose: () => void }>;
