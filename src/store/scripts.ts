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

  /**
   * Runs a script and returns its raw reply; rejects with the Redis error (e.g. a connection or script error).
   * `rest`: the trailing arguments of a script whose spec declares them (ARGV[n..]).
   */
  run<S extends ScriptSpec>(script: S, keys: KeysOf<S>, argv: ArgsOf<S>, rest: Array<string | number> = []): Promise<unknown> {
    const command = (this.redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)[script.command];
    return command.call(this.redis, ...ordered(script, keys, argv), ...rest);
  }

  /**
   * Runs one script many times in one pipeline (one round trip; keep every call's keys in one slot for a
   * Cluster). Each call gets its reply, or the Error that call (or the whole pipeline) met.
   */
  async changeMany<S extends ScriptSpec>(script: S, calls: Array<[KeysOf<S>, ArgsOf<S>]>): Promise<Array<ScriptReply | Error>> {
    const pipeline = this.redis.pipeline() as unknown as Record<string, (...args: Array<string | number>) => unknown> & {
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    for (const [keys, argv] of calls) pipeline[script.command](...ordered(script, keys, argv));
    try {
      const replies = (await pipeline.exec()) ?? [];
      return calls.map((_, i) => {
        const [err, reply] = replies[i] ?? [new Error('no reply from Redis'), null];
        return err ?? toReply(reply);
      });
    } catch (err) {
      return calls.map(() => err as Error);
    }
  }

  /** Runs a script that reports what it did (the ScriptReply shape). */
  async change<S extends ScriptSpec>(script: S, keys: KeysOf<S>, argv: ArgsOf<S>): Promise<ScriptReply> {
    return toReply(await this.run(script, keys, argv));
  }
}

/** The keys, then the arguments, in the order the script's header numbers them. */
function ordered<S extends ScriptSpec>(script: S, keys: KeysOf<S>, argv: ArgsOf<S>): Array<string | number> {
  return [
    ...script.keys.map((name) => (keys as Record<string, string>)[name]),
    ...script.argv.map((name) => (argv as Record<string, string | number>)[name]),
  ];
}

/** A state-changing script's raw reply as a ScriptReply (outcome, parsed transitions, the outcome's values). */
export function toReply(raw: unknown): ScriptReply {
  // A bare number is an 'ok' that changed nothing but the value (the heartbeat scripts' steady beat).
  if (typeof raw === 'number') return { outcome: 'ok', transitions: [], values: [raw] };
  const [outcome, transitions, ...values] = raw as [string, Array<string | number>, ...unknown[]];
  return { outcome, transitions: parseTransitions(transitions), values };
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
