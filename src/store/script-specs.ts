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
  /** The name of a variable number of trailing arguments after `argv` (header `ARGV[n..] <name>`), if any. */
  rest?: string;
}

function spec<const K extends string, const A extends string>(
  name: string,
  keys: readonly K[],
  argv: readonly A[],
  rest?: string,
): ScriptSpec<K, A> {
  return { name, command: name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), keys, argv, rest };
}

export const SCRIPTS = {
  heartbeat: spec(
    'heartbeat',
    ['rooms', 'due', 'ending', 'ended', 'outbox', 'gone', 'anchors'],
    [
      'tag',
      'roomId',
      'liveId',
      'anchorId',
      'groupId',
      'timeoutMs',
      'suspectMs',
      'retentionMs',
      'ratePerSec',
      'burst',
      'indexAnchor',
      'eventToken',
    ],
  ),
  heartbeatMany: spec(
    'heartbeat-many',
    ['rooms', 'due', 'ending', 'ended', 'outbox'],
    ['tag', 'retentionMs', 'ratePerSec', 'burst', 'indexAnchor', 'eventToken'],
    'beats',
  ),
  endLive: spec(
    'end-live',
    ['rooms', 'due', 'ending', 'ended', 'outbox', 'gone'],
    ['tag', 'roomId', 'liveId', 'anchorId', 'reason', 'retentionMs', 'eventToken'],
  ),
  sweep: spec(
    'sweep',
    ['rooms', 'due', 'ending', 'ended', 'outbox', 'sweep'],
    ['tag', 'limit', 'retentionMs', 'gapMs', 'hold', 'eventToken'],
  ),
  anchorOffline: spec(
    'anchor-offline',
    ['rooms', 'due', 'ending', 'outbox'],
    ['roomId', 'anchorId', 'groupId', 'graceMs', 'eventTimeMs', 'timeoutMs', 'eventToken'],
  ),
  anchorOnline: spec('anchor-online', ['rooms', 'due', 'ending', 'outbox'], ['roomId', 'anchorId', 'groupId', 'eventTimeMs', 'eventToken']),
  guardCounts: spec('guard-counts', ['due', 'ending'], ['withinMs']),
  imRate: spec(
    'im-rate',
    ['pace', 'sent', 'mark'],
    ['intervalUs', 'limit', 'windowUs', 'wanted', 'wantedEnded', 'holdMs', 'minAheadUs', 'horizonUs'],
  ),
  laneGroups: spec('lane-groups', ['outbox'], [], 'lanes'),
  laneTake: spec('lane-take', ['outbox', 'gate'], ['lane', 'consumer', 'count', 'ordered', 'mode', 'minIdleMs', 'cursor']),
  laneDone: spec('lane-done', ['outbox', 'gate', 'dead'], ['lane', 'consumer', 'entryId', 'liveId', 'deadMaxLen'], 'deadLetter'),
  laneMaintain: spec('lane-maintain', ['outbox'], ['cutoff', 'staleMs', 'consumer', 'leaving'], 'lanes'),
  laneStats: spec('lane-stats', ['outbox'], [], 'lanes'),
} as const;

export type ScriptName = keyof typeof SCRIPTS;
export type KeysOf<S> = S extends ScriptSpec<infer K, string> ? Record<K, string> : never;
export type ArgsOf<S> = S extends ScriptSpec<string, infer A> ? Record<A, string | number> : never;

/** The file that holds a script. */
export function scriptFile(script: ScriptSpec): string {
  return `${script.name}-${script.keys.length}.lua`;
}
