// The helper's contract is stated once (images/flink-profiling/contract.json). This checks that the two
// rendered forms are current, that bash reads the rendered one as the contract says, and that the
// helper's own code keeps to it: every error it writes has the contract's code and exit status, every
// notice code and action is the contract's, and the README names each error code with its status.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  renderBash,
  renderTypeScript,
  withoutComments,
  type HelperContract,
} from "../scripts/lib/contract/render-contract.ts";

const helperDir = "images/flink-profiling";
const contract = withoutComments(JSON.parse(readFileSync(join(helperDir, "contract.json"), "utf8")) as HelperContract);
const libSource = readdirSync(join(helperDir, "lib"))
  .filter((f) => f.endsWith(".sh"))
  .map((f) => readFileSync(join(helperDir, "lib", f), "utf8"))
  .join("\n");
const screaming = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

describe("the rendered contract", () => {
  it("is current (run `npm run gen:contract` after editing contract.json)", () => {
    expect(readFileSync(join(helperDir, "lib/contract.sh"), "utf8")).toBe(renderBash(contract));
    expect(readFileSync("components/helper-contract.ts", "utf8")).toBe(renderTypeScript(contract));
  });

  it("reads in bash as the contract says", () => {
    const out = execFileSync(
      "bash",
      [
        "-c",
        'set -eu; source "$1"; printf "%s\\n" "${EVENTS[*]}" "${FORMATS[*]}" "${PASSTHROUGH_WITH_VALUE[*]}" "$MAX_DURATION_SECONDS" "$EXIT_BAD_INPUT" "$EXIT_INTERRUPTED"',
        "_",
        join(helperDir, "lib/contract.sh"),
      ],
      { encoding: "utf8" },
    );
    expect(out.split("\n").slice(0, 6)).toEqual([
      contract.events.join(" "),
      contract.formats.join(" "),
      contract.passthrough.withValue.join(" "),
      String(contract.limits.maxDurationSeconds),
      String(contract.exitCodes.badInput),
      String(contract.exitCodes.interrupted),
    ]);
  });
});

describe("the helper keeps to it", () => {
  const dies = [...libSource.matchAll(/die "\$EXIT_([A-Z_]+)" ([a-z-]+)/g)].map(([, exit, code]) => ({
    exit: exit!,
    code: code!,
  }));

  it("writes each error code with the contract's exit status", () => {
    expect(dies.length).toBeGreaterThan(20);
    for (const { exit, code } of dies) {
      expect(contract.errorCodes[code], `error code ${code} is not in contract.json`).toBeDefined();
      expect(exit, code).toBe(screaming(contract.errorCodes[code]!));
    }
  });

  it("uses every error code of the contract", () => {
    expect(new Set(dies.map((d) => d.code))).toEqual(new Set(Object.keys(contract.errorCodes)));
  });

  it("writes only the contract's notice codes, and all of them", () => {
    const notices = new Set([...libSource.matchAll(/emit_notice ([a-z-]+)/g)].map((m) => m[1]));
    expect(notices).toEqual(new Set(contract.noticeCodes));
  });

  it("has a function for each action", () => {
    for (const action of contract.actions)
      expect(libSource, action).toMatch(new RegExp(`^cmd_${action}\\(\\) \\{`, "m"));
  });

  it("README names each error code with its exit status", () => {
    const readme = readFileSync(join(helperDir, "README.md"), "utf8");
    const paragraph = /Error codes: ([\s\S]*?)\. The TypeScript/.exec(readme)?.[1] ?? "";
    const documented: Record<string, number> = {};
    for (const [, codes, status] of paragraph.matchAll(/((?:`[a-z-]+`,?\s*)+)\((\d+)\)/g)) {
      for (const [, code] of codes!.matchAll(/`([a-z-]+)`/g)) documented[code!] = Number(status);
    }
    const expected = Object.fromEntries(
      Object.entries(contract.errorCodes).map(([code, exit]) => [code, contract.exitCodes[exit]]),
    );
    expect(documented).toEqual(expected);
  });
});
