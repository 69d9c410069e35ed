// `profile.mjs doctor`: the Kubernetes checks (cluster/doctor.ts) and, with --flink-rest, the REST driver's
// (flink-rest/rest-doctor.ts); then one line that says which ways of profiling passed.
import type { DoctorCommand } from "./cluster/cluster-cli.ts";
import { checkLine } from "./cluster/doctor-checks.ts";

export async function runDoctor(cmd: DoctorCommand, write: (line: string) => void): Promise<boolean> {
  const passed: string[] = [];
  const failed: string[] = [];
  if (cmd.kubernetes !== false) {
    const { doctor } = await import("./cluster/doctor.ts");
    ((await doctor(cmd, write)) ? passed : failed).push(`--via ${cmd.via}`);
  }
  if (cmd.restUrl !== undefined) {
    const { restDoctor } = await import("./flink-rest/rest-doctor.ts");
    ((await restDoctor(cmd.restUrl, (c) => write(checkLine(c)))) ? passed : failed).push("--via rest");
  }
  if (cmd.restUrl !== undefined) {
    write(
      `drivers: ${passed.length > 0 ? `${passed.join(", ")} can profile this cluster` : "none of those checked can profile this cluster"}${failed.length > 0 ? `; ${failed.join(", ")} cannot (see above)` : ""}`,
    );
  }
  return failed.length === 0;
}
