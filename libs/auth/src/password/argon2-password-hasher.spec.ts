import { describe, expect, it } from 'vitest';
import { loadConfig } from '@app/core';
import { Argon2PasswordHasher } from './argon2-password-hasher';
import { PasswordHasher } from './password-hasher';

const hasherWith = (env: Record<string, string> = {}): Argon2PasswordHasher =>
  new Argon2PasswordHasher(loadConfig({ NODE_ENV: 'test', ...env }));

const PASSWORD = 'correct-Horse-7-battery-Staple';

describe('Argon2PasswordHasher', () => {
  const hasher = hasherWith();

  it('is a PasswordHasher', () => {
    expect(hasher).toBeInstanceOf(PasswordHasher);
  });

  it('makes argon2id PHC strings with the configured parameters (m=19456,t=2,p=1 by default) and a 16-byte salt', async () => {
    const hash = await hasher.hash(PASSWORD);
    // 16 bytes of salt and 32 of output, in unpadded base64: 22 and 43 characters.
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.hash(PASSWORD)).not.toBe(hash); // fresh salt each time
  });

  it('verifies the right password and rejects others', async () => {
    const hash = await hasher.hash(PASSWORD);
    expect(await hasher.verify(hash, PASSWORD)).toBe(true);
    expect(await hasher.verify(hash, PASSWORD.toLowerCase())).toBe(false);
    expect(await hasher.verify(hash, '')).toBe(false);
  });

  it('answers false, without throwing, for a malformed hash', async () => {
    const valid = await hasher.hash(PASSWORD);
    for (const malformed of [
      '',
      'not a hash',
      valid.slice(0, -10),
      valid.replace('$argon2id$', '$argon2x$'),
      '$argon2id$v=19$m=19456,t=2,p=1$abc',
      '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW',
    ]) {
      await expect(hasher.verify(malformed, PASSWORD), malformed).resolves.toBe(false);
    }
  });

  describe('needsRehash', () => {
    const stored = '$argon2id$v=19$m=19456,t=2,p=1$YGgN5SFBZNtOejlePCRKlw$r+xpTqeMEZtpaJv8DomH4/B5wh9k2b+ggULPlf6W8rU';

    it('is false for a hash made with the configured parameters', async () => {
      expect(hasher.needsRehash(await hasher.hash(PASSWORD))).toBe(false);
      expect(hasher.needsRehash(stored)).toBe(false);
    });

    it('is true once the configured time cost changes', async () => {
      const hash = await hasher.hash(PASSWORD);
      const stronger = hasherWith({ ARGON2_TIME_COST: '3' });
      expect(stronger.needsRehash(hash)).toBe(true);
      expect(await stronger.verify(hash, PASSWORD)).toBe(true); // old hashes still log in
      expect(stronger.needsRehash(await stronger.hash(PASSWORD))).toBe(false);
    });

    it('is true when the algorithm, version, memory or parallelism differ, or the hash cannot be read', () => {
      for (const other of [
        stored.replace('argon2id', 'argon2i'),
        stored.replace('argon2id', 'argon2d'),
        stored.replace('$v=19', '$v=16'),
        stored.replace('$v=19', ''),
        stored.replace('m=19456', 'm=65536'),
        stored.replace('p=1', 'p=2'),
        stored.replace('t=2', 't=x'),
        '',
        'not a hash',
      ]) {
        expect(hasher.needsRehash(other), other).toBe(true);
      }
    });
  });

  it('verifyDummy resolves false, whatever the password', async () => {
    await expect(hasher.verifyDummy(PASSWORD)).resolves.toBe(false);
    await expect(Promise.all([hasher.verifyDummy(''), hasher.verifyDummy(PASSWORD)])).resolves.toEqual([false, false]);
  });

  it('hashes off the event loop: timers keep firing while a hash runs', async () => {
    // The highest time cost the config allows makes one hash last ~10x the default (~100 ms here, more on a
    // loaded machine), so even a starved event loop gets several 5 ms ticks in while it runs.
    const slow = hasherWith({ ARGON2_TIME_COST: '20' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    try {
      await slow.hash(PASSWORD);
    } finally {
      clearInterval(timer);
    }
    expect(performance.now() - started).toBeGreaterThan(20); // the hash did take a while
    // Had the hash blocked the loop, no tick could have run before it resolved.
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});
