import type { LoggerService } from '@nestjs/common';
import { KeyLayout, LAYOUT_VERSION } from './key-layout';
import type { RedisClient } from './redis-connection';
import { StoreStartupError } from './redis-preflight';

/** What the data under REDIS_KEY_PREFIX was written with; stored once, by the first replica that starts. */
export interface LayoutRecord {
  /** LAYOUT_VERSION of the code that wrote the data. */
  layout: number;
  /** SHARDS the data is spread over: each room's shard is hash(roomId) mod this. */
  shards: number;
  /** When the record was written (ISO 8601). */
  since: string;
}

/**
 * Refuses to run on data this replica would misread: written in another key layout, or spread over another
 * number of shards (a room would be looked for in the wrong shard: its live started anew while the old one timed
 * out, and shards beyond the new count never swept). The first start records the layout (SET NX, so concurrent
 * first starts agree); later starts compare.
 * @throws StoreStartupError one line saying what the data holds, what this replica has, and what to do
 */
export async function guardLayout(redis: RedisClient, keys: KeyLayout, logger: LoggerService): Promise<LayoutRecord> {
  const key = keys.layoutRecord();
  const mine: LayoutRecord = { layout: LAYOUT_VERSION, shards: keys.shards, since: new Date().toISOString() };
  if ((await redis.set(key, JSON.stringify(mine), 'NX')) === 'OK') {
    logger.log(`layout recorded: layout ${mine.layout}, SHARDS=${mine.shards} (${key})`, 'Redis');
    return mine;
  }
  const text = await redis.get(key);
  const stored = parseRecord(text);
  if (!stored) {
    throw new StoreStartupError(
      `${key} holds an unreadable layout record (${JSON.stringify(text)?.slice(0, 80)}): this Redis was written by something else. ` +
        `Use another REDIS_KEY_PREFIX, or delete the key only if no live-end-detector data is under this prefix.`,
    );
  }
  if (stored.layout !== LAYOUT_VERSION) {
    const newer = stored.layout > LAYOUT_VERSION;
    throw new StoreStartupError(
      `the data under this REDIS_KEY_PREFIX is in layout ${stored.layout}, this version reads layout ${LAYOUT_VERSION}: ` +
        (newer
          ? 'it was written by a newer live-end-detector; run that version (rolling back across a layout change is not supported).'
          : 'it was written by an older live-end-detector; finish the rollout with the version that wrote it, then upgrade with a new REDIS_KEY_PREFIX once no live runs (see the operators\' guide, "Changing the layout or SHARDS").'),
    );
  }
  if (stored.shards !== keys.shards) {
    throw new StoreStartupError(
      `SHARDS=${keys.shards}, but the data in Redis is spread over ${stored.shards} shards (recorded ${stored.since}): ` +
        `set SHARDS=${stored.shards}. The shard count of existing data cannot change in place; to use another one, ` +
        `start with a new REDIS_KEY_PREFIX once no live runs (see the operators' guide, "Changing the layout or SHARDS").`,
    );
  }
  return stored;
}

function parseRecord(text: string | null): LayoutRecord | null {
  try {
    const record = JSON.parse(text ?? '') as LayoutRecord;
    return Number.isInteger(record.layout) && Number.isInteger(record.shards) ? record : null;
  } catch {
    return null;
  }
}
