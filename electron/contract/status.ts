// Zod-free, so the CLI's hot path can use statuses without loading the schemas.
export const JOB_STATUSES = ['queued', 'held', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

export const FINISHED_STATUSES: readonly JobStatusName[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export const isFinished = (s: JobStatusName): boolean => FINISHED_STATUSES.includes(s);
