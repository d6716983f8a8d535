/**
 * Every Lua script of the store: its name, and the names of its KEYS and ARGV in order. The file is
 * `lua/<name>-<number of KEYS>.lua`, and its header numbers the same names (`-- KEYS[1] rooms`); the
 * loader (lua-scripts.ts) refuses to start when a file and its spec disagree. Callers pass keys and
 * arguments by name (scripts.ts), so two numbers cannot be swapped unnoticed.
 */
export interface ScriptSpec<K extends string = string, A extends string = string> {
  /** The file's name without the key count, e.g. `end-live`. */
  name: string;
  /** The ioredis command it is defined as: the name in camelCase, e.g. `endLive`. */
  command: string;
  keys: readonly K[];
  argv: readonly A[];
}

function spec<const K extends string, const A extends string>(name: string, keys: readonly K[], argv: readonly A[]): ScriptSpec<K, A> {
  return { name, command: name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), keys, argv };
}

export const SCRIPTS = {
  heartbeat: spec(
    'heartbeat',
    ['rooms', 'due', 'ending', 'ended', 'outbox', 'gone', 'anchors'],
    ['tag', 'roomId', 'liveId', 'anchorId', 'groupId', 'timeoutMs', 'suspectMs', 'retentionMs', 'ratePerSec', 'burst', 'indexAnchor'],
  ),
  endLive: spec('end-live', ['rooms', 'due', 'ending', 'ended', 'outbox', 'gone'], ['tag', 'roomId', 'liveId', 'anchorId', 'reason', 'retentionMs']),
  sweep: spec('sweep', ['rooms', 'due', 'ending', 'ended', 'outbox', 'sweep'], ['tag', 'limit', 'retentionMs', 'gapMs', 'hold']),
  anchorOffline: spec('anchor-offline', ['rooms', 'due', 'ending', 'outbox'], ['roomId', 'anchorId', 'groupId', 'graceMs', 'eventTimeMs', 'timeoutMs']),
  anchorOnline: spec('anchor-online', ['rooms', 'due', 'ending', 'outbox'], ['roomId', 'anchorId', 'groupId', 'eventTimeMs']),
  guardCounts: spec('guard-counts', ['due', 'ending'], ['withinMs']),
  imRate: spec('im-rate', ['pace', 'sent', 'mark'], ['intervalUs', 'burst', 'limit', 'windowUs', 'wanted', 'wantedEnded', 'holdMs']),
} as const;

export type ScriptName = keyof typeof SCRIPTS;
export type KeysOf<S> = S extends ScriptSpec<infer K, string> ? Record<K, string> : never;
export type ArgsOf<S> = S extends ScriptSpec<string, infer A> ? Record<A, string | number> : never;

/** The file that holds a script. */
export function scriptFile(script: ScriptSpec): string {
  return `${script.name}-${script.keys.length}.lua`;
}
