import { describe, expect, it } from "vitest";
import { installMocks } from "./support/mocks.ts";

describe("the example program with only one prebuilt image", () => {
  it("refuses, naming both settings, before anything is created", async () => {
    process.env.PULUMI_CONFIG = JSON.stringify({ "flink-profiling:flinkImage": "local.test/flink-profiling:1" });
    await installMocks();
    await expect(import("../../components/program.ts")).rejects.toThrow(/set both flinkImage and runnerImage/);
  });
});
