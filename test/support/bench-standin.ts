// The stand-in for scripts/bench-cluster.mjs, in its own process so that the benchmark's CPU figure is
// the profiler script's alone. N fake TaskManager pods whose `flink-profiler` is a tiny stand-in that
// prints realistic events and records (the machine cannot hold 64 JVMs). Prints {kubeconfig} when ready.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startClusterFixture, CLUSTER } from "./cluster-fixture.ts";

const n = Number(process.argv[2] ?? 1);
const records = process.argv[3]!; // transport records of a sample profile, made by the real helper's `encode`
const fx = await startClusterFixture([]);
const bin = path.join(fx.dir, "fake-bin");
mkdirSync(bin);
const fake = path.join(bin, "flink-profiler");
writeFileSync(
  fake,
  `#!/bin/bash
# Simulated helper: same JSON lines as the real one, no JVM.
case $1 in
  stop) echo '{"type":"stopped","pid":1,"role":"taskmanager","wasActive":false}'; exit 0 ;;
esac
d=1
while (($#)); do [[ $1 == --duration ]] && d=$2; shift; done
echo "{\\"type\\":\\"started\\",\\"pid\\":1,\\"role\\":\\"taskmanager\\",\\"event\\":\\"cpu\\",\\"duration\\":$d,\\"formats\\":[\\"collapsed\\"],\\"startedAt\\":\\"2026-11-24T06:00:00Z\\"}"
for ((i = 1; i <= d; i++)); do sleep 1; echo "{\\"type\\":\\"progress\\",\\"pid\\":1,\\"elapsed\\":$i,\\"remaining\\":$((d - i))}"; done
cat "${records}"
echo '{"type":"done","pid":1,"status":"ok"}'
`,
);
chmodSync(fake, 0o755);
for (let i = 0; i < n; i++) {
  fx.k8s.create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${CLUSTER}-taskmanager-${i}`,
      namespace: "flink",
      labels: {
        app: CLUSTER,
        "app.kubernetes.io/name": "flink",
        "app.kubernetes.io/instance": CLUSTER,
        component: "taskmanager",
      },
    },
    spec: {
      containers: [
        { name: "taskmanager", image: "flink:2.3.0", env: [{ name: "PATH", value: `${bin}:${process.env.PATH}` }] },
      ],
    },
  });
}
process.stdout.write(`${JSON.stringify({ kubeconfig: fx.kubeconfig })}\n`);
process.on("SIGTERM", () => void fx.close().then(() => process.exit(0)));
