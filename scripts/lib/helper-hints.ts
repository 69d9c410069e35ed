// The helper's hints name its own options and commands (it also runs on its own, in a container). When
// profile.mjs ran it, the person reading the hint typed profile.mjs's options: say it in those. Pure.

export type HintMode = "local" | "cluster";

/**
 * A helper hint in profile.mjs's terms. `helper` is the helper's path on this machine (local mode),
 * so that a command the hint gives can be run as it stands.
 */
export function inProfileMjsTerms(hint: string, mode: HintMode, helper: string): string {
  let h = hint.replace(/flink-profiler --help/g, "zx scripts/profile.mjs --help");
  // In a cluster the output directory is the template's, in the TaskManager's pod: -o is not it.
  if (mode === "local") {
    h = h
      .replace(/--output-dir\b/g, "-o")
      .replace(/choose another --name\b/g, "move the file of that name away, or choose another -o")
      // Commands to run next: the helper itself, by its path in this clone.
      .replace(/(^|[:;,] |with: |run: )flink-profiler (list|stop|status)\b/g, `$1${helper} $2`)
      // profile.mjs runs the helper as the user who runs it.
      .replace(/\brun flink-profiler as\b/g, "run profile.mjs as");
  }
  return h;
}
