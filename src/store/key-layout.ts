import { Injectable } from '@nestjs/common';
import { Environment } from '../config/environment';

/**
 * The one place that names Redis keys. Every key carries its shard as a hash tag
 * (`led:{7}:…`), so all keys a script touches live in one Cluster slot.
 */
@Injectable()
export class KeyLayout {
  readonly shards: number;
  private readonly prefix: string;

  constructor(env: Environment) {
    this.shards = env.SHARDS;
    this.prefix = env.REDIS_KEY_PREFIX;
  }

  shardOf(roomId: string): number {
    return fnv1a(roomId) % this.shards;
  }

  /** Prefix shared by every key of a shard; scripts derive per-room keys from it. */
  tag(shard: number): string {
    return `${this.prefix}:{${shard}}:`;
  }

  /** Hash of the room's latest live; its fields are named by ROOM_FIELDS. */
  room(roomId: string): string {
    return `${this.tag(this.shardOf(roomId))}room:${roomId}`;
  }

  /** Running lives of a shard, scored by the time they must next be judged. */
  due(shard: number): string {
    return `${this.tag(shard)}due`;
  }

  /** Interrupted lives of a shard, scored by the time they end if still silent. */
  ending(shard: number): string {
    return `${this.tag(shard)}ending`;
  }

  /** Silence-endings counted per time bucket, for the mass-timeout guard (one slot for all replicas). */
  guardEndings(bucket: number): string {
    return `${this.prefix}:{guard}:ended:${bucket}`;
  }

  /** Set by an operator to let held endings through for a while. */
  guardRelease(): string {
    return `${this.prefix}:{guard}:release`;
  }

  /** Events waiting for delivery. */
  outbox(shard: number): string {
    return `${this.tag(shard)}outbox`;
  }

  /** Deliveries that failed for good. */
  deadLetters(shard: number): string {
    return `${this.tag(shard)}dead`;
  }

  /** Room of an anchor's latest live, so IM callbacks (which name an account) find it. Sharded by anchorId. */
  anchor(anchorId: string): string {
    return `${this.tag(this.shardOf(anchorId))}anchor:${anchorId}`;
  }

  /** The shared IM REST rate limiter: one key for the whole app, in a slot of its own. */
  imRate(): string {
    return `${this.prefix}:{im-rate}:im-rate`;
  }

  /** The latest endings delivered, newest first, capped (the status page's list); a slot of its own. */
  recentEndings(): string {
    return `${this.prefix}:{dashboard}:endings`;
  }

  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, shard) => shard);
  }
}

/**
 * Field names of the room hash, as the Lua scripts write them. They are one or two letters because
 * every byte is paid per tracked live: with the long names the hash took about 70 bytes more
 * (bench/memory.ts). Keep them short enough that the hash stays listpack-encoded.
 */
export const ROOM_FIELDS = {
  l: 'liveId',
  a: 'anchorId',
  g: 'groupId',
  s: 'state (live | interrupted | ended)',
  st: 'startedAt (ms)',
  hb: 'lastHeartbeatAt (ms)',
  to: 'timeoutMs',
  su: 'suspectMs',
  q: 'seq of the last event',
  rt: 'rate-limit tokens left',
  ra: 'rate-limit tokens counted at (ms)',
  en: 'endedAt (ms)',
  r: 'reason (ended)',
  pr: 'pendingReason: the end reason an IM disconnect set',
  da: 'disconnectedAt (ms)',
  df: 'disconnectedFrom: state before the disconnect',
} as const;

/** 32-bit FNV-1a: cheap, stable across languages, spreads short ids well. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
