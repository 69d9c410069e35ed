// Makes the formats a person asked for from the one file the helper delivered (source-format.ts says
// which), on the user's side, with async-profiler's converter. Used by --local and by cluster runs alike,
// so a profile reads the same whichever way it was taken.
import { mkdtemp, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { jfrconv } from "./analysis/converter.ts";
import { randomHex } from "./cluster/naming.ts";
import { HintedError, type ProfileFormat, type ProfileSettings } from "./profile-options.ts";
import { converterOptions, keepsFrameKinds, stripFrameKinds, type SourceFormat } from "./source-format.ts";

export interface RenderJob {
  /** The delivered file: a jfr recording, or collapsed stacks with frame kinds. */
  source: string;
  sourceFormat: SourceFormat;
  settings: ProfileSettings;
  /** The event really profiled (the helper's `started.event`). */
  event: string;
  /** Where each wanted format goes; the source's own format is copied, less its frame kinds for collapsed. */
  outputs: Partial<Record<ProfileFormat, string>>;
}

/** Writes every output; a reader never sees half a file under its final name. */
export async function renderFormats(job: RenderJob): Promise<void> {
  for (const [format, target] of Object.entries(job.outputs) as [ProfileFormat, string][]) {
    const partial = `${target}.partial-${process.pid}-${randomHex(6)}`;
    try {
      if (format === "jfr") {
        await writeFile(partial, await readFile(job.source));
      } else if (format === "collapsed") {
        // Collapsed from jfr goes through the converter first; either way the frame kinds go at the end.
        let text: string;
        if (job.sourceFormat === "collapsed") {
          text = await readFile(job.source, "utf8");
        } else {
          await jfrconv(converterOptions("collapsed", "jfr", job.settings, job.event), [job.source, partial]);
          text = await readFile(partial, "utf8");
        }
        await writeFile(partial, keepsFrameKinds(job.settings) ? text : stripFrameKinds(text));
      } else {
        await jfrconv(converterOptions("html", job.sourceFormat, job.settings, job.event), [job.source, partial]);
        await requireWholeHtml(partial, target);
      }
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }
}

/**
 * The converter does not notice a volume that fills up under it (its output stream swallows the error):
 * a flame graph is whole when it ends with </html>.
 */
async function requireWholeHtml(file: string, target: string): Promise<void> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.min(size, 64));
    await handle.read(tail, 0, tail.length, size - tail.length);
    if (!/<\/html>\s*$/.test(tail.toString("latin1"))) {
      throw new HintedError(
        `the flame graph ${target} is incomplete: the converter's output stops after ${size} bytes, before its end (is ${path.dirname(target)}'s volume full?)`,
        "free space there or choose another -o",
      );
    }
  } finally {
    await handle.close();
  }
}

export interface Delivery {
  /** The delivered file, under a name of its own choosing: it is removed once the formats are made. */
  source: string;
  sourceFormat: SourceFormat;
  settings: ProfileSettings;
  event: string;
  /** The asked formats go to `<base>.<format>`. */
  base: string;
  /** Return the source's bytes too (collapsed sources only). */
  keepSource?: boolean;
}

/**
 * Every asked format under `<base>.<format>`, in the order asked, and the collapsed stacks (less frame
 * kinds) for the top frames, made even when collapsed was not asked for. If the converter fails, the
 * delivered file is kept as `<base>.<source format>` so that the profile is not lost, and the error says so.
 */
export async function deliverFormats(d: Delivery): Promise<{ files: string[]; collapsed: Buffer; source?: Buffer }> {
  const asked = d.settings.formats;
  const outputs: Partial<Record<ProfileFormat, string>> = {};
  for (const f of asked) outputs[f] = `${d.base}.${f}`;
  // Collapsed stacks for the top frames only: from a collapsed source they are made in memory (no file
  // written and read back); from a jfr recording the converter writes them to a hidden file.
  const fromSource = d.sourceFormat === "collapsed";
  const topOnly =
    asked.includes("collapsed") || fromSource
      ? undefined
      : `${path.dirname(d.base)}/.${path.basename(d.base)}.top-${process.pid}.collapsed`;
  if (topOnly) outputs.collapsed = topOnly;
  try {
    await renderFormats({ ...d, outputs });
    // A collapsed source keeps asprof's frame kinds: a flame graph drawn again from part of it (--operator) keeps its colours.
    const sourceBytes = fromSource ? await readFile(d.source) : undefined;
    const collapsed = outputs.collapsed
      ? await readFile(outputs.collapsed)
      : Buffer.from(
          keepsFrameKinds(d.settings) ? sourceBytes!.toString("utf8") : stripFrameKinds(sourceBytes!.toString("utf8")),
        );
    const source = d.keepSource ? sourceBytes : undefined;
    return { files: asked.map((f) => outputs[f]!), collapsed, ...(source ? { source } : {}) };
  } catch (err) {
    const kept = `${d.base}.${d.sourceFormat}`;
    await Promise.all(
      Object.values(outputs)
        .filter((o) => o !== kept)
        .map((o) => rm(o!, { force: true })),
    );
    await rename(d.source, kept).catch(() => undefined);
    const e = err instanceof HintedError ? err : new HintedError((err as Error).message, "");
    throw new HintedError(
      `${e.message}; the profile is kept as ${kept}`,
      e.hint || "convert it later with async-profiler's jfrconv",
    );
  } finally {
    if (topOnly) await rm(topOnly, { force: true });
    await rm(d.source, { force: true });
  }
}

/**
 * Checked before anything starts (no Job, no profile): a profile whose formats cannot be made here would
 * be wasted. Converts two tiny stacks to a flame graph, which proves the converter, its java and its
 * html template at once.
 */
export async function requireConverter(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flink-profiling-converter-"));
  try {
    const input = path.join(dir, "probe.collapsed");
    await writeFile(input, "main;work 1\nmain;rest 1\n");
    await jfrconv(["-o", "html"], [input, path.join(dir, "probe.html")]);
  } catch (err) {
    const said = err instanceof Error ? err.message : String(err);
    throw new HintedError(
      `the flame graph and the other formats are made on this machine with async-profiler's converter, which cannot run here: ${said}`,
      "install Java 11+ (java on PATH or JAVA_HOME) and run `bash scripts/setup.sh`, or set ASYNC_PROFILER_HOME to an async-profiler 4.x release; --format collapsed alone needs no converter",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
