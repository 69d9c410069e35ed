/**
 * A fresh project that installs this package the way a platform team would: `npm pack` of the clone (whose
 * prepare runs `npm run build`), then `npm install` of the tarball, with its dependencies and peers from the
 * registry, into a temporary folder. Every command runs on the Node that runs the tests (the project's
 * Node 24), and a failing one reports its output.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../consumer");

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** npm and npx start `node` from PATH: put this Node first, so the consumer runs on the project's Node. */
const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };

export async function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  const result = await execa(command, args, { cwd, env, reject: false, timeout: timeoutMs, stdin: "ignore" });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Like run, but a failure throws with everything the command printed. */
export async function mustRun(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<Run> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.exitCode !== 0) {
    throw new Error(
      `\`${command} ${args.join(" ")}\` in ${cwd} exited ${result.exitCode}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

export interface ConsumerProject {
  dir: string;
  tarball: string;
  remove(): void;
}

export async function createConsumerProject(): Promise<ConsumerProject> {
  const root = mkdtempSync(path.join(tmpdir(), "flink-profiling-consumer-"));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const packs = path.join(root, "packs");
    const dir = path.join(root, "project");
    cpSync(FIXTURES, dir, { recursive: true });
    mkdirSync(packs);
    await mustRun("npm", ["pack", "--pack-destination", packs, "--loglevel=error"], REPO_ROOT, 300_000);
    const tarballs = readdirSync(packs).filter((name) => name.endsWith(".tgz"));
    if (tarballs.length !== 1)
      throw new Error(`npm pack left ${JSON.stringify(tarballs)} in ${packs}, not one tarball`);
    const tarball = path.join(packs, tarballs[0]);
    // No "type": the consumer's .ts and .js files are CommonJS, as in Pulumi's TypeScript template.
    writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "consumer", private: true }, null, 2)}\n`);
    // The npm cache may already hold the packages (prefer-offline); missing ones come from the registry.
    await mustRun(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball],
      dir,
      600_000,
    );
    return { dir, tarball, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
