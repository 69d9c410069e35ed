/**
 * ProfilingImage: builds and pushes the profiling-ready Flink image and the profiler-runner image for
 * amd64 and arm64, and outputs digest-pinned references (`repo:tag@sha256:…`) so that a rebuilt image
 * rolls the pods that use it.
 *
 * Provider: @pulumi/docker-build (BuildKit/buildx). One `Image` builds every platform and pushes one
 * multi-arch index whose digest is an output. @pulumi/docker's `docker.Image` (v4) builds a single
 * platform per resource, so a multi-arch image would need per-arch tags plus a manifest list made
 * outside Pulumi. Needs a buildx builder that can build both platforms (the docker-container driver with
 * QEMU/binfmt, or native nodes), e.g. `docker buildx create --use`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as dockerbuild from "@pulumi/docker-build";
import { DEFAULT_FLINK_VERSION, parseFlinkVersion } from "./flink-versions.ts";
import { requireDnsLabel, requireImageReference, requireRegistry } from "./validation.ts";
import { IMAGES_DIR } from "./package-root.ts";

export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
/**
 * The same platforms as an object of constants: the component package's analyzer turns this form (and not a
 * plain union type) into an enum of its schema, so Python, Go and C# users get named values too.
 */
export const Platform = { LinuxAmd64: "linux/amd64", LinuxArm64: "linux/arm64" } as const;
export type Platform = (typeof Platform)[keyof typeof Platform];

export interface ProfilingImageArgs {
  /** Where to push, e.g. `registry.example.com:5000/team`. */
  registry: string;
  /** @default DEFAULT_FLINK_VERSION (components/flink-versions.ts) */
  flinkVersion?: string;
  /** @default `flink:<flinkVersion>` (the official image) */
  baseImage?: string;
  /** @default "flink-profiling" */
  flinkRepository?: string;
  /** @default "flink-profiler-runner" */
  runnerRepository?: string;
  /** @default ["linux/amd64", "linux/arm64"] */
  platforms?: Platform[];
  /** @default true — false builds only (useful to check a Dockerfile); then the outputs are tags, not digests */
  push?: boolean;
  /** Registry credentials, when the builder is not already logged in. */
  username?: pulumi.Input<string>;
  password?: pulumi.Input<string>;
  /** @default the `images/` folder of this package (shipped with it when installed) */
  imagesDir?: string;
}

export interface ImageBuildPlan {
  flinkImage: { context: string; tag: string; buildArgs: Record<string, string> };
  runnerImage: { context: string; tag: string };
  platforms: Platform[];
}

/** Everything the builds need, checked; no resources. */
export function imageBuildPlan(args: ProfilingImageArgs): ImageBuildPlan {
  const registry = requireRegistry("registry", args.registry);
  const version = parseFlinkVersion(args.flinkVersion ?? DEFAULT_FLINK_VERSION);
  const baseImage = requireImageReference("baseImage", args.baseImage ?? `flink:${version.id}`);
  const flinkRepository = requireDnsLabel("flinkRepository", args.flinkRepository ?? "flink-profiling");
  const runnerRepository = requireDnsLabel("runnerRepository", args.runnerRepository ?? "flink-profiler-runner");
  const platforms = args.platforms ?? [...PLATFORMS];
  if (platforms.length === 0 || !platforms.every((p) => (PLATFORMS as readonly string[]).includes(p))) {
    throw new Error(
      `platforms must be a non-empty subset of ${PLATFORMS.join(", ")}; got ${JSON.stringify(platforms)}`,
    );
  }
  const imagesDir = args.imagesDir ?? IMAGES_DIR;
  const apVersion = readFileSync(path.join(imagesDir, "flink-profiling", "async-profiler.version"), "utf8").trim();
  if (!/^\d+\.\d+(\.\d+)?$/.test(apVersion))
    throw new Error(`async-profiler.version holds ${JSON.stringify(apVersion)}, not a version`);
  const baseTag = baseImage.split("@")[0].split("/").pop()!.split(":")[1] ?? version.id;
  return {
    flinkImage: {
      context: path.join(imagesDir, "flink-profiling"),
      tag: requireImageReference("flink image tag", `${registry}/${flinkRepository}:${baseTag}-ap${apVersion}`),
      buildArgs: { FLINK_IMAGE: baseImage, ASYNC_PROFILER_VERSION: apVersion },
    },
    runnerImage: {
      context: path.join(imagesDir, "profiler-runner"),
      tag: requireImageReference("runner image tag", `${registry}/${runnerRepository}:latest`),
    },
    platforms,
  };
}

export class ProfilingImage extends pulumi.ComponentResource {
  /** The profiling-ready Flink image, `repo:tag@sha256:…` when pushed. */
  readonly flinkImage: pulumi.Output<string>;
  /** The profiler-runner image for the profiling Job. */
  readonly runnerImage: pulumi.Output<string>;

  constructor(name: string, args: ProfilingImageArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = imageBuildPlan(args);
    const push = args.push ?? true;
    super("flink-profiling:index:ProfilingImage", name, {}, opts);
    const address = args.registry.split("/")[0];
    const registries =
      args.username !== undefined && args.password !== undefined
        ? [{ address, username: args.username, password: pulumi.secret(args.password) }]
        : undefined;

    const build = (part: string, context: string, tag: string, buildArgs?: Record<string, string>) => {
      const image = new dockerbuild.Image(
        `${name}-${part}`,
        {
          context: { location: context },
          dockerfile: { location: path.join(context, "Dockerfile") },
          platforms: plan.platforms as dockerbuild.Platform[],
          buildArgs,
          tags: [tag],
          push,
          registries,
        },
        { parent: this },
      );
      // The digest names exactly what was built; the tag alone could move.
      return push ? pulumi.interpolate`${tag}@${image.digest}` : pulumi.output(tag);
    };
    this.flinkImage = build("flink", plan.flinkImage.context, plan.flinkImage.tag, plan.flinkImage.buildArgs);
    this.runnerImage = build("runner", plan.runnerImage.context, plan.runnerImage.tag);
    this.registerOutputs({ flinkImage: this.flinkImage, runnerImage: this.runnerImage });
  }
}
