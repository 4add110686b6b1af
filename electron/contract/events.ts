import { z } from 'zod';
import { Approval, Job, QueueState, StatusSummary } from './job';

/** Events a host pushes to subscribers. Progress-type changes are coalesced (≤10/s per job). */
export const HostEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: Job }),
  z.object({ type: z.literal('removed'), ids: z.array(z.number().int()) }),
  z.object({ type: z.literal('log'), jobId: z.number().int(), attempt: z.number().int(), size: z.number().int() }),
  z.object({ type: z.literal('approval'), approval: Approval }),
  z.object({ type: z.literal('queue'), queue: QueueState }),
  z.object({ type: z.literal('status'), status: StatusSummary }),
]);
export type HostEvent = z.infer<typeof HostEvent>;
