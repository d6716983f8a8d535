import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { layoutInclude } from './lua-layout';
import { SCRIPTS, ScriptSpec, scriptFile } from './script-specs';

const LUA_DIR = join(__dirname, 'lua');
const INCLUDE = /^-- @include (\S+)$/gm;

export interface ScriptOptions {
  /**
   * Replaces the `now` include (Redis TIME) with other Lua defining `now_ms()`: the store test tier's
   * controlled clock (test/store/support). The service never passes it.
   */
  nowInclude?: string;
}

/**
 * Loads every script of SCRIPTS (script-specs.ts) as the ioredis command its spec names
 * (EVALSHA with EVAL fallback), after pasting in its `-- @include` pieces (`layout` is generated:
 * lua-layout.ts). Throws when a file's header does not number the spec's KEYS and ARGV, when a script
 * uses a KEYS[n] it does not declare, or when a .lua file has no spec.
 */
export function defineLuaCommands(redis: Redis | Cluster, options: ScriptOptions = {}): void {
  const files = new Set(readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua')));
  for (const script of Object.values(SCRIPTS) as ScriptSpec[]) {
    const command = script.command;
    const file = scriptFile(script);
    if (!files.delete(file)) throw new Error(`script ${script.name}: no file ${file} (its name must give the number of KEYS)`);
    const lua = readScript(file, options);
    checkHeader(file, lua, script);
    // defineCommand would silently replace a client method of the same name (e.g. `disconnect`).
    if (command in redis) throw new Error(`${file}: command name ${command} shadows an ioredis method; rename the script`);
    redis.defineCommand(command, { numberOfKeys: script.keys.length, lua });
  }
  if (files.size > 0) throw new Error(`Lua scripts without a spec in script-specs.ts: ${[...files].join(', ')}`);
}

/** A script's source with its includes pasted in. */
export function readScript(file: string, options: ScriptOptions = {}): string {
  return withIncludes(readFileSync(join(LUA_DIR, file), 'utf8'), options);
}

/** Pastes the `-- @include <piece>` lines of `source` (from lua/includes/, or generated: `layout`). */
export function withIncludes(source: string, options: ScriptOptions = {}): string {
  return source.replace(INCLUDE, (_, piece: string) => include(piece, options));
}

function include(piece: string, options: ScriptOptions): string {
  if (piece === 'layout') return layoutInclude();
  if (piece === 'now' && options.nowInclude) return options.nowInclude;
  return readFileSync(join(LUA_DIR, 'includes', `${piece}.lua`), 'utf8');
}

/** The header must number `KEYS[n] <name>` and `ARGV[n] <name>` exactly as the spec, in order (BullMQ style). */
function checkHeader(file: string, lua: string, script: ScriptSpec): void {
  for (const [kind, names, rest] of [
    ['KEYS', script.keys, undefined],
    ['ARGV', script.argv, script.rest],
  ] as const) {
    const header = [...lua.matchAll(new RegExp(`^(?:--)?[ \\t]*${kind}\\[(\\d+(?:\\.\\.n?)?)\\][ \\t]+(\\w+)`, 'gm'))].map(
      ([, n, name]) => `${n} ${name}`,
    );
    const expected = names.map((name, i) => `${i + 1} ${name}`);
    if (rest) expected.push(`${names.length + 1}.. ${rest}`);
    if (header.map((h) => h.replace('..n', '..')).join(',') !== expected.join(',')) {
      throw new Error(`${file}: header ${kind} [${header.join(', ')}] does not match its spec [${expected.join(', ')}]`);
    }
    if (kind === 'ARGV' && rest) continue; // a script with trailing arguments reads ARGV[i] in a loop
    const code = lua
      .replace(/--\[\[[\s\S]*?\]\]/g, '')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n');
    const used = [...code.matchAll(new RegExp(`${kind}\\[(\\d+)\\]`, 'g'))].map(([, n]) => Number(n));
    const beyond = used.filter((n) => n > names.length);
    if (beyond.length > 0) throw new Error(`${file}: uses ${kind}[${beyond[0]}] but declares ${names.length}`);
  }
}
