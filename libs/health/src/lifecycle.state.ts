import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';

/** What the probes report about the process itself: started yet, shutting down yet. */
@Injectable()
export class LifecycleState implements OnApplicationBootstrap {
  private started = false;
  private shuttingDown = false;

  /** Runs after every module's init (migrations, admin bootstrap…) has finished. */
  onApplicationBootstrap(): void {
    this.started = true;
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
