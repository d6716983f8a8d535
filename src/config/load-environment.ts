import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { jwtVerification } from '../auth/jwt-verification';
import { derivedRules, DerivedRule } from './derived';
import { INTEGER_SYNTAX, NUMBER_SYNTAX } from './env-values';
import { Environment, fastestBeatsPerSec, SECRET_VARIABLES } from './environment';

/**
 * The configuration cannot run: `problems` lists every invalid variable (and every broken relation between
 * variables), each naming the variable and what was expected; the message is all of them on one line.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/** Validation rules of every variable, in declaration order. */
function rulesByVariable(): Map<string, ValidationMetadata[]> {
  const byVariable = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false)) {
    byVariable.set(m.propertyName, [...(byVariable.get(m.propertyName) ?? []), m]);
  }
  return byVariable;
}

/** Every variable the service reads, derived from the validation rules so the list cannot drift. */
export function environmentVariableNames(): string[] {
  return [...rulesByVariable().keys()].sort();
}

/** What loadEnvironment derived for each configuration it returned (read by derivedSettings). */
const derivedBy = new WeakMap<Environment, Array<{ rule: DerivedRule; value: unknown }>>();

/**
 * Reads the service's settings from `env`: trims each value, parses it strictly (integers are decimal digits,
 * booleans true/false, 1/0, yes/no, on/off in any case), applies defaults, derives the settings that follow
 * from others (see `@DerivedFrom` in environment.ts) when they are not set, and checks the relations between them.
 * Throws a ConfigurationError listing every problem at once, each naming its variable; secrets are never echoed.
 */
export function loadEnvironment(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Environment {
  const rules = rulesByVariable();
  const given: Record<string, string> = {};
  for (const name of rules.keys()) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') given[name] = value.trim();
  }
  const problems = new Map<string, string>();
  const shown = (name: string) => (SECRET_VARIABLES.has(name) ? 'value hidden' : `got "${given[name]}"`);

  // Number() would take "1e3", "0x10" or " 12 " and class-validator would then blame a range; say what is expected.
  for (const [name, value] of Object.entries(given)) {
    const kinds = new Set((rules.get(name) ?? []).map((m) => m.name));
    if (kinds.has('isInt') && !INTEGER_SYNTAX.test(value)) problems.set(name, `${name} must be an integer (${shown(name)})`);
    else if (kinds.has('isNumber') && !NUMBER_SYNTAX.test(value)) problems.set(name, `${name} must be a number (${shown(name)})`);
  }

  const config = plainToInstance(Environment, given);
  for (const error of validateSync(config, { forbidUnknownValues: true })) {
    if (problems.has(error.property)) continue;
    const state = given[error.property] === undefined ? 'not set' : shown(error.property);
    const reason = describe(error, rules.get(error.property) ?? []);
    problems.set(
      error.property,
      state === 'not set' ? `${error.property} is not set: it ${reason}` : `${error.property} ${reason} (${state})`,
    );
  }

  const derived: Array<{ rule: DerivedRule; value: unknown }> = [];
  for (const rule of derivedRules()) {
    if (rule.variable in given || rule.sources.some((source) => problems.has(source))) continue;
    const value = rule.derive(config);
    (config as unknown as Record<string, unknown>)[rule.variable] = value;
    derived.push({ rule, value });
  }
  // A derived value is held to its variable's own rules too (reported with the rule it came from).
  if (derived.length > 0) {
    const derivedNames = new Map(derived.map((d) => [d.rule.variable, d]));
    for (const error of validateSync(config, { forbidUnknownValues: true })) {
      const d = derivedNames.get(error.property);
      if (!d || problems.has(error.property)) continue;
      problems.set(
        error.property,
        `${error.property} ${describe(error, rules.get(error.property) ?? [])} (derived: ${d.rule.rule}, gives ${String(d.value)})`,
      );
    }
  }

  const ruleOf = new Map(derived.map((d) => [d.rule.variable, d.rule.rule]));
  const show = (name: keyof Environment) => {
    const value = String(config[name]);
    return ruleOf.has(name) ? `${name} (${value}, derived: ${ruleOf.get(name)})` : `${name} (${value})`;
  };
  for (const relation of RELATIONS) {
    if (relation.variables.some((name) => problems.has(name))) continue;
    const problem = relation.problem(config, show);
    if (problem) problems.set(relation.variables.join('+'), problem);
  }

  if (problems.size > 0) throw new ConfigurationError([...problems.values()]);
  derivedBy.set(config, derived);
  return config;
}

/**
 * The settings loadEnvironment derived from others for this configuration, one `NAME=value (rule)` each,
 * for the start-up log.
 */
export function derivedSettings(config: Environment): string[] {
  return (derivedBy.get(config) ?? []).map(({ rule, value }) => `${rule.variable}=${String(value)} (${rule.rule})`);
}

/** Type checks first: "abc" for an integer is "must be an integer", not a range. */
const PRIORITY = [
  'isDefined',
  'isIn',
  'isBoolean',
  'isInt',
  'isNumber',
  'isString',
  'isUrl',
  'arrayNotEmpty',
  'matches',
  'minLength',
  'maxLength',
  'min',
  'max',
];

/** What the variable must be, in words, from the first failed rule by PRIORITY (without the variable's name). */
function describe(error: ValidationError, rules: ValidationMetadata[]): string {
  const failed = Object.keys(error.constraints ?? {});
  const rank = (name: string) => (PRIORITY.includes(name) ? PRIORITY.indexOf(name) : PRIORITY.length);
  const first = failed.sort((a, b) => rank(a) - rank(b))[0];
  if (!first) return 'is invalid';
  const rule = rules.find((m) => m.name === first);
  const given = error.constraints![first];
  if (rule?.message) return given.startsWith(`${error.property} `) ? given.slice(error.property.length + 1) : `: ${given}`;
  const c = rule?.constraints ?? [];
  const each = rule?.each === true;
  switch (first) {
    case 'isInt':
      return each ? 'must list only integers' : 'must be an integer';
    case 'isNumber':
      return each ? 'must list only numbers' : 'must be a number';
    case 'isBoolean':
      return 'must be true or false (1/0, yes/no and on/off are accepted too, in any case)';
    case 'isString':
      return 'must be text';
    case 'isIn':
      return each ? `must list only values among: ${(c[0] as string[]).join(', ')}` : `must be one of: ${(c[0] as string[]).join(', ')}`;
    case 'isUrl': {
      const protocols = ((c[0] as { protocols?: string[] } | undefined)?.protocols ?? ['http', 'https']).map((p) => `${p}://`).join(' or ');
      return each ? `must list only ${protocols} URLs, comma-separated` : `must be a ${protocols} URL`;
    }
    case 'arrayNotEmpty':
      return 'must list at least one value (comma-separated)';
    case 'matches':
      return `must match ${String(c[0])}`;
    case 'minLength':
      return `must be at least ${c[0]} characters long`;
    case 'maxLength':
      return `must be at most ${c[0]} characters long`;
    case 'min':
      return `must be at least ${c[0]}`;
    case 'max':
      return `must be at most ${c[0]}`;
    default:
      return given.replace(`${error.property} `, '');
  }
}

type Show = (name: keyof Environment) => string;

/** A rule between variables; checked only when each of them is valid on its own. */
interface Relation {
  variables: Array<keyof Environment>;
  /** The problem in words, naming each variable with its value (and the rule it was derived by), or undefined. */
  problem(c: Environment, show: Show): string | undefined;
}

const RELATIONS: Relation[] = [
  {
    variables: ['SUSPECT_AFTER_MS', 'HEARTBEAT_TIMEOUT_MS'],
    problem: (c, show) =>
      c.SUSPECT_AFTER_MS >= c.HEARTBEAT_TIMEOUT_MS
        ? `${show('SUSPECT_AFTER_MS')} must be less than ${show('HEARTBEAT_TIMEOUT_MS')}`
        : undefined,
  },
  {
    variables: ['HEARTBEAT_INTERVAL_MS', 'SUSPECT_AFTER_MS'],
    problem: (c, show) =>
      c.HEARTBEAT_INTERVAL_MS >= c.SUSPECT_AFTER_MS
        ? `${show('HEARTBEAT_INTERVAL_MS')} must be less than ${show('SUSPECT_AFTER_MS')}`
        : undefined,
  },
  {
    variables: ['HEARTBEAT_TIMEOUT_MS', 'TIMEOUT_MIN_MS', 'TIMEOUT_MAX_MS'],
    problem: (c, show) =>
      c.TIMEOUT_MIN_MS > c.HEARTBEAT_TIMEOUT_MS || c.HEARTBEAT_TIMEOUT_MS > c.TIMEOUT_MAX_MS
        ? `${show('HEARTBEAT_TIMEOUT_MS')} must lie between ${show('TIMEOUT_MIN_MS')} and ${show('TIMEOUT_MAX_MS')}`
        : undefined,
  },
  {
    // Below that, a normal pause between two sweeps would pass for an outage, and silence would never count.
    variables: ['SWEEP_GAP_MS', 'SWEEP_INTERVAL_MS'],
    problem: (c, show) =>
      c.SWEEP_GAP_MS < 1.5 * c.SWEEP_INTERVAL_MS
        ? `${show('SWEEP_GAP_MS')} must be at least 1.5 times ${show('SWEEP_INTERVAL_MS')}`
        : undefined,
  },
  {
    // An outage of ours shorter than the gap threshold but longer than the suspect point would interrupt lives that beat.
    variables: ['SWEEP_GAP_MS', 'SUSPECT_AFTER_MS'],
    problem: (c, show) =>
      c.SWEEP_GAP_MS > c.SUSPECT_AFTER_MS
        ? `${show('SWEEP_GAP_MS')} must not exceed ${show('SUSPECT_AFTER_MS')}: a shorter outage of ours would interrupt lives that beat`
        : undefined,
  },
  {
    // The anchor's next beat must be able to refute an IM offline report before the grace runs out.
    variables: ['TENCENT_IM_DISCONNECT_GRACE_MS', 'HEARTBEAT_INTERVAL_MS'],
    problem: (c, show) =>
      c.TENCENT_IM_DISCONNECT_GRACE_MS <= c.HEARTBEAT_INTERVAL_MS
        ? `${show('TENCENT_IM_DISCONNECT_GRACE_MS')} must exceed ${show('HEARTBEAT_INTERVAL_MS')}: a beating anchor would end 'disconnect' on a false report`
        : undefined,
  },
  {
    variables: ['DELIVERY_BACKOFF_MAX_MS', 'DELIVERY_CLAIM_IDLE_MS'],
    problem: (c, show) =>
      c.DELIVERY_BACKOFF_MAX_MS * 2 > c.DELIVERY_CLAIM_IDLE_MS
        ? `${show('DELIVERY_BACKOFF_MAX_MS')} must be at most half ${show('DELIVERY_CLAIM_IDLE_MS')}, or retries get reclaimed by other replicas`
        : undefined,
  },
  {
    variables: ['DELIVERY_BACKOFF_MS', 'DELIVERY_BACKOFF_MAX_MS'],
    problem: (c, show) =>
      c.DELIVERY_BACKOFF_MS > c.DELIVERY_BACKOFF_MAX_MS
        ? `${show('DELIVERY_BACKOFF_MS')} must not exceed ${show('DELIVERY_BACKOFF_MAX_MS')}`
        : undefined,
  },
  {
    // The service tells a room with the shortest timeout to beat this often; the limit must leave room for retries.
    variables: ['HEARTBEAT_RATE_PER_SEC', 'HEARTBEAT_INTERVAL_MS', 'TIMEOUT_MIN_MS', 'HEARTBEAT_TIMEOUT_MS'],
    problem: (c, show) => {
      const least = Math.ceil(2 * fastestBeatsPerSec(c) * 100) / 100;
      return c.HEARTBEAT_RATE_PER_SEC > 0 && c.HEARTBEAT_RATE_PER_SEC < least
        ? `${show('HEARTBEAT_RATE_PER_SEC')} must be at least ${least}: twice the beat rate asked of a room with ${show('TIMEOUT_MIN_MS')}`
        : undefined;
    },
  },
  {
    variables: ['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS'],
    problem: (c, show) =>
      c.HTTP_HEADERS_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS
        ? `${show('HTTP_HEADERS_TIMEOUT_MS')} must not exceed ${show('HTTP_REQUEST_TIMEOUT_MS')}`
        : undefined,
  },
  {
    variables: ['AUTH_MODE', 'AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWT_ALGORITHMS'],
    problem: (c) => {
      if (c.AUTH_MODE !== 'jwt') return undefined;
      try {
        jwtVerification(c);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
];
