/**
 * Variables a job gets that the store never holds (API keys): in memory, by job id, for
 * as long as the job exists in this host. Nothing here is written, logged or announced.
 */
export class JobSecrets {
  private readonly byJob = new Map<number, Readonly<Record<string, string>>>();

  set(jobId: number, env: Record<string, string> | undefined): void {
    if (env && Object.keys(env).length) this.byJob.set(jobId, { ...env });
  }

  get(jobId: number): Readonly<Record<string, string>> | undefined {
    return this.byJob.get(jobId);
  }

  forget(jobIds: readonly number[]): void {
    for (const id of jobIds) this.byJob.delete(id);
  }
}
