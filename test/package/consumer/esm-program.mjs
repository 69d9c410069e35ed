// The package loaded as an ES module, the way an ESM Pulumi program (or a "type": "module" project) does.
import * as pulumi from "@pulumi/pulumi";
import { FlinkCluster, ProfilingAccess, profilingReadySpec, operatorTarget, imageBuildPlan } from "flink-profiling";
import exerciseModule from "./exercise.cjs";

const result = await exerciseModule.exercise({ FlinkCluster, ProfilingAccess, profilingReadySpec, operatorTarget, imageBuildPlan }, pulumi);
console.log(JSON.stringify(result));
