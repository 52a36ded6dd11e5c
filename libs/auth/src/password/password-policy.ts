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

/**
 * The common-password list (~49k entries, lowercase), built into a Set on first use. Only entries that are
 * long enough to be accepted otherwise can ever match, so the shorter ones are left out.
 */
function commonPasswordSet(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    dictionary['passwords-common']
      .map((entry) => entry.toLowerCase())
      .filter((entry) => codePointLength(entry, PASSWORD_MIN_LENGTH) >= PASSWORD_MIN_LENGTH),
  );
  return commonPasswords;
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
    fails: (password) => commonPasswordSet().has(password.toLowerCase()),
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
