// contract/status.ts is zod-free, so importing it at runtime keeps zod out of the bundle.
export { isFinished as isFinishedStatus } from '../../../electron/contract/status';
