// One measured case of `npm run bench:analysis`, alone in its process so that its peak RSS is its own.
// `old FILE`: the path --local and cluster runs take today (read the file whole, summarizeCollapsed).
// `cli ARGS...`: profile.mjs with ARGS (its stdout dropped). Prints {"maxRssMb","cpuSeconds"} on stderr at
// the end: this process's own, not its children's (the converter's JVM).
// Plain JavaScript that starts as profile.mjs does: TypeScript modules from Node's compile cache, which
// the bench fills before measuring, for both cases alike.
import { readFileSync } from "node:fs";
import { enableCompileCache } from "node:module";

enableCompileCache();
const [mode, ...args] = process.argv.slice(2);
if (mode === "old") {
  const { summarizeCollapsed } = await import("../collapsed.ts");
  summarizeCollapsed(readFileSync(args[0], "utf8"));
} else {
  const { main } = await import("../profile-main.ts");
  const code = await main(args);
  if (code !== 0) process.exit(code);
}
const usage = process.resourceUsage();
process.stderr.write(
  `${JSON.stringify({ maxRssMb: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 })}\n`,
);
