import type { JobStatusName } from '../../contract/status';

/** A contract status list as an SQL list literal: `('failed', 'interrupted')`. The lists are the contract's, never retyped in SQL. */
export const sqlList = (statuses: readonly JobStatusName[]): string => `(${statuses.map((s) => `'${s}'`).join(', ')})`;
