import type { JobStatus } from '../../../electron/contract/job';

// contract/job.ts has isFinished, but importing it at runtime would pull zod into the bundle.
export const isFinishedStatus = (s: JobStatus): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled' || s === 'interrupted';
