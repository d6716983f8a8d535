import type { Cluster, Redis } from 'ioredis';

/**
 * Whether every lane has finished every event on every shard's outbox: no group has entries unread (`lag`) or
 * read and unfinished (`pending`). Delivered events stay in the stream for OUTBOX_RETENTION_MS, so its length
 * says nothing about delivery.
 */
export async function outboxSettled(client: Redis | Cluster, keys: string[]): Promise<boolean> {
  for (const key of keys) {
    const groups = (await client.xinfo('GROUPS', key)) as Array<Array<string | number | null>>;
    for (const group of groups) {
      const fields = new Map<string, string | number | null>();
      for (let i = 0; i < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
      if (Number(fields.get('pending')) > 0 || fields.get('lag') !== 0) return false;
    }
  }
  return true;
}
