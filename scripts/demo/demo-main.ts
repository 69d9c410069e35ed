// `npm run demo`: start the sample job on local Flink, run `profile.mjs --local` against its TaskManager,
// stop Flink. profile.mjs runs as its own process so the demo shows the real command, output and exit status.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { startLocalFlink, type LocalFlink } from "./local-flink/index.ts";

const scripts = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export async function runDemo({ duration }: { duration: number }): Promise<number> {
  const say = (line: string) => process.stderr.write(`demo: ${line}\n`);
  let flink: LocalFlink | undefined;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    say("starting Flink (a JobManager and a TaskManager) with the sample job; this takes 10-30 s on two cores");
    const started = Date.now();
    flink = await startLocalFlink({ taskManagers: 1 });
    const tm = flink.taskManagers[0];
    if (!tm) throw new Error("the local Flink cluster has no TaskManager");
    say(
      `Flink is up in ${((Date.now() - started) / 1000).toFixed(1)} s: REST ${flink.restUrl}, job ${flink.jobId}, TaskManager pid ${tm.pid}`,
    );
    if (interrupted) return 130;

    const outputDir = path.join("profiles", "demo");
    const args = [
      "--local",
      "--pid",
      String(tm.pid),
      "-d",
      String(duration),
      "--format",
      "html,collapsed",
      "-o",
      outputDir,
    ];
    say(`running: zx scripts/profile.mjs ${args.join(" ")}`);
    const profiledAt = Date.now();
    // Same process group: a Ctrl-C reaches profile.mjs too, which stops the profiler itself.
    const run = await execa(process.execPath, [path.join(scripts, "profile.mjs"), ...args], {
      stdio: "inherit",
      reject: false,
    });
    if (run.exitCode === undefined && run.signal === undefined) throw run.cause ?? run;
    const code = run.exitCode ?? 130;
    if (code === 0) {
      for (const flame of await newFiles(outputDir, ".html", profiledAt))
        say(`open the flame graph in a browser: ${flame}`);
    }
    return code;
  } catch (err) {
    say(`failed: ${(err as Error).message}`);
    return 1;
  } finally {
    if (flink) {
      say("stopping Flink");
      await flink.stop();
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function newFiles(dir: string, ext: string, since: number): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    const file = path.resolve(dir, name);
    if (name.endsWith(ext) && (await stat(file)).mtimeMs >= since) found.push(file);
  }
  return found;
}
