/**
 * Variables whose values must never be echoed (in configuration errors, logs or the status page), marked with
 * `@Secret()` where Environment declares them. A value that may embed one (a URL with a password) is a secret too.
 */
const secrets = new Set<string>();

/** Marks the decorated variable as a secret. */
export function Secret(): PropertyDecorator {
  return (_target, property) => {
    secrets.add(String(property));
  };
}

/** Every variable marked `@Secret()`, filled as Environment's decorators run (when environment.ts loads). */
export function secretVariables(): ReadonlySet<string> {
  return secrets;
}
