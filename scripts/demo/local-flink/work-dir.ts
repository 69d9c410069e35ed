// The directory one local cluster writes in: conf/ (config.yaml, log4j.properties), log/ (each process's
// .log from log4j and .out with its stdout and stderr) and tmp/ (each process's io.tmp.dirs).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type WorkDir = {
  path: string;
  conf: string;
  log: string;
  /** Made here, so removed whole at stop; a caller's directory keeps its conf and logs (only tmp/ goes). */
  own: boolean;
};

export function makeWorkDir(given?: string): WorkDir {
  const path = given ?? mkdtempSync(join(tmpdir(), "local-flink-"));
  const dir = { path, conf: join(path, "conf"), log: join(path, "log"), own: given === undefined };
  for (const d of [dir.conf, dir.log]) mkdirSync(d, { recursive: true });
  return dir;
}

/** tmp/<name>, made: one process's io.tmp.dirs. */
export function processTmpDir(dir: WorkDir, name: string): string {
  const path = join(dir.path, "tmp", name);
  mkdirSync(path, { recursive: true });
  return path;
}

export function removeWorkDir(dir: WorkDir): void {
  rmSync(dir.own ? dir.path : join(dir.path, "tmp"), { recursive: true, force: true });
}
