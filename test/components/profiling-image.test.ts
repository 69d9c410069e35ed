import { readFileSync } from "node:fs";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installMocks, ofType, promiseOf, reset, settle } from "./support/mocks.ts";
import { ProfilingImage, imageBuildPlan } from "../../components/profiling-image.ts";
import { isImageReference } from "../../components/validation.ts";

const repo = (p: string) => new URL(`../../${p}`, import.meta.url);
const apVersion = readFileSync(repo("images/flink-profiling/async-profiler.version"), "utf8").trim();

beforeAll(installMocks);
beforeEach(reset);

describe("ProfilingImage", () => {
  it("builds both images for amd64 and arm64 and outputs digest-pinned references", async () => {
    const images = new ProfilingImage("img", { registry: "registry.example.com:5000/team", flinkVersion: "1.20" });
    const [flink, runner] = await Promise.all([promiseOf(images.flinkImage), promiseOf(images.runnerImage)]);
    const builds = ofType(await settle(), "docker-build:index:Image");
    expect(builds).toHaveLength(2);
    for (const b of builds) {
      expect(b.inputs.platforms).toEqual(["linux/amd64", "linux/arm64"]);
      expect(b.inputs.push).toBe(true);
    }
    const flinkBuild = builds.find((b) => b.name === "img-flink")!;
    expect(flinkBuild.inputs.buildArgs).toEqual({ FLINK_IMAGE: "flink:1.20", ASYNC_PROFILER_VERSION: apVersion });
    expect(flinkBuild.inputs.context.location).toMatch(/images\/flink-profiling$/);
    expect(flinkBuild.inputs.tags).toEqual([`registry.example.com:5000/team/flink-profiling:1.20-ap${apVersion}`]);
    for (const ref of [flink, runner]) {
      expect(ref).toMatch(/^registry\.example\.com:5000\/team\/[a-z-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
      expect(isImageReference(ref)).toBe(true);
    }
    expect(flink).not.toBe(runner);
  });

  it("outputs plain tags when not pushing, and honours a chosen platform and base image", async () => {
    const images = new ProfilingImage("img", {
      registry: "localhost:5000",
      flinkVersion: "2.1",
      platforms: ["linux/arm64"],
      push: false,
      baseImage: "flink:2.1-java21",
    });
    expect(await promiseOf(images.flinkImage)).toBe(`localhost:5000/flink-profiling:2.1-java21-ap${apVersion}`);
    const builds = ofType(await settle(), "docker-build:index:Image");
    expect(builds.map((b) => b.inputs.platforms)).toEqual([["linux/arm64"], ["linux/arm64"]]);
    expect(builds.find((b) => b.name === "img-flink")!.inputs.buildArgs.FLINK_IMAGE).toBe("flink:2.1-java21");
  });

  it.each([
    [{ registry: "https://registry.example.com" }, /registry must be a registry host/],
    [{ registry: "r.example.com", flinkVersion: "9.9" }, /unknown Flink version/],
    [{ registry: "r.example.com", baseImage: "Flink:Latest" }, /baseImage is not a valid image reference/],
    [{ registry: "r.example.com", platforms: ["linux/s390x"] }, /platforms must be/],
  ])("refuses %o before building anything", async (args, message) => {
    expect(() => new ProfilingImage("img", args as any)).toThrow(message);
    expect(await settle()).toEqual([]);
  });
});

describe("the image sources agree with each other", () => {
  const dockerfile = readFileSync(repo("images/flink-profiling/Dockerfile"), "utf8");
  const table = readFileSync(repo("images/flink-profiling/async-profiler.sha256"), "utf8");

  it("pins the same async-profiler version in the Dockerfile default, the version file and the checksum table", () => {
    expect(dockerfile).toMatch(new RegExp(`^ARG ASYNC_PROFILER_VERSION=${apVersion.replace(".", "\\.")}$`, "m"));
    for (const arch of ["x64", "arm64"]) {
      expect(table).toMatch(
        new RegExp(`^[0-9a-f]{64}  async-profiler-${apVersion.replace(".", "\\.")}-linux-${arch}\\.tar\\.gz$`, "m"),
      );
    }
    expect(imageBuildPlan({ registry: "r.example.com" }).flinkImage.buildArgs.ASYNC_PROFILER_VERSION).toBe(apVersion);
  });

  it("leaves the final stage's user and behaviour as the base image had them", () => {
    const finalStage = dockerfile.split(/^FROM /m).pop()!;
    expect(finalStage.startsWith("${FLINK_IMAGE}")).toBe(true);
    expect(finalStage).not.toMatch(/^(USER|ENV|ENTRYPOINT|CMD|WORKDIR|RUN)\b/m);
    expect(finalStage).toMatch(/^COPY --from=install \/staging\/opt\/async-profiler \/opt\/async-profiler$/m);
  });

  it("runs the profiler-runner as a numeric non-root user with a pinned, checksummed kubectl", () => {
    const runner = readFileSync(repo("images/profiler-runner/Dockerfile"), "utf8");
    expect(runner).toMatch(/^USER 65532:65532$/m);
    expect(runner).toMatch(/^ARG KUBECTL_VERSION=v\d+\.\d+\.\d+$/m);
    expect(runner.match(/ADD --checksum=sha256:[0-9a-f]{64}/g)).toHaveLength(2);
  });
});
