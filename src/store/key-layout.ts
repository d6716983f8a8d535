import { Injectable } from '@nestjs/common';
import { ConfigSection, InjectConfig } from '../config/sections';

/**
 * The names of a shard's keys after its tag (`led:{7}:<name>`). The Lua scripts get the keys known in
 * advance as KEYS; the few they must derive (from a record they read) come from the generated include
 * (lua-layout.ts), which takes its strings from here.
 */
export const SHARD_KEY = {
  /** HASH, field roomId → the room's latest live, packed (room-record.ts). */
  rooms: 'rooms',
  /** ZSET of running lives, scored by when they must next be judged (epoch ms). */
  due: 'due',
  /** ZSET of interrupted lives, scored by when they end if still silent (epoch ms). */
  ending: 'ending',
  /** ZSET of ended lives, scored by when their record expires (endedAt + ENDED_RETENTION_MS). */
  ended: 'ended',
  /** HASH {last, resumed}: when the shard was last swept, and when sweeping last resumed after a gap (epoch ms). */
  sweep: 'sweep',
  /** STREAM of events waiting for delivery (field `event`: LiveEvent JSON). */
  outbox: 'outbox',
  /** STREAM of deliveries that failed for good. */
  dead: 'dead',
  /** STRING per ended live, `gone:<roomId>:<liveId>` → end reason, with a TTL of ENDED_RETENTION_MS. */
  gone: 'gone:',
  /** HASH per bucket, `anchors:<bucket>`: anchorId → roomId of its running live (IM callbacks only). */
  anchors: 'anchors:',
  /** HASH per delivery lane, `lane:<lane>`: liveId → ids of its unfinished entries in that lane (ordered lanes). */
  laneGate: 'lane:',
} as const;

/** How many small hashes a shard's anchor index is split into (see anchorIndexBucket). */
export const ANCHOR_INDEX_BUCKETS = 64;

/**
 * Version of the key layout and value formats below (and of the Lua scripts that read them). Bump it with any
 * change that older or newer code could not read: start-up refuses data recorded under another version
 * (layout-guard.ts) instead of misreading it.
 */
export const LAYOUT_VERSION = 1;

/**
 * The one place that names Redis keys. Every key carries its shard as a hash tag
 * (`led:{7}:…`), so all keys a script touches live in one Cluster slot.
 */
@Injectable()
export class KeyLayout {
  readonly shards: number;
  private readonly prefix: string;

  constructor(@InjectConfig('store') env: ConfigSection<'store'>) {
    this.shards = env.SHARDS;
    this.prefix = env.REDIS_KEY_PREFIX;
  }

  shardOf(roomId: string): number {
    return fnv1a(roomId) % this.shards;
  }

  /** Prefix shared by every key of a shard; scripts derive the keys of a record they read from it. */
  tag(shard: number): string {
    return `${this.prefix}:{${shard}}:`;
  }

  /**
   * Room records of a shard: field roomId, value the room's latest live packed as described in
   * room-record.ts (one hash per shard: a key per room costs ~100 bytes more per live).
   */
  rooms(shard: number): string {
    return this.tag(shard) + SHARD_KEY.rooms;
  }

  /** Running lives of a shard, scored by the time they must next be judged. */
  due(shard: number): string {
    return this.tag(shard) + SHARD_KEY.due;
  }

  /** Interrupted lives of a shard, scored by the time they end if still silent. */
  ending(shard: number): string {
    return this.tag(shard) + SHARD_KEY.ending;
  }

  /** Ended lives of a shard, scored by when their record expires (ENDED_RETENTION_MS); the sweep removes them. */
  ended(shard: number): string {
    return this.tag(shard) + SHARD_KEY.ended;
  }

  /** When the shard was last swept (`last`) and sweeping last resumed after a gap (`resumed`), Redis time in ms. */
  sweepState(shard: number): string {
    return this.tag(shard) + SHARD_KEY.sweep;
  }

  /** Tombstone of an ended live: its beats get 410 while it exists (ENDED_RETENTION_MS). */
  gone(shard: number, roomId: string, liveId: string): string {
    return `${this.tag(shard)}${SHARD_KEY.gone}${roomId}:${liveId}`;
  }

  /** Events waiting for delivery. */
  outbox(shard: number): string {
    return this.tag(shard) + SHARD_KEY.outbox;
  }

  /** Deliveries that failed for good. */
  deadLetters(shard: number): string {
    return this.tag(shard) + SHARD_KEY.dead;
  }

  /**
   * Room of each anchor's running live (field anchorId, value roomId), in the ROOM's shard, so the
   * heartbeat that starts a live writes it in the same script. Only kept when IM callbacks are on
   * (they name an account, not a room); a lookup asks every shard. Split into small hashes by
   * anchorIndexBucket, so each stays listpack-encoded.
   */
  anchors(shard: number, anchorId: string): string {
    return `${this.tag(shard)}${SHARD_KEY.anchors}${anchorIndexBucket(anchorId)}`;
  }

  /** Silence-endings counted per time bucket, for the mass-timeout guard (one slot for all replicas). */
  guardEndings(bucket: number): string {
    return `${this.prefix}:{guard}:ended:${bucket}`;
  }

  /** Set by an operator to let held endings through for a while. */
  guardRelease(): string {
    return `${this.prefix}:{guard}:release`;
  }

  /**
   * A lane's per-live order on one shard (ordered lanes, i.e. webhook URLs): field liveId, value the ids of
   * the live's unfinished entries in that lane, oldest first (includes/lane-gate.lua).
   */
  laneGate(shard: number, lane: string): string {
    return `${this.tag(shard)}${SHARD_KEY.laneGate}${lane}`;
  }

  /**
   * Health of each lane as its replicas last saw it (field lane name, value JSON: failing since, last error),
   * written when a lane starts or stops failing; read by metrics and the status page. A slot of its own.
   */
  laneHealth(): string {
    return `${this.prefix}:{lanes}:health`;
  }

  /** The shared IM REST rate limiter's keys (im-rate-3.lua): one set for the whole app, in a slot of its own. */
  imRate(): { pace: string; sent: string; endedWaiting: string } {
    const base = `${this.prefix}:{im-rate}:im-rate`;
    return {
      /** GCRA theoretical arrival time of the next call, µs (string). */
      pace: base,
      /** Sorted set of granted calls, scored by the time each is due to be sent (µs). */
      sent: `${base}:sent`,
      /** Set while some replica has endings waiting; only endings get calls meanwhile. */
      endedWaiting: `${base}:ended-waiting`,
    };
  }

  /** The latest endings delivered, newest first, capped (the status page's list); a slot of its own. */
  recentEndings(): string {
    return `${this.prefix}:{dashboard}:endings`;
  }

  /**
   * Endings per minute for the status page's last-hour chart: a small sorted set per minute of ending time (members
   * `n`, `lagN`, `lagSum` counted with ZINCRBY, `lagMax` kept with ZADD GT), in the status page's slot.
   */
  endingsMinute(minute: number): string {
    return `${this.prefix}:{dashboard}:minute:${minute}`;
  }

  /** Replicas with the status page on, scored by when each last said it runs (epoch ms); pruned after an hour. */
  replicas(): string {
    return `${this.prefix}:{dashboard}:replicas`;
  }

  /** String, JSON `{"layout","shards","since"}`: the layout version and shard count the data is written in (layout-guard.ts). */
  layoutRecord(): string {
    return `${this.prefix}:{meta}:layout`;
  }

  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, shard) => shard);
  }
}

/**
 * The anchor index's bucket of an anchorId: a polynomial hash of its UTF-8 bytes. The generated Lua
 * include (lua-layout.ts) has the same function; test/store/lua-layout.spec.ts checks they agree.
 */
export function anchorIndexBucket(anchorId: string): number {
  let h = 0;
  for (const byte of Buffer.from(anchorId, 'utf8')) h = (h * 31 + byte) % 1048573;
  return h % ANCHOR_INDEX_BUCKETS;
}

/** 32-bit FNV-1a: cheap, stable across languages, spreads short ids well. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
