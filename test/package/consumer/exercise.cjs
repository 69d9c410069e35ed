// Shared by the ESM and the CommonJS program: each only differs in how it loads the package, which is what
// the consumer test checks. Under Pulumi's mocks it declares what a platform team would, then prints one
// JSON line: the resource types registered, and a few values that prove the package's code really ran.
"use strict";

/** `lib` is the package as the caller loaded it; `pulumi` is the consumer's own @pulumi/pulumi. */
async function exercise(lib, pulumi) {
  const registered = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args.type);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "consumer",
    "test",
    false,
  );
  const runnerImage = "registry.example.com/flink-profiler-runner:latest@sha256:" + "a".repeat(64);
  const cluster = new lib.FlinkCluster("demo", {
    namespace: "flink", flinkVersion: "2.1", image: "registry.example.com/flink-profiling:2.1", runnerImage,
    taskManagers: 2, users: ["alice"],
  });
  new lib.ProfilingAccess("orders", { namespace: "analytics", target: lib.operatorTarget("orders"), runnerImage, users: ["bob"] });
  const spec = lib.profilingReadySpec({}, { image: "registry.example.com/flink-profiling:1.20", flinkVersion: "1.20" });
  // An Output of the component resolves only when the mocked engine ran its code.
  const templateJson = await new Promise((resolve) => cluster.access.templateJson.apply(resolve));
  // The image builder's plan reads images/ from inside the installed package.
  const plan = lib.imageBuildPlan({ registry: "registry.example.com/team" });
  await quiet(registered);
  return {
    types: [...new Set(registered)].sort(), restService: cluster.restServiceName, runnerInTemplate: JSON.parse(templateJson).runnerImage,
    operatorVersion: spec.flinkVersion, flinkContext: plan.flinkImage.context,
  };
}

/** Resolves once no resource has been registered for a few event-loop turns. */
async function quiet(list) {
  let last = -1;
  for (let still = 0; still < 5; still = list.length === last ? still + 1 : 0) {
    last = list.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

module.exports = { exercise };
