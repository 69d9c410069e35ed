/**
 * The Pod Security Standards "restricted" profile, as test assertions (the rules as Kubernetes documents
 * them for the restricted level: baseline plus non-root, no escalation, drop ALL, seccomp).
 */
import { expect } from "vitest";

const ALLOWED_VOLUMES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

export function expectRestricted(podSpec: any): void {
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) expect(podSpec[host] ?? false, host).toBe(false);
  for (const volume of podSpec.volumes ?? []) {
    const kinds = Object.keys(volume).filter((k) => k !== "name");
    expect(
      kinds.every((k) => ALLOWED_VOLUMES.includes(k)),
      `volume ${volume.name} uses ${kinds}`,
    ).toBe(true);
  }
  const pod = podSpec.securityContext ?? {};
  const containers = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  expect(containers.length).toBeGreaterThan(0);
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    expect(sc.privileged ?? false, `${c.name} privileged`).toBe(false);
    expect(sc.allowPrivilegeEscalation, `${c.name} allowPrivilegeEscalation`).toBe(false);
    expect(sc.capabilities?.drop, `${c.name} drops ALL`).toContain("ALL");
    expect(
      (sc.capabilities?.add ?? []).filter((a: string) => a !== "NET_BIND_SERVICE"),
      `${c.name} adds`,
    ).toEqual([]);
    expect(sc.runAsNonRoot ?? pod.runAsNonRoot, `${c.name} runAsNonRoot`).toBe(true);
    expect(sc.runAsUser ?? pod.runAsUser ?? 1, `${c.name} runAsUser`).not.toBe(0);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    expect(["RuntimeDefault", "Localhost"], `${c.name} seccomp`).toContain(seccomp);
    for (const port of c.ports ?? []) expect(port.hostPort ?? 0, `${c.name} hostPort`).toBe(0);
  }
}
