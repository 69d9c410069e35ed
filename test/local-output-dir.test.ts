// Issue 11, finding 8: `--local -o` values that cannot work are refused with a clear error, before
// anything is created (a comma, which async-profiler's agent would read as the end of the path) or
// instead of a raw EEXIST/ENOTDIR (a file of that name in the way).
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { ensureOutputDir } from "../scripts/lib/local-profile.ts";
import { HintedError, UsageError } from "../scripts/lib/profile-options.ts";

const dir = mkdtempSync(join(tmpdir(), "local-output-dir-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--local -o", () => {
  it.each([join(dir, "x,y"), join(dir, "a\nb"), join(dir, "tab\there")])("refuses %j before anything runs", (o) => {
    expect(() => parseProfileCommand(["--local", "-o", o])).toThrow(UsageError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("accepts a comma in a cluster run's -o (the files are written here, not by the agent)", () => {
    expect(parseProfileCommand(["-n", "flink", "--cluster", "orders", "-o", join(dir, "x,y")])).toMatchObject({
      kind: "cluster",
    });
  });

  it("says a file is in the way, for the file itself and for a path under it", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "mine\n");
    for (const o of [file, join(file, "sub")]) {
      const err = await ensureOutputDir(o).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HintedError);
      expect((err as HintedError).message).toBe(
        `-o ${o}: a file of that name is in the way (the output must be a directory)`,
      );
    }
    expect(statSync(file).isFile()).toBe(true);
  });

  it("makes a missing directory, parents included", async () => {
    const o = join(dir, "new/profiles");
    expect(await ensureOutputDir(o)).toBe(o);
    expect(existsSync(o)).toBe(true);
  });
});
