// The package loaded with require(), the way Pulumi's default TypeScript programs (CommonJS) load it.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { FlinkCluster, ProfilingAccess, profilingReadySpec, operatorTarget, imageBuildPlan } = require("flink-profiling");
const { exercise } = require("./exercise.cjs");

exercise({ FlinkCluster, ProfilingAccess, profilingReadySpec, operatorTarget, imageBuildPlan }, pulumi).then(
  (result) => console.log(JSON.stringify(result)),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
