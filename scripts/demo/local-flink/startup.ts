// How start-up waits and how it gives up: a probe is polled until it answers; the wait ends early, with
// the logs that say why and the cluster stopped, when a Flink process dies, when the probe finds a
// failure no waiting mends, or when start-up's time is up.
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterProcesses, FlinkProcess } from "./processes.ts";

/** A probe's answer that ends the wait at once (the job FAILED, say). */
export class Fatal {
  message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** Resolves to undefined to keep waiting, to a Fatal to give up at once, or to the awaited value. */
export type Probe<T> = () => Promise<T | Fatal | undefined>;

export type StartupOptions = {
  /** When startLocalFlink was called: the limit counts from there, preparation included. */
  started: number;
  timeoutMs: number;
  processes: ClusterProcesses;
  /** The handle's stop(): everything started so far goes. */
  stop: () => Promise<void>;
  ownWorkDir: boolean;
};

export class Startup {
  readonly started: number;
  #deadline: number;
  readonly #opts: StartupOptions;

  constructor(opts: StartupOptions) {
    this.#opts = opts;
    this.started = opts.started;
    this.#deadline = opts.started + opts.timeoutMs;
  }

  /** Each later job submission gets the start-up time limit anew. */
  restartClock(): void {
    this.#deadline = Date.now() + this.#opts.timeoutMs;
  }

  /** Seconds since start-up began, for progress messages. */
  elapsed(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }

  async waitFor<T>(what: string, probe: Probe<T>): Promise<T> {
    for (;;) {
      const dead = this.#opts.processes.firstDead();
      if (dead) return this.fail(`${dead.name} exited while waiting for ${what}`, dead);
      // A probe that throws (REST not up yet, a connection refused) means: not yet.
      const value = await probe().catch(() => undefined);
      if (value instanceof Fatal) return this.fail(`${value.message} while waiting for ${what}`);
      if (value !== undefined) return value;
      if (Date.now() > this.#deadline) return this.fail(`timed out waiting for ${what}`);
      await sleep(250);
    }
  }

  /** Stops the cluster and throws `what` with the ends of `p`'s logs, or of every process's. */
  async fail(what: string, p?: FlinkProcess): Promise<never> {
    const message = `local-flink: ${what}\n${this.#opts.processes.logTails(p)}`;
    if (this.#opts.ownWorkDir) await this.#opts.stop();
    // With a caller's work dir, an error while stopping must not hide why start-up failed.
    else await this.#opts.stop().catch(() => {});
    throw new Error(message);
  }
}
