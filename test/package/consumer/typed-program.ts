// A TypeScript consumer (a CommonJS file: its package.json has no "type"), only type-checked, twice: with
// tsconfig.json (module commonjs, classic node resolution, as Pulumi's TypeScript programs are often set up) and
// with tsconfig.nodenext.json (exports map, require of the ES module package, lib check on).
import * as pulumi from "@pulumi/pulumi";
import { FlinkCluster, ProfilingAccess, profilingReadySpec, operatorTarget, type FlinkClusterArgs } from "flink-profiling";
import { renderProfilingJob } from "flink-profiling/profiling-job";

const args: FlinkClusterArgs = { namespace: "flink", image: "registry.example.com/flink-profiling:2.1", runnerImage: "runner:1" };
const cluster = new FlinkCluster("demo", args);
new ProfilingAccess("orders", { namespace: "analytics", target: operatorTarget("orders"), runnerImage: pulumi.output("runner:1") });
const spec = profilingReadySpec({}, { image: "flink:1.20", flinkVersion: "1.20" });
export const restService: string = cluster.restServiceName;
export const template: pulumi.Output<string> = cluster.access.templateJson;
export const version: string | undefined = spec.flinkVersion;
export const render: typeof renderProfilingJob = renderProfilingJob;
