// Every limit the contract enforces, zod-free, so the CLI, the tray and the window show
// and check the same numbers the host does (the schemas in api.ts are built from these).
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
export const CONCURRENCY_MAX = 64;
export const TITLE_MAX = 300;
/** The coding agents Errand runs as jobs (zod-free, for the CLI's checks); `errand` is Errand's own agent (issue 10). */
export const AGENT_NAMES = ['codex', 'claude', 'gemini', 'opencode'] as const;

/** The API-key variables the agents read: `errand agent` passes them to its job as secrets, never stored. */
export const SECRET_ENV_NAMES = ['OPENAI_API_KEY', 'CODEX_API_KEY', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'OPENROUTER_API_KEY'] as const;
/** An agent job's task, in words. */
export const TASK_MAX = 20_000;
export const LABEL_MAX = 60;
export const LABELS_MAX = 20;
export const AFTER_MAX = 1000;
export const RETRIES_MAX = 100;
export const NOTE_MAX = 2000;
export const QUESTION_MAX = 2000;
export const CONTEXT_MAX = 200_000;
export const STEP_NAME_MAX = 200;
export const PLAN_STEPS_MAX = 500;
export const PROGRESS_UNIT_MAX = 40;
export const PROGRESS_LABEL_MAX = 200;
export const SUMMARY_MAX = 500;
export const ETA_KEY_MAX = 500;
export const BATCH_MAX = 100_000;
export const IDS_MAX = 10_000;
/** Longest duration (timeout, delay, backoff, clean --older-than): a year, in ms. */
export const DURATION_MAX_MS = 365 * 24 * 3600 * 1000;
/** Largest log chunk one `logs` call returns. */
export const LOG_CHUNK_MAX = 1024 * 1024;
export const LOG_CHUNK_DEFAULT = 256 * 1024;
/** Jobs per page of `list` and `snapshot`: one page never holds the host for long. */
export const PAGE_MAX = 5000;
export const PAGE_DEFAULT = 1000;
/** Finished jobs a window loads up front (older ones page in on demand). */
export const SNAPSHOT_FINISHED_DEFAULT = 5000;
