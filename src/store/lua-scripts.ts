import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';

const LUA_DIR = join(__dirname, 'lua');
const INCLUDE = /^-- @include (\S+)$/gm;

/**
 * Loads every `<name>-<keys>.lua` file as an ioredis command named `<name>`
 * (EVALSHA with EVAL fallback), after pasting in its `-- @include` pieces.
 */
export function defineLuaCommands(redis: Redis | Cluster): void {
  for (const file of readdirSync(LUA_DIR)) {
    const match = /^([a-z-]+)-(\d+)\.lua$/.exec(file);
    if (!match) continue;
    const [, name, keys] = match;
    const command = camelCase(name);
    // defineCommand would silently replace a client method of the same name (e.g. `disconnect`).
    if (command in redis) throw new Error(`${file}: command name ${command} shadows an ioredis method; rename the script`);
    redis.defineCommand(command, { numberOfKeys: Number(keys), lua: readLua(file) });
  }
}

function readLua(file: string): string {
  return readFileSync(join(LUA_DIR, file), 'utf8').replace(INCLUDE, (_, piece: string) =>
    readFileSync(join(LUA_DIR, 'includes', `${piece}.lua`), 'utf8'),
  );
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Typed signatures of the commands defined above. */
export interface LuaCommands {
  heartbeat(...args: Array<string | number>): Promise<[string, string | number, number?, Array<string | number>?]>;
  endLive(...args: Array<string | number>): Promise<[string, string?, string?]>;
  sweep(...args: Array<string | number>): Promise<[number, number, number, number, number, Array<string | number>, number]>;
  guardCounts(...args: Array<string | number>): Promise<[number, number, number]>;
  imRate(
    pace: string, sent: string, mark: string,
    intervalUs: number, burst: number, limit: number, windowUs: number, wanted: number, wantedEnded: number, holdMs: number,
  ): Promise<[number, number, ...string[]]>;
  anchorOffline(...args: Array<string | number>): Promise<[string, string?]>;
  anchorOnline(...args: Array<string | number>): Promise<[string, string?]>;
}
