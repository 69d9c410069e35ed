// The processes of one local cluster (its JobManager, TaskManagers and job clients), owned by that
// cluster's LocalFlink handle: started here with their output in files under the work directory, and
// stopped together. The module keeps a set of the clusters not yet stopped for one reason only: a test
// or script that ends without calling stop() (a failed assertion, an exception) must not leave JVMs
// behind that keep two cores busy, and Node's 'exit' event is the one hook that runs, synchronously, on
// every normal end of the process.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { JAVA_17_OPENS } from "./config.ts";
import { tail } from "./logs.ts";
import { isAlive } from "./pids.ts";
import { removeWorkDir, type WorkDir } from "./work-dir.ts";

export type FlinkProcess = {
  name: string;
  /** The process started: the JVM, or the launcher in front of it. */
  pid: number;
  /** The JVM's own pid, once the caller knows it; stop() waits for it to be gone too. */
  jvmPid?: number;
  /** log4j's file (-Dlog.file) and the process's stdout and stderr. */
  logFile: string;
  outFile: string;
  /** The process has ended and all it wrote is in outFile. */
  exited: boolean;
  exitCode: number | null;
};

export type JvmCommand = {
  /** Command prefix put before `java`, e.g. a seccomp wrapper. */
  launcher?: string[];
  jvmFlags: string[];
  /** The main class and its arguments. */
  main: string[];
  classpath: string;
};

const unstopped = new Set<ClusterProcesses>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const cluster of unstopped) cluster.killNow();
  });
}

/** By pid: a launcher's JVM is not our child, and the launcher may not pass signals on. */
function killQuietly(p: FlinkProcess, signal: NodeJS.Signals): void {
  for (const pid of new Set([p.pid, p.jvmPid])) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export class ClusterProcesses {
  readonly #dir: WorkDir;
  readonly #java: string;
  readonly #all: FlinkProcess[] = [];
  /** Started and not yet stopped by stop(). */
  readonly #live = new Set<FlinkProcess>();

  constructor(dir: WorkDir, java: string) {
    this.#dir = dir;
    this.#java = java;
    installExitHook();
    unstopped.add(this);
  }

  /** Starts `java` (behind the launcher, if any) in the work directory, logging to log/<name>.log and .out. */
  launch(name: string, command: JvmCommand): FlinkProcess {
    const logFile = join(this.#dir.log, `${name}.log`);
    const outFile = join(this.#dir.log, `${name}.out`);
    const argv = [
      ...(command.launcher ?? []),
      this.#java,
      ...command.jvmFlags,
      ...JAVA_17_OPENS,
      `-Dlog.file=${logFile}`,
      `-Dlog4j.configurationFile=file:${join(this.#dir.conf, "log4j.properties")}`,
      "-cp",
      command.classpath,
      ...command.main,
    ];
    // Not detached: a Ctrl-C in the terminal reaches the JVMs too. execa's default cleanup SIGTERMs the
    // process started (not a launcher's JVM) if Node dies of a signal; the exit hook covers normal ends.
    const child = execa(argv[0]!, argv.slice(1), {
      cwd: this.#dir.path,
      stdin: "ignore",
      stdout: { file: outFile, append: true },
      stderr: { file: outFile, append: true },
      reject: false,
    });
    const p: FlinkProcess = { name, pid: child.pid!, logFile, outFile, exited: false, exitCode: null };
    // execa settles once the process has ended and its output is written (also when it could not start).
    void child.then((result) => {
      p.exited = true;
      p.exitCode = result.exitCode ?? null;
    });
    this.#all.push(p);
    this.#live.add(p);
    unstopped.add(this);
    return p;
  }

  /** The first process that has exited although it should run (job clients exit by design). */
  firstDead(): FlinkProcess | undefined {
    return this.#all.find((p) => p.exited && !p.name.startsWith("submit"));
  }

  /** For an error message: the ends of `only`'s logs, or of every process's. */
  logTails(only?: FlinkProcess): string {
    return (only ? [only] : this.#all)
      .map((q) => `--- ${q.name}.log (tail)\n${tail(q.logFile)}\n--- ${q.name}.out (tail)\n${tail(q.outFile, 10)}`)
      .join("\n");
  }

  /** SIGTERM, SIGKILL what is still there after 5 s, wait until all are gone; then the work dir goes. */
  async stop(): Promise<void> {
    const pending = [...this.#live];
    for (const p of pending) killQuietly(p, "SIGTERM");
    const gone = (p: FlinkProcess) => p.exited && (p.jvmPid === undefined || !isAlive(p.jvmPid));
    const termDeadline = Date.now() + 5000;
    while (pending.some((p) => !gone(p)) && Date.now() < termDeadline) await sleep(100);
    for (const p of pending) if (!gone(p)) killQuietly(p, "SIGKILL");
    while (pending.some((p) => !gone(p))) await sleep(50);
    for (const p of pending) this.#live.delete(p);
    removeWorkDir(this.#dir);
    unstopped.delete(this);
  }

  /** The exit hook's stop: SIGKILL without waiting (nothing can wait in 'exit'), and a work dir of our own removed. */
  killNow(): void {
    for (const p of this.#live) killQuietly(p, "SIGKILL");
    if (this.#dir.own) removeWorkDir(this.#dir);
  }
}
