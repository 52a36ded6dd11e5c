import { dictionary } from '@zxcvbn-ts/language-common';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblems } from './password-policy';

const TOO_SHORT = 'must be at least 12 characters';
const TOO_LONG = 'must be at most 128 characters';
const TOO_COMMON = 'is too common; choose a less predictable password';

class SignUp {
  @IsAcceptablePassword() password: unknown;
}

/** The constraints reported for the password field, by name. */
const constraints = (password: unknown): Record<string, string>[] =>
  validateSync(Object.assign(new SignUp(), { password })).map((error) => error.constraints ?? {});

describe('password policy', () => {
  it('accepts 12 to 128 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
    expect(passwordProblems('vq7-kestrel-')).toEqual([]);
    expect(passwordProblems('kx'.repeat(64))).toEqual([]);
  });

  it('rejects 11 and 129 characters', () => {
    expect(passwordProblems('vq7-kestrel')).toEqual([TOO_SHORT]);
    expect(passwordProblems(`${'kx'.repeat(64)}z`)).toEqual([TOO_LONG]);
    expect(passwordProblems('')).toEqual([TOO_SHORT]);
  });

  it('counts code points, not UTF-16 units: an emoji is one character', () => {
    const emoji = '🔐'; // two UTF-16 units
    expect(emoji.length).toBe(2);
    expect(passwordProblems(`${emoji}kestrel-vq7`)).toEqual([]); // 12 code points
    expect(passwordProblems(`${emoji}kestrel-vq`)).toEqual([TOO_SHORT]); // 11 code points, 12 units
    expect(passwordProblems(emoji.repeat(6))).toEqual([TOO_SHORT]); // 12 units
    expect(passwordProblems(emoji.repeat(128))).toEqual([]); // 256 units
    expect(passwordProblems(emoji.repeat(129))).toEqual([TOO_LONG]);
  });

  it('rejects common passwords whatever their case', () => {
    const listed = dictionary['passwords-common'];
    const long = listed.find((entry) => entry.length >= 16 && /^[a-z]+$/.test(entry));
    expect(long).toBeDefined();
    for (const password of ['password1234', 'PASSWORD1234', 'PassWord1234', long!, long!.toUpperCase()]) {
      expect(passwordProblems(password), password).toEqual([TOO_COMMON]);
    }
  });

  it('accepts a random strong password', () => {
    expect(passwordProblems('correct-Horse-7-battery-Staple')).toEqual([]);
    expect(passwordProblems('Z4$qv!x9Lm#2Tw')).toEqual([]);
  });
});

describe('@IsAcceptablePassword()', () => {
  it('passes an acceptable password', () => {
    expect(constraints('correct-Horse-7-battery-Staple')).toEqual([]);
  });

  it('reports each broken rule with a message naming the property', () => {
    expect(constraints('Xk9vq!z')).toEqual([{ passwordMinLength: `password ${TOO_SHORT}` }]);
    expect(constraints('x'.repeat(129))).toEqual([{ passwordMaxLength: `password ${TOO_LONG}` }]);
    expect(constraints('Password1234')).toEqual([{ passwordNotCommon: `password ${TOO_COMMON}` }]);
  });

  it('reports a non-string only as not a string', () => {
    for (const value of [undefined, null, 123456789012, ['a-long-enough-password']]) {
      expect(constraints(value)).toEqual([{ passwordIsString: 'password must be a string' }]);
    }
  });
});

describe('common passwords in disguise', () => {
  it.each(['password1234', 'Password1234!', 'qwertyuiop123', 'dragondragon', 'Monkey2024!!!', 'letmein!!!!!'])(
    'rejects %s',
    (password) => {
      expect(passwordProblems(password)).toContain('is too common; choose a less predictable password');
    },
  );

  it.each(['correct horse battery', 'tram-lilac-oyster-9', 'my cat eats 7 plums'])('accepts %s', (password) => {
    expect(passwordProblems(password)).toEqual([]);
  });
});
