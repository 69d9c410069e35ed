// The flame graphs that merge and diff write, opened in a real browser: Debian's chromium, driven by
// playwright-core (no browser download). They must draw, and async-profiler's own search must highlight
// the hot word's frames and show the share of samples they hold, which is known here by construction.
// Screenshots stay in test-artifacts/ for a person to look at.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runProfileCli } from "./support/cluster-fixture.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(repoRoot, "test-artifacts");
const dir = mkdtempSync(path.join(tmpdir(), "flamegraph-browser-"));

/** The sample job's shape: `json` % of the samples in its JSON encoder, the rest in its sink, map and GC. */
const profile = (json: number, sink: number) =>
  [
    `java/lang/Thread.run;com/example/orders/EncodeOrder.map;com/example/orders/OrderJsonEncoder.encode;com/example/orders/OrderJsonEncoder.escape;java/lang/StringBuilder.append ${json * 6}`,
    `java/lang/Thread.run;com/example/orders/EncodeOrder.map;com/example/orders/OrderJsonEncoder.encode ${json * 4}`,
    `java/lang/Thread.run;com/example/orders/CountingDiscardSink.invoke ${sink * 10}`,
    `java/lang/Thread.run;com/example/orders/EncodeOrder.map;java/util/HashMap.get ${(100 - json - sink) * 5}`,
    `GCTaskThread::run;G1ParTask::work ${(100 - json - sink) * 5}`,
  ].join("\n");

let browser: Browser;
let flame: string;
let diff: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no chromium at ${CHROMIUM}: install Debian's package (sudo bash scripts/setup/tests/chromium.sh, as .ci/run does) or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(dir, "before.collapsed"), profile(25, 60));
  writeFileSync(path.join(dir, "after.collapsed"), profile(45, 40));
  const merged = await runProfileCli(["merge", path.join(dir, "before.collapsed"), "-o", path.join(dir, "before")]);
  expect(merged.code, merged.stderr).toBe(0);
  flame = path.join(dir, "before.html");
  const d = await runProfileCli([
    "diff",
    path.join(dir, "before.collapsed"),
    path.join(dir, "after.collapsed"),
    "-o",
    dir,
    "--json",
  ]);
  expect(d.code, d.stderr).toBe(0);
  diff = JSON.parse(d.stdout).html;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Pixels of the flame graph's canvas, by colour: "r,g,b" → count. */
const canvasColours = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.getElementById("canvas") as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours: Record<string, number> = {};
    for (let i = 0; i < data.length; i += 4) {
      const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      colours[key] = (colours[key] ?? 0) + 1;
    }
    return colours;
  });

async function open(file: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.getElementById("canvas") !== null);
  expect(errors).toEqual([]);
  return page;
}

/** Searches as a person does: Ctrl+F, then the regexp in the viewer's prompt. */
async function search(page: Page, pattern: string): Promise<string> {
  page.once("dialog", (d) => void d.accept(pattern));
  await page.keyboard.press("Control+f");
  await page.waitForFunction(() => getComputedStyle(document.getElementById("match")!).display !== "none");
  return (await page.textContent("#matchval"))!;
}

const MAGENTA = "238,0,238";

describe("the flame graph of merge", () => {
  it("draws the frames and highlights what a search for the hot word matches, with its share", async () => {
    const page = await open(flame);
    // The viewer's frames, from its own top-level `levels` (a lexical binding, so read by name).
    const frames = (await page.evaluate("levels.flat().map((f) => f.title)")) as string[];
    expect(frames).toContain("com/example/orders/OrderJsonEncoder.escape");
    const before = await canvasColours(page);
    const drawn = Object.entries(before)
      .filter(([c]) => c !== "255,255,255")
      .reduce((n, [, k]) => n + k, 0);
    expect(drawn).toBeGreaterThan(10_000);
    expect(before[MAGENTA] ?? 0).toBe(0);

    // 25 % of the samples run in the encoder: the viewer's share and ours must both say so.
    expect(await search(page, "Json")).toBe("25.00%");
    const ours = JSON.parse((await runProfileCli(["report", flame, "--grep", "Json", "--json"])).stdout);
    expect(ours.grep.share).toBe(25);
    const after = await canvasColours(page);
    expect(after[MAGENTA] ?? 0).toBeGreaterThan(1_000);
    await page.screenshot({ path: path.join(ARTIFACTS, "flamegraph-search-json.png") });
    await page.close();
  });
});

describe("the differential flame graph of diff", () => {
  it("draws growth in red and shrinkage in blue, and its search shows the share in the new profile", async () => {
    const page = await open(diff);
    const colours = await canvasColours(page);
    const tint = (test: (r: number, g: number, b: number) => boolean) =>
      Object.entries(colours)
        .filter(([c]) => test(...(c.split(",").map(Number) as [number, number, number])))
        .reduce((n, [, k]) => n + k, 0);
    // async-profiler's diff colours: rgb(255,v,v) where NEW has more self samples, rgb(v,v,255) fewer.
    expect(tint((r, g, b) => r === 255 && g === b && g < 224)).toBeGreaterThan(1_000);
    expect(tint((r, g, b) => b === 255 && r === g && r < 224)).toBeGreaterThan(1_000);
    // Widths follow the new profile, where the encoder holds 45 %.
    expect(await search(page, "Json")).toBe("45.00%");
    expect((await canvasColours(page))[MAGENTA] ?? 0).toBeGreaterThan(1_000);
    await page.screenshot({ path: path.join(ARTIFACTS, "diff-search-json.png") });
    await page.close();
  });
});
