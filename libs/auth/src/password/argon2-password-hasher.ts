import { Injectable } from '@nestjs/common';
import { Algorithm, hash as argon2Hash, verify as argon2Verify, type Options } from '@node-rs/argon2';
import { AppConfig } from '@app/core';
import { HashSlots } from './hash-slots';
import { PasswordHasher } from './password-hasher';

/** Argon2 version 0x13 (19), the current one; `v=16` hashes are older and weaker. */
const ARGON2_VERSION = 19;

interface Argon2Parameters {
  algorithm: string;
  version: number;
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

const DECIMAL = /^\d{1,10}$/;

/**
 * Reads the parameters of a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
 * A missing `v=` means version 16 (hashes from before the field existed). Undefined when not argon2 PHC.
 */
function parseArgon2Phc(phc: string): Argon2Parameters | undefined {
  const match = /^\$(argon2(?:id|i|d))(?:\$v=(\d{1,3}))?\$([^$]+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(phc);
  if (match === null) return undefined;
  const [, algorithm, version = '16', list] = match;
  const params = new Map(list.split(',').map((pair) => pair.split('=', 2) as [string, string | undefined]));
  const m = params.get('m');
  const t = params.get('t');
  const p = params.get('p');
  if (m === undefined || t === undefined || p === undefined || ![m, t, p].every((v) => DECIMAL.test(v))) {
    return undefined;
  }
  return { algorithm, version: Number(version), memoryKib: Number(m), timeCost: Number(t), parallelism: Number(p) };
}

/**
 * Argon2id (RFC 9106) with the parameters of `ARGON2_MEMORY_KIB`, `ARGON2_TIME_COST` and `ARGON2_PARALLELISM`,
 * a 16-byte random salt and a 32-byte output. The work runs on libuv's thread pool, off the event loop, at most
 * PASSWORD_HASH_CONCURRENCY at once: each hash keeps a core busy for tens of milliseconds, and a burst of logins
 * on every pool thread would starve the event loop of CPU (the bench's S7 measured the liveness probe's p99
 * at 20 ms during 20 concurrent logins with four hashes at once on one core).
 */
@Injectable()
export class Argon2PasswordHasher extends PasswordHasher {
  private readonly options: Options;
  private readonly parameters: Argon2Parameters;
  private readonly slots: HashSlots;

  constructor(config: AppConfig) {
    super();
    this.slots = new HashSlots(config.auth.passwordHashConcurrency);
    const { memoryKib, timeCost, parallelism } = config.auth.argon2;
    this.options = { algorithm: Algorithm.Argon2id, memoryCost: memoryKib, timeCost, parallelism };
    this.parameters = { algorithm: 'argon2id', version: ARGON2_VERSION, memoryKib, timeCost, parallelism };
  }

  override hash(plain: string): Promise<string> {
    return this.slots.run(() => argon2Hash(plain, this.options));
  }

  override async verify(hash: string, plain: string): Promise<boolean> {
    try {
      // The hash carries its own algorithm and parameters: hashes made under older settings still verify.
      return await this.slots.run(() => argon2Verify(hash, plain));
    } catch {
      return false; // the library throws on a hash it cannot decode
    }
  }

  override needsRehash(hash: string): boolean {
    const stored = parseArgon2Phc(hash);
    if (stored === undefined) return true;
    const wanted = this.parameters;
    return (
      stored.algorithm !== wanted.algorithm ||
      stored.version !== wanted.version ||
      stored.memoryKib !== wanted.memoryKib ||
      stored.timeCost !== wanted.timeCost ||
      stored.parallelism !== wanted.parallelism
    );
  }
}
