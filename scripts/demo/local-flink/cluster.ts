// The cluster's long-running processes: one JobManager (StandaloneSessionClusterEntrypoint, REST on the
// configured port) and the TaskManagers (TaskManagerRunner, resource ids tm-1, tm-2, ...), started from
// the distribution's classpath with the config in conf/, and the wait until all of them are up.
import { JOB_MANAGER_JVM_FLAGS, taskManagerJvmFlags } from "./config.ts";
import { findJavaPidByCmdline } from "./pids.ts";
import type { ClusterProcesses, FlinkProcess } from "./processes.ts";
import { getJson } from "./rest.ts";
import type { Startup } from "./startup.ts";
import { processTmpDir, type WorkDir } from "./work-dir.ts";

/** The n-th TaskManager's resource id (n from 1), as Flink's REST API and `--tm` name it. */
export const resourceId = (n: number) => `tm-${n}`;

export function startJobManager(processes: ClusterProcesses, dir: WorkDir, classpath: string): FlinkProcess {
  const jm = processes.launch("jobmanager", {
    jvmFlags: JOB_MANAGER_JVM_FLAGS,
    main: [
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
      "--configDir",
      dir.conf,
      `-Dio.tmp.dirs=${processTmpDir(dir, "jobmanager")}`,
    ],
    classpath,
  });
  jm.jvmPid = jm.pid;
  return jm;
}

export function startTaskManagers(
  processes: ClusterProcesses,
  dir: WorkDir,
  classpath: string,
  count: number,
  launcher: string[] = [],
): FlinkProcess[] {
  const tms: FlinkProcess[] = [];
  for (let n = 1; n <= count; n++) {
    tms.push(
      processes.launch(`taskmanager-${n}`, {
        launcher,
        jvmFlags: taskManagerJvmFlags(),
        main: [
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
          "--configDir",
          dir.conf,
          `-Dtaskmanager.resource-id=${resourceId(n)}`,
          `-Dio.tmp.dirs=${processTmpDir(dir, resourceId(n))}`,
        ],
        classpath,
      }),
    );
  }
  return tms;
}

/**
 * Waits until REST answers and every TaskManager has registered, then finds each TaskManager's JVM: by
 * its command line when a launcher runs in front of it (then the launched pid is not the JVM's).
 */
export async function waitForTaskManagers(
  startup: Startup,
  restUrl: string,
  tms: FlinkProcess[],
  dir: WorkDir,
): Promise<void> {
  await startup.waitFor("the REST endpoint", async () => ((await getJson(`${restUrl}/overview`)) ? true : undefined));
  const wanted = tms.map((_, i) => resourceId(i + 1));
  await startup.waitFor(`${tms.length} TaskManager(s) to register`, async () => {
    const ids = new Set(((await getJson(`${restUrl}/taskmanagers`)).taskmanagers as { id: string }[]).map((t) => t.id));
    return wanted.every((id) => ids.has(id)) ? true : undefined;
  });
  tms.forEach((p, i) => {
    p.jvmPid = findJavaPidByCmdline([`-Dtaskmanager.resource-id=${resourceId(i + 1)}`, dir.conf]) ?? p.pid;
  });
}
