import { Inject, Injectable } from '@nestjs/common';
import { KeyLayout } from './key-layout';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

/** Connection events of the shared client, for whoever reports reachability (the status page). */
export interface ConnectionListener {
  ready(): void;
  close(): void;
  error(err: Error): void;
}

/**
 * What the status page reads and writes in Redis (src/dashboard holds its rules): when each shard was last
 * swept, which replicas said they run, and the connection's own state.
 */
@Injectable()
export class StatusStore {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {}

  /** Redis' clock (epoch ms) and, per shard, when it was last swept (Redis time, ms; null: never). O(shards). */
  async sweepTimes(): Promise<{ now: number; lastSweptAt: Array<number | null> }> {
    const [time, ...lasts] = await Promise.all([
      this.redis.time(),
      ...this.keys.allShards().map((shard) => this.redis.hget(this.keys.sweepState(shard), 'last')),
    ]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    return { now, lastSweptAt: lasts.map((last) => (last === null ? null : Number(last))) };
  }

  /** Records that replica `name` runs at `at` (epoch ms) and forgets replicas not heard from for `keepMs`. */
  async announceReplica(name: string, at: number, keepMs: number): Promise<void> {
    const key = this.keys.replicas();
    await this.redis
      .multi()
      .zadd(key, at, name)
      .zremrangebyscore(key, '-inf', at - keepMs)
      .exec();
  }

  /** Replicas heard from since `since` (epoch ms), most recent first, with when they last were. */
  async replicasSince(since: number): Promise<Array<{ name: string; at: number }>> {
    const flat = await this.redis.zrevrangebyscore(this.keys.replicas(), '+inf', since, 'WITHSCORES');
    const replicas: Array<{ name: string; at: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) replicas.push({ name: flat[i], at: Number(flat[i + 1]) });
    return replicas;
  }

  /** Whether the connection is open and ready for commands now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** Whether the client is (re)opening its connection right now. */
  get connecting(): boolean {
    return this.redis.status === 'connect';
  }

  /** Calls `listener` on the connection's ready/close/error events until the returned function is called. */
  watchConnection(listener: ConnectionListener): () => void {
    const ready = () => listener.ready();
    const close = () => listener.close();
    const error = (err: Error) => listener.error(err);
    this.redis.on('ready', ready).on('close', close).on('error', error);
    return () => void this.redis.off('ready', ready).off('close', close).off('error', error);
  }
}
