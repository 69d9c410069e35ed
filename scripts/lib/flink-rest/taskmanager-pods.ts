// Which Kubernetes pod a Flink TaskManager is, from what Flink's REST API says of it. Pure.
//
// Our clusters (taskmanager.resource-id = the pod's name) and native mode (the JobManager names the pods
// after their resource ids) give ids that are pod names. The operator's standalone mode leaves Flink to
// make one up ("10.244.0.7:6122-4f1a2b"), but a subtask's place says where its TaskManager listens: the
// pod's IP (Flink's default taskmanager.host), or its host name.
import type { SubtaskPlace } from "./rest-shapes.ts";

export interface PodAddress {
  pod: string;
  ip?: string;
}

/** The host of a place's `endpoint` ("host:port", "[v6]:port", or 1.18's host name alone). */
export function placeHost(endpoint: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint);
  if (v6) return v6[1]!;
  return endpoint.replace(/:\d+$/, "");
}

/** TaskManager id → pod, for the places that match a pod; the others are left out. */
export function podsOfTaskManagers(
  places: readonly Pick<SubtaskPlace, "taskManagerId" | "endpoint">[],
  pods: readonly PodAddress[],
): Map<string, string> {
  const found = new Map<string, string>();
  for (const { taskManagerId, endpoint } of places) {
    if (found.has(taskManagerId)) continue;
    const host = placeHost(endpoint);
    const pod =
      pods.find((p) => p.pod === taskManagerId) ??
      (host === ""
        ? undefined
        : (pods.find((p) => p.ip === host) ?? pods.find((p) => host === p.pod || host.startsWith(`${p.pod}.`))));
    if (pod) found.set(taskManagerId, pod.pod);
  }
  return found;
}
