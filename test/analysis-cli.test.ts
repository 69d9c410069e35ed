// `profile.mjs report | diff | merge` as a user runs them: a real process, async-profiler's real converter,
// generated profiles with a known answer. What the figures must be is counted by hand in this file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { UsageError } from "../scripts/lib/profile-options.ts";
import { runProfileCli } from "./support/cluster-fixture.ts";

const dir = mkdtempSync(path.join(tmpdir(), "analysis-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
};
/** `total` samples split over leaves under the sample job's JSON encoder or its sink, by share in %. */
const profile = (total: number, shares: Record<string, number>) =>
  `${Object.entries(shares)
    .map(
      ([leaf, pct]) =>
        `[Source: Orders -> Encode JSON (1/1)#0 tid=9];java/lang/Thread.run;com/example/orders/EncodeOrder.map;${leaf} ${(total * pct) / 100}`,
    )
    .join("\n")}\n`;
const before = profile(2000, {
  "com/example/orders/OrderJsonEncoder.escape": 5,
  "java/util/HashMap.get": 10,
  "com/example/orders/CountingDiscardSink.invoke": 85,
});
const after = profile(1000, {
  "com/example/orders/OrderJsonEncoder.escape": 25,
  "com/example/orders/CountingDiscardSink.invoke": 75,
});

describe("report", () => {
  it("prints the top frames, the grep share in % of all samples, and the documented JSON", async () => {
    const f = file("before.collapsed", before);
    const r = await runProfileCli(["report", f, "--grep", "Json", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(["grep", "profiles", "samples", "top", "topTotal", "waiting"]);
    expect(doc).toMatchObject({ samples: 2000, waiting: 0, profiles: [{ name: "before", format: "collapsed" }] });
    expect(doc.top[0]).toEqual({ frame: "com.example.orders.CountingDiscardSink.invoke", self: 85, total: 85 });
    expect(doc.grep).toMatchObject({ pattern: "Json", samples: 100, share: 5 });
    expect(doc.grep.frames).toEqual([{ frame: "com.example.orders.OrderJsonEncoder.escape", self: 5, total: 5 }]);
    const text = await runProfileCli(["report", f, "--grep", "json", "--threads", "--top", "2"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/--grep json: 5\.0% of all samples \(100\) have a matching frame/);
    expect(text.stdout).toMatch(/EncodeOrder\.map > OrderJsonEncoder\.escape/);
    expect(text.stdout).toMatch(
      /100\.0%\s+100\.0%\s+Source: Orders -> Encode JSON \[1\/1\]\s+CountingDiscardSink\.invoke/,
    );
  });

  it("reads a folder's profile once though it is there as html and collapsed, and the html as the collapsed", async () => {
    const folder = path.join(dir, "run");
    file("run/tm-0.collapsed", before);
    const merged = await runProfileCli(["merge", path.join(folder, "tm-0.collapsed"), "-o", path.join(folder, "tm-1")]);
    expect(merged.code, merged.stderr).toBe(0);
    rmSync(path.join(folder, "tm-1.collapsed"));
    // tm-0 (collapsed) and tm-1 (html only, read back by async-profiler's converter): the same profile twice.
    const both = JSON.parse((await runProfileCli(["report", folder, "--json"])).stdout);
    expect(both.profiles.map((p: { name: string; format: string }) => `${p.name}.${p.format}`)).toEqual([
      "tm-0.collapsed",
      "tm-1.html",
    ]);
    expect(both.samples).toBe(4000);
    const html = JSON.parse((await runProfileCli(["report", path.join(folder, "tm-1.html"), "--json"])).stdout);
    const collapsed = JSON.parse(
      (await runProfileCli(["report", path.join(folder, "tm-0.collapsed"), "--json"])).stdout,
    );
    expect(html.top).toEqual(collapsed.top);
    expect(html.samples).toBe(2000);
  });
});

describe("diff", () => {
  it("writes async-profiler's differential flame graph and puts the frame that went from 5 % to 25 % on top", async () => {
    const out = path.join(dir, "diffs");
    const r = await runProfileCli([
      "diff",
      file("v1/tm-0.collapsed", before),
      file("v2/tm-0.collapsed", after),
      "-o",
      out,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.html).toBe(path.join(out, "diff-v1-tm-0-vs-v2-tm-0.html"));
    // async-profiler's diff view: colours by the difference (maxdiff ≥ 0), not the plain palette (-1).
    expect(readFileSync(doc.html, "utf8")).toMatch(/const maxdiff = [1-9]\d*;/);
    expect(doc.regressions).toEqual([
      { frame: "com.example.orders.OrderJsonEncoder.escape", base: 5, new: 25, delta: 20, change: "grew" },
      { frame: "com.example.orders.CountingDiscardSink.invoke", base: 85, new: 75, delta: -10, change: "shrank" },
      { frame: "java.util.HashMap.get", base: 10, new: 0, delta: -10, change: "gone" },
    ]);
    const text = await runProfileCli([
      "diff",
      path.join(dir, "v1/tm-0.collapsed"),
      path.join(dir, "v2/tm-0.collapsed"),
      "-o",
      out,
    ]);
    expect(text.stdout).toMatch(
      /grew most[^\n]*\n[^\n]*\n\s+5\.0%\s+25\.0%\s+\+20\.0\s+com\.example\.orders\.OrderJsonEncoder\.escape/,
    );
    expect(text.stdout).toMatch(/10\.0%\s+0\.0%\s+-10\.0\s+java\.util\.HashMap\.get\s+\(gone\)/);
  });
});

describe("merge", () => {
  it("of N copies holds N times every count, in collapsed and html, and finds no TaskManager different", async () => {
    for (let i = 0; i < 3; i++) file(`copies/tm-${i}.collapsed`, before);
    const out = path.join(dir, "merged/all");
    const r = await runProfileCli(["merge", path.join(dir, "copies"), "-o", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toEqual([`${out}.collapsed`, `${out}.html`]);
    const counts = (text: string) =>
      new Map(
        text
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))]),
      );
    expect(counts(readFileSync(`${out}.collapsed`, "utf8"))).toEqual(
      new Map([...counts(before)].map(([s, n]) => [s, 3 * n])),
    );
    expect(doc.samples).toBe(6000);
    expect(doc.skew.map((s: { differs: number; outlier: boolean }) => [s.differs, s.outlier])).toEqual([
      [0, false],
      [0, false],
      [0, false],
    ]);
    expect(existsSync(`${out}.html`)).toBe(true);
  });

  it("names the TaskManager that differs from the rest", async () => {
    for (let i = 0; i < 3; i++) file(`skewed/tm-${i}.collapsed`, before);
    file("skewed/tm-3.collapsed", after);
    const r = await runProfileCli(["merge", path.join(dir, "skewed"), "-o", path.join(dir, "skewed-all")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n\s+20\.0%\s+tm-3\s+OrderJsonEncoder\.escape: 25\.0% vs 5\.0%\s+<- outlier\n/);
  });
});

describe("bad input", () => {
  it.each([
    [["report", "/nonexistent/tm-0.collapsed"], /no such file or folder: \/nonexistent/],
    [["report", "BAD-FORMAT"], /unknown profile format/],
    [["report", "OLD-HTML"], /async-profiler 2\.x/],
    [["report", "BAD-LINE"], /:3 is not a collapsed stack/],
    [["report", "EMPTY-DIR"], /no profiles in/],
  ])("%j exits 2 with a message and a hint", async (args, message) => {
    const paths: Record<string, () => string> = {
      "BAD-FORMAT": () => file("notes.txt", "this is not a profile\n"),
      "OLD-HTML": () => file("flink-rest.html", "<!DOCTYPE html>\n<html><script>f(0,0,620,3,'all')</script></html>\n"),
      "BAD-LINE": () => file("cut.collapsed", "a;b 1\na;c 2\na;d\n"),
      "EMPTY-DIR": () => {
        mkdirSync(path.join(dir, "empty"), { recursive: true });
        return path.join(dir, "empty");
      },
    };
    const r = await runProfileCli(args.map((a) => paths[a]?.() ?? a));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^hint: .+/m);
  });

  const usage = (argv: string[]) => {
    try {
      parseProfileCommand(argv);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return err as UsageError;
    }
    throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
  };

  it.each([
    [["report"], /needs at least one profile/],
    [["report", "x", "--grep", "("], /--grep "\(" is not a regular expression/],
    [["report", "x", "--grep", ""], /pattern is empty/],
    [["report", "x", "--top", "0"], /--top "0"/],
    [["report", "x", "-o", "y"], /report takes no --output/],
    [["diff", "a"], /diff compares two profiles, got 1/],
    [["diff", "a", "b", "--grep", "x"], /diff takes no --grep/],
    [["merge", "a"], /merge needs -o OUT/],
    [["merge", "a", "-o", " "], /-o is empty/],
    [["report", "x", "--local"], /Unknown option '--local'/],
  ])("refuses %j before reading anything", (argv, message) => {
    const err = usage(argv as string[]);
    expect(err.message).toMatch(message);
    expect(err.hint.length).toBeGreaterThan(5);
  });

  it("reads every option of the three commands", () => {
    expect(parseProfileCommand(["report", "a", "b/", "--top", "5", "--grep", "Json", "-t", "--json"])).toEqual({
      kind: "report",
      inputs: ["a", "b/"],
      top: 5,
      grep: "Json",
      threads: true,
      json: true,
    });
    expect(parseProfileCommand(["diff", "a", "b"])).toEqual({
      kind: "diff",
      base: "a",
      next: "b",
      outputDir: "profiles",
      top: 10,
      json: false,
    });
    expect(parseProfileCommand(["merge", "a", "-o", "out/all.html"])).toEqual({
      kind: "merge",
      inputs: ["a"],
      output: "out/all",
      top: 10,
      json: false,
    });
    expect(parseProfileCommand(["report", "--help"])).toEqual({ kind: "help" });
  });
});
