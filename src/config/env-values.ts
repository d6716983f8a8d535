/**
 * How environment-variable strings become typed values, for the `@Transform` decorators of `Environment`.
 * Each returns the raw string when it cannot parse it, so the validator that follows reports it with
 * what was expected.
 */

/** Spellings accepted for a boolean variable, case-insensitive (what operators write in charts and shells). */
export const FLAG_SPELLINGS = { true: ['true', '1', 'yes', 'on'], false: ['false', '0', 'no', 'off'] } as const;

/** `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` in any case; anything else is left as given (and refused). */
export const flag = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if ((FLAG_SPELLINGS.true as readonly string[]).includes(word)) return true;
  if ((FLAG_SPELLINGS.false as readonly string[]).includes(word)) return false;
  return value;
};

/** A comma-separated list; blanks around and between entries are dropped. */
export const list = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

/** Decimal integers only (`-12`, `300`): no `1e3`, `0x10`, `12abc` or `1.5`, which Number() would take or round. */
export const INTEGER_SYNTAX = /^[+-]?\d+$/;
/** Decimal numbers (`0.3`, `5`, `.5`); no exponents, hex or trailing text. */
export const NUMBER_SYNTAX = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
