import 'reflect-metadata';
import Redis from 'ioredis';
import { Environment } from '../../src/config/environment';
import { KeyLayout, SHARD_KEY } from '../../src/store/key-layout';
import { defineLuaCommands, withIncludes } from '../../src/store/lua-scripts';
import { SCRIPTS } from '../../src/store/script-specs';
import { RedisServer } from '../support/redis-server';

/** Lua's view of the key layout: the generated include's keys for a tag, room, live and anchor. */
const LUA_KEYS = withIncludes(`
-- @include layout
local tag, roomId, liveId, anchorId = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local out = {gone_key(tag, roomId, liveId), anchor_index_key(tag, anchorId)}
for _, name in ipairs({'rooms', 'due', 'ending', 'ended', 'sweep', 'outbox', 'dead'}) do out[#out + 1] = tag .. KEY[name] end
out[#out + 1] = tag .. KEY.laneGate .. 'webhook#0'
return out
`);

describe('key layout: TypeScript and Lua name the same keys', () => {
  let server: RedisServer;
  let redis: Redis;
  const keys = new KeyLayout(Object.assign(new Environment(), { SHARDS: 16, REDIS_KEY_PREFIX: 'led' }));

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = server.client();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  it('loads every script: each file is named by its KEYS count and its header numbers its spec', () => {
    const client = new Redis(server.url, { lazyConnect: true });
    expect(() => defineLuaCommands(client)).not.toThrow();
    for (const spec of Object.values(SCRIPTS)) expect(typeof (client as unknown as Record<string, unknown>)[spec.command]).toBe('function');
    client.disconnect();
  });

  it('derives tombstones, anchor index buckets and shard keys exactly as KeyLayout does', async () => {
    const anchors = [...Array.from({ length: 300 }, (_, i) => `anchor-${i}`), 'ανκορ', '主播-7', 'a:b{c}', ''];
    for (const [i, anchorId] of anchors.entries()) {
      const shard = i % keys.shards;
      const roomId = `room-${i}`;
      const liveId = `live:${i}`;
      const lua = (await redis.eval(LUA_KEYS, 0, keys.tag(shard), roomId, liveId, anchorId)) as string[];
      expect(lua).toEqual([
        keys.gone(shard, roomId, liveId),
        keys.anchors(shard, anchorId),
        keys.rooms(shard),
        keys.due(shard),
        keys.ending(shard),
        keys.ended(shard),
        keys.sweepState(shard),
        keys.outbox(shard),
        keys.deadLetters(shard),
        keys.laneGate(shard, 'webhook#0'),
      ]);
    }
    // Every shard key name is covered above.
    expect(Object.keys(SHARD_KEY).sort()).toEqual([
      'anchors',
      'dead',
      'due',
      'ended',
      'ending',
      'gone',
      'laneGate',
      'outbox',
      'rooms',
      'sweep',
    ]);
  });
});
