import { Inject, Injectable } from '@nestjs/common';
import type { LiveEvent } from '../events/live-event';
import { KeyLayout } from './key-layout';
import { REDIS } from './redis.tokens';
import type { RedisClient } from './redis-connection';

export const OUTBOX_GROUP = 'notifiers';
const DEAD_LETTER_MAXLEN = 100000;

export interface OutboxEntry {
  shard: number;
  /** Stream entry id. */
  entryId: string;
  event: LiveEvent;
}

type RawEntry = [id: string, fields: string[]];

/** The per-shard outbox streams, read through one consumer group shared by all replicas. */
@Injectable()
export class OutboxStore {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
  ) {}

  async ensureGroups(): Promise<void> {
    await Promise.all(
      this.keys.allShards().map((shard) =>
        this.redis.xgroup('CREATE', this.keys.outbox(shard), OUTBOX_GROUP, '0', 'MKSTREAM').catch((err: Error) => {
          if (!err.message.includes('BUSYGROUP')) throw err;
        }),
      ),
    );
  }

  async readNew(shard: number, consumer: string, count: number): Promise<OutboxEntry[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP', OUTBOX_GROUP, consumer, 'COUNT', count, 'STREAMS', this.keys.outbox(shard), '>',
    )) as Array<[string, RawEntry[]]> | null;
    return reply ? this.parse(shard, reply[0][1]) : [];
  }

  /** Takes over entries another consumer left pending for longer than `minIdleMs`. */
  async reclaim(shard: number, consumer: string, minIdleMs: number, cursor: string, count: number) {
    const [next, entries] = (await this.redis.xautoclaim(
      this.keys.outbox(shard), OUTBOX_GROUP, consumer, minIdleMs, cursor, 'COUNT', count,
    )) as [string, RawEntry[], string[]?];
    return { next, entries: this.parse(shard, entries) };
  }

  /** Resets an entry's idle time so that no other replica reclaims it while we retry. */
  async touch(entry: OutboxEntry, consumer: string): Promise<void> {
    await this.redis.xclaim(this.keys.outbox(entry.shard), OUTBOX_GROUP, consumer, 0, entry.entryId, 'JUSTID');
  }

  /** touch() for many entries of one shard in one command (deliveries held in this replica's queues). */
  async touchMany(shard: number, entryIds: string[], consumer: string): Promise<void> {
    if (entryIds.length === 0) return;
    await this.redis.xclaim(this.keys.outbox(shard), OUTBOX_GROUP, consumer, 0, ...entryIds, 'JUSTID');
  }

  /** Acknowledges and removes a delivered entry, so the stream holds only what is pending. */
  async ack(entry: OutboxEntry): Promise<void> {
    const key = this.keys.outbox(entry.shard);
    await this.redis.multi().xack(key, OUTBOX_GROUP, entry.entryId).xdel(key, entry.entryId).exec();
  }

  async deadLetter(entry: OutboxEntry, notifier: string, error: string, code?: string | number): Promise<void> {
    await this.redis.xadd(
      this.keys.deadLetters(entry.shard), 'MAXLEN', '~', DEAD_LETTER_MAXLEN, '*',
      'event', JSON.stringify(entry.event), 'notifier', notifier, 'error', error, 'code', String(code ?? ''),
    );
  }

  /** Entries written but not yet acknowledged, over all shards. */
  async backlog(): Promise<number> {
    const lengths = await Promise.all(this.keys.allShards().map((s) => this.redis.xlen(this.keys.outbox(s))));
    return lengths.reduce((a, b) => a + b, 0);
  }

  /**
   * Depth, in-delivery count, oldest undelivered entry and dead letters over all shards: a few
   * O(1) commands per shard (one MULTI each, as a shard's keys share a hash tag), for metrics.
   * The oldest entry's time comes from its stream id; delivered entries are deleted, so the first
   * entry left is the oldest undelivered one.
   */
  async summary(): Promise<{ depth: number; inDelivery: number; oldestAt: number | null; deadLetters: number }> {
    const perShard = await Promise.all(
      this.keys.allShards().map(async (shard) => {
        const key = this.keys.outbox(shard);
        const reply = await this.redis
          .multi()
          .xlen(key)
          .xpending(key, OUTBOX_GROUP)
          .xrange(key, '-', '+', 'COUNT', 1)
          .xlen(this.keys.deadLetters(shard))
          .exec();
        if (!reply) throw new Error('outbox summary transaction aborted');
        const [[lenErr, depth], [pendingErr, pending], [rangeErr, first], [deadErr, dead]] = reply;
        const error = lenErr ?? rangeErr ?? deadErr ?? (pendingErr && !pendingErr.message.includes('NOGROUP') ? pendingErr : null);
        if (error) throw error;
        const firstId = (first as RawEntry[])[0]?.[0];
        return {
          depth: Number(depth),
          inDelivery: pendingErr ? 0 : Number((pending as [number])[0]),
          oldestAt: firstId ? Number(firstId.split('-')[0]) : null,
          deadLetters: Number(dead),
        };
      }),
    );
    const oldest = perShard.map((s) => s.oldestAt).filter((at): at is number => at !== null);
    return {
      depth: perShard.reduce((sum, s) => sum + s.depth, 0),
      inDelivery: perShard.reduce((sum, s) => sum + s.inDelivery, 0),
      oldestAt: oldest.length > 0 ? Math.min(...oldest) : null,
      deadLetters: perShard.reduce((sum, s) => sum + s.deadLetters, 0),
    };
  }

  private parse(shard: number, entries: RawEntry[]): OutboxEntry[] {
    const parsed: OutboxEntry[] = [];
    for (const [entryId, fields] of entries) {
      if (!fields) continue; // deleted while pending
      const at = fields.indexOf('event');
      parsed.push({ shard, entryId, event: JSON.parse(fields[at + 1]) as LiveEvent });
    }
    return parsed;
  }
}
