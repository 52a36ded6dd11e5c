import { randomBytes } from 'node:crypto';

/**
 * Hashes and checks passwords. Also the dependency-injection token: inject `PasswordHasher`, provide an
 * implementation (`{ provide: PasswordHasher, useClass: Argon2PasswordHasher }`).
 */
export abstract class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  /** A self-describing hash (PHC string) of `plain`, with a fresh random salt, made with the configured parameters. */
  abstract hash(plain: string): Promise<string>;

  /** Whether `plain` matches `hash`. Never throws on a malformed or unsupported hash: it is simply no match. */
  abstract verify(hash: string, plain: string): Promise<boolean>;

  /**
   * True when `hash` was not made with the configured algorithm and parameters (or cannot be read):
   * after a successful login, hash the password again and store the new hash.
   */
  abstract needsRehash(hash: string): boolean;

  /**
   * Does the work of one {@link verify} against a fixed hash made with the configured parameters, and always
   * answers false. Call it when the account does not exist, so that a login for an unknown email takes as
   * long as one for a known email and response times do not reveal which emails are registered.
   */
  async verifyDummy(plain: string): Promise<false> {
    await this.verify(await this.dummy(), plain);
    return false;
  }

  /** Made once, on first use, from a random password nobody knows; concurrent first callers share it. */
  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url')).catch((error: unknown) => {
      this.dummyHash = undefined; // retry next time rather than remember a failure
      throw error;
    });
    return this.dummyHash;
  }
}
