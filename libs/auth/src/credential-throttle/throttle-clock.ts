import { Injectable } from '@nestjs/common';

/** Epoch milliseconds for {@link CredentialThrottle}: a provider of its own so that tests can move time. */
export abstract class ThrottleClock {
  abstract now(): number;
}

@Injectable()
export class SystemThrottleClock extends ThrottleClock {
  override now(): number {
    return Date.now();
  }
}
