/**
 * Settings whose default follows from other settings (e.g. the suspect point is half the heartbeat timeout),
 * declared beside the variable with `@DerivedFrom`. When the variable is not set, loadEnvironment computes it
 * from the validated sources, in declaration order (so a derived value may use an earlier derived one), and
 * start-up logs it as derived. The class field's own initializer stays the value with all defaults.
 */
export interface DerivedRule {
  /** The variable whose default is derived. */
  variable: string;
  /** Variables it is computed from; it is not derived while one of them is invalid. */
  sources: string[];
  /** The rule in words, for logs, error messages and the documentation (e.g. "half of HEARTBEAT_TIMEOUT_MS"). */
  rule: string;
  derive: (env: object) => unknown;
}

const rules: DerivedRule[] = [];

/**
 * Marks a variable whose default is computed from `sources` by `derive`, described in words by `rule`.
 * Property decorators run in declaration order, so rules are kept in that order too.
 */
export function DerivedFrom<T>(sources: Array<keyof T & string>, rule: string, derive: (env: T) => unknown): PropertyDecorator {
  return (_target, property) => {
    rules.push({ variable: String(property), sources, rule, derive: derive as DerivedRule['derive'] });
  };
}

/** Every derived variable, in declaration order. */
export function derivedRules(): readonly DerivedRule[] {
  return rules;
}
