import { describe, expect, it } from "vitest";
import { installMocks, settle } from "./support/mocks.ts";

describe("the example program with push: false", () => {
  it("refuses to deploy images that were never pushed, saying what to do, before anything is created", async () => {
    process.env.PULUMI_CONFIG = JSON.stringify({
      "flink-profiling:registry": "registry.example.com/team",
      "flink-profiling:push": "false",
    });
    await installMocks();
    await expect(import("../../components/program.ts")).rejects.toThrow(
      /push: false builds images that the cluster's nodes cannot pull.*set flinkImage and runnerImage/,
    );
    expect(await settle()).toEqual([]);
  });
});
