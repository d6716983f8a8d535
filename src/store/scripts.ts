import type { TransitionCount } from '../events/live-lifecycle';
import type { RedisClient } from './redis-connection';
import type { ArgsOf, KeysOf, ScriptSpec } from './script-specs';

/**
 * What every state-changing script returns: its outcome, then what it emitted as a flat
 * `{"<type>:<reason>", count, …}` list (includes/emit.lua), then the outcome's own values.
 */
export interface ScriptReply {
  outcome: string;
  transitions: TransitionCount[];
  values: unknown[];
}

/**
 * Runs the store's scripts (defined on the client by defineLuaCommands) with keys and arguments by
 * name: the spec puts them in the order the script's header numbers them.
 */
export class ScriptRunner {
  constructor(private readonly redis: RedisClient) {}

  /** Runs a script and returns its raw reply; rejects with the Redis error (e.g. a connection or script error). */
  run<S extends ScriptSpec>(script: S, keys: KeysOf<S>, argv: ArgsOf<S>): Promise<unknown> {
    const command = (this.redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)[script.command];
    const keyValues = script.keys.map((name) => (keys as Record<string, string>)[name]);
    const argValues = script.argv.map((name) => (argv as Record<string, string | number>)[name]);
    return command.call(this.redis, ...keyValues, ...argValues);
  }

  /** Runs a script that reports what it did (the ScriptReply shape). */
  async change<S extends ScriptSpec>(script: S, keys: KeysOf<S>, argv: ArgsOf<S>): Promise<ScriptReply> {
    const [outcome, transitions, ...values] = (await this.run(script, keys, argv)) as [string, Array<string | number>, ...unknown[]];
    return { outcome, transitions: parseTransitions(transitions), values };
  }
}

/** Reads the `{"<type>:<reason>", count, …}` list the scripts return (see includes/emit.lua). */
export function parseTransitions(flat: Array<string | number>): TransitionCount[] {
  const counts: TransitionCount[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [type, reason] = String(flat[i]).split(':');
    counts.push({
      type: type.replace(/^live\./, '') as TransitionCount['type'],
      reason: (reason || null) as TransitionCount['reason'],
      count: Number(flat[i + 1]),
    });
  }
  return counts;
}
