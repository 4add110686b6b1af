import type { Logger } from '../logger';
import { Spawner } from './spawner';

/**
 * The spawner helper (spawner.ts), started on first use and again if it died; after
 * three starts it is given up on and processes are spawned directly (null).
 */
export class SpawnerSupply {
  private spawner: Spawner | null = null;
  private starts = 0;
  private closed = false;

  constructor(
    private readonly enabled: boolean,
    private readonly log: Logger,
  ) {}

  get(): Spawner | null {
    if (!this.enabled || this.closed) return null;
    if (this.spawner?.running) return this.spawner;
    if (this.starts >= 3) return null; // it keeps dying: start jobs directly from now on
    if (this.starts++) this.log.warn('the spawner helper exited; starting a new one');
    try {
      this.spawner = new Spawner();
    } catch (e) {
      this.log.warn('could not start the spawner helper; starting jobs directly', e);
      this.spawner = null;
    }
    return this.spawner;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.spawner?.close();
    this.spawner = null;
  }
}
