// What `report`, `merge` and `diff` were given: files and folders of profiles. Each file's format is
// read from its first bytes, not trusted from its name. A folder holds one profile per TaskManager,
// maybe in several formats from one run (pod.html, pod.collapsed): each profile is read once.
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../profile-options.ts";
import { StackTree } from "./stack-tree.ts";

/** html-2: async-profiler 2.x html, as Flink's built-in profiler writes it (read by flamegraph-v2.ts). */
export type InputFormat = "collapsed" | "jfr" | "html" | "html-2";

export interface ProfileInput {
  file: string;
  /** The TaskManager (or run) it profiles: the file name without its extension. */
  name: string;
  format: InputFormat;
}

/** In a folder, the format read when a profile is there in several: the cheapest to read. */
const PREFERRED: readonly InputFormat[] = ["collapsed", "jfr", "html", "html-2"];
const PROFILE_EXT = /\.(collapsed|folded|txt|jfr|html)$/;

const READS =
  "profile.mjs reads collapsed stacks (frame;frame;frame count), .jfr recordings and async-profiler html flame graphs (3+, and 2.x as Flink's built-in profiler writes them)";

/** The first bytes of a file decide its format; undefined when it is none of the three. */
export function sniffFormat(head: string): InputFormat | undefined {
  if (head.startsWith("FLR\0")) return "jfr";
  const text = head.replace(/^\uFEFF/, "").trimStart();
  if (/^<(!doctype html|html)/i.test(text)) return /const cpool = \[/.test(head) ? "html" : "html-2";
  const first = text.split("\n", 1)[0] ?? "";
  if (first === "" || new StackTree().addLine(first)) return "collapsed";
  return undefined;
}

export async function resolveInputs(args: readonly string[]): Promise<ProfileInput[]> {
  const inputs: ProfileInput[] = [];
  for (const arg of args) {
    const info = await stat(arg).catch(() => undefined);
    if (info === undefined)
      throw new UsageError(
        `no such file or folder: ${arg}`,
        "give profiles written by profile.mjs (-o DIR), or a folder of them",
      );
    if (info.isDirectory()) {
      inputs.push(...(await folderInputs(arg)));
    } else {
      const format = sniffFormat(await head(arg));
      if (format === undefined) throw new UsageError(`${arg}: unknown profile format`, READS);
      inputs.push({ file: arg, name: profileName(arg), format });
    }
  }
  return inputs;
}

async function folderInputs(dir: string): Promise<ProfileInput[]> {
  const byName = new Map<string, ProfileInput>();
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile() || !PROFILE_EXT.test(entry.name)) continue;
    const file = path.join(dir, entry.name);
    const format = sniffFormat(await head(file));
    if (format === undefined) continue;
    const name = profileName(file);
    const known = byName.get(name);
    if (!known || rank(format) < rank(known.format)) byName.set(name, { file, name, format });
  }
  if (byName.size === 0) throw new UsageError(`no profiles in ${dir}`, `${READS}; name them .collapsed, .jfr or .html`);
  return [...byName.values()];
}

const rank = (format: InputFormat) => PREFERRED.indexOf(format);
const profileName = (file: string) => path.basename(file).replace(PROFILE_EXT, "");

/** Enough of the file to tell its format: html flame graphs name their frame pool within the first KBs. */
async function head(file: string): Promise<string> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.toString("utf8", 0, bytesRead);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`, "check the path and its permissions");
  } finally {
    await fh.close();
  }
}
