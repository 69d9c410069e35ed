import { describe, expect, it } from "vitest";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { UsageError, helperArgs } from "../scripts/lib/profile-options.ts";

const usage = (argv: string[]) => {
  try {
    parseProfileCommand(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return { message: (err as UsageError).message, hint: (err as UsageError).hint };
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
};

describe("profile.mjs command line", () => {
  it("has sensible defaults", () => {
    const cmd = parseProfileCommand(["--local"]);
    expect(cmd).toEqual({
      kind: "local",
      pids: [],
      outputDir: "profiles",
      json: false,
      settings: { duration: 60, event: "cpu", formats: ["html"], interval: undefined, threads: false, include: [], exclude: [], extraArgs: [] },
    });
  });

  it("reads every flag, repeated ones and asprof's after --", () => {
    const cmd = parseProfileCommand([
      "--local", "--pid", "12", "--pid", "34", "-d", "15", "-e", "WALL", "-i", "5ms", "-t",
      "-I", "com/acme/*", "-X", "*Idle*", "--format", "html,collapsed,html", "-o", "/tmp/x", "--json",
      "--", "--cstack", "vm",
    ]);
    if (cmd.kind !== "local") throw new Error("expected local");
    expect(cmd.pids).toEqual([12, 34]);
    expect(cmd.settings).toMatchObject({ duration: 15, event: "wall", interval: "5ms", threads: true, formats: ["html", "collapsed"] });
    expect(cmd.settings.extraArgs).toEqual(["--cstack", "vm"]);
    expect(helperArgs(cmd.settings)).toEqual([
      "--duration", "15", "--event", "wall", "--format", "html,collapsed", "--interval", "5ms", "--threads",
      "--include", "com/acme/*", "--exclude", "*Idle*", "--", "--cstack", "vm",
    ]);
  });

  it("keeps shell metacharacters as plain argument values", () => {
    const evil = "*;$(touch /tmp/pwned)`id`'\"|&";
    const cmd = parseProfileCommand(["--local", "-I", evil]);
    if (cmd.kind !== "local") throw new Error("expected local");
    expect(helperArgs(cmd.settings)).toContain(evil);
  });

  it.each([
    [["--local", "-d", "0"], /out of range/],
    [["--local", "-d", "-5"], /not a whole number|out of range|ambiguous/],
    [["--local", "-d", "99999"], /out of range/],
    [["--local", "-d", "1.5"], /not a whole number/],
    [["--local", "-d", "abc"], /not a whole number/],
    [["--local", "-e", "cycles"], /unknown event/],
    [["--local", "--format", "svg"], /unknown format "svg"/],
    [["--local", "--format", ""], /no output format/],
    [["--local", "-i", "fast"], /interval/],
    [["--local", "--pid", "x1"], /not a process id/],
    [["--local", "--bogus"], /Unknown option/],
    [["--local", "stray"], /unexpected argument "stray"/],
    [[], /no target given/],
  ])("refuses %j with a message and a hint", (argv, message) => {
    const { message: m, hint } = usage(argv as string[]);
    expect(m).toMatch(message);
    expect(hint.length).toBeGreaterThan(5);
  });

  it("asks for help", () => {
    expect(parseProfileCommand(["--help"])).toEqual({ kind: "help" });
  });
});
