import { dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/** Minimum password length, in Unicode code points (an emoji counts as one). */
export const PASSWORD_MIN_LENGTH = 12;
/** Maximum password length, in Unicode code points. Bounds the work one login can cost. */
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Counts code points (not UTF-16 units), stopping early once past `stopAfter` so that a huge input costs
 * no more than the limit it breaks.
 */
function codePointLength(text: string, stopAfter: number): number {
  let count = 0;
  for (const _ of text) if (++count > stopAfter) break;
  return count;
}

let commonPasswords: ReadonlySet<string> | undefined;

/** The common-password list (~49k entries, lowercase), built into a Set on first use. */
function commonPasswordSet(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return commonPasswords;
}

/**
 * A known password, or one dressed up the usual ways: a common one plus a few trailing digits or symbols
 * ("password1234!"), or a common one typed twice ("qwertyqwerty").
 */
export function isCommonPassword(password: string): boolean {
  const common = commonPasswordSet();
  const lower = password.toLowerCase();
  if (common.has(lower)) return true;
  const base = lower.replace(/[\d\p{P}\p{S}\s]{1,8}$/u, '');
  if (base !== lower && base.length >= 4 && common.has(base)) return true;
  const half = lower.length / 2;
  return Number.isInteger(half) && lower.slice(0, half) === lower.slice(half) && common.has(lower.slice(0, half));
}

interface PasswordRule {
  /** The constraint name class-validator reports. */
  readonly name: string;
  /** Without the property name: "must be at least 12 characters". */
  readonly message: string;
  readonly fails: (password: string) => boolean;
}

// No composition rules (digits, symbols, upper case): length and not being a known password are what count.
const RULES: readonly PasswordRule[] = [
  {
    name: 'passwordMinLength',
    message: `must be at least ${PASSWORD_MIN_LENGTH} characters`,
    fails: (password) => codePointLength(password, PASSWORD_MIN_LENGTH) < PASSWORD_MIN_LENGTH,
  },
  {
    name: 'passwordMaxLength',
    message: `must be at most ${PASSWORD_MAX_LENGTH} characters`,
    fails: (password) => codePointLength(password, PASSWORD_MAX_LENGTH) > PASSWORD_MAX_LENGTH,
  },
  {
    name: 'passwordNotCommon',
    message: 'is too common; choose a less predictable password',
    fails: isCommonPassword,
  },
];

/** Every rule the password breaks, as messages to follow the field name ("must be at least 12 characters"); empty when acceptable. */
export function passwordProblems(password: string): string[] {
  return RULES.filter((rule) => rule.fails(password)).map((rule) => rule.message);
}

/**
 * Validates a DTO field against the password policy, reporting one constraint per broken rule
 * (`"$property must be a string"` alone for a non-string).
 */
export function IsAcceptablePassword(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyKey: string | symbol): void => {
    if (typeof propertyKey !== 'string') throw new TypeError('@IsAcceptablePassword() needs a string property name');
    const register = (name: string, message: string, validate: (value: unknown) => boolean): void =>
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: propertyKey,
        options,
        validator: { validate, defaultMessage: () => `$property ${message}` },
      });
    register('passwordIsString', 'must be a string', (value) => typeof value === 'string');
    for (const rule of RULES) {
      // A non-string is reported once, as not a string, not once per rule as well.
      register(rule.name, rule.message, (value) => typeof value !== 'string' || !rule.fails(value));
    }
  };
}
