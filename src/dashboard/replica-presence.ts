import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { StatusStore } from '../store/status-store';

/** How often a replica says it runs. */
export const PRESENCE_EVERY_MS = 5000;
/** A replica heard from within this is "seen"; three missed reports make it "gone". */
export const PRESENCE_SEEN_MS = 3 * PRESENCE_EVERY_MS;
/** Replicas not heard from for this long are dropped from the list. */
const PRESENCE_KEPT_MS = 3_600_000;

export interface ReplicaSeen {
  /** Host name (the pod's name in Kubernetes) and process id. */
  name: string;
  /** Milliseconds since it last said it runs (by this replica's clock: keep clocks in sync, NTP). */
  ageMs: number;
  seen: boolean;
}

/**
 * Each replica with the status page on writes its name and the time into one sorted set every few seconds (one
 * MULTI: ZADD and a prune of the entries older than an hour), so the page can list the replicas it sees and those
 * that stopped saying so. A write that fails (Redis away) is skipped; the next one catches up.
 */
@Injectable()
export class ReplicaPresence implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReplicaPresence.name);
  readonly name = `${hostname()}-${process.pid}`;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly status: StatusStore) {}

  onApplicationBootstrap(): void {
    void this.report();
    this.timer = setInterval(() => void this.report(), PRESENCE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The replicas heard from within the last hour, most recent first. */
  async list(now: number): Promise<ReplicaSeen[]> {
    return (await this.status.replicasSince(now - PRESENCE_KEPT_MS)).map(({ name, at }) => {
      const ageMs = Math.max(0, now - at);
      return { name, ageMs, seen: ageMs <= PRESENCE_SEEN_MS };
    });
  }

  private async report(): Promise<void> {
    const now = Date.now();
    try {
      await this.status.announceReplica(this.name, now, PRESENCE_KEPT_MS);
    } catch (err) {
      this.logger.debug(`presence not written: ${(err as Error).message}`);
    }
  }
}
