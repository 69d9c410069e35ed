// Hints of the helper, said in the options and commands of profile.mjs (issue 11, finding 8).
import { describe, expect, it } from "vitest";
import { inProfileMjsTerms } from "../scripts/lib/helper-hints.ts";

const HELPER = "/clone/images/flink-profiling/bin/flink-profiler";

describe("inProfileMjsTerms", () => {
  it.each([
    ["choose a writable --output-dir", "choose a writable -o"],
    ["run flink-profiler --help for usage", "run zx scripts/profile.mjs --help for usage"],
    ["stop it with: flink-profiler stop --pid 42", `stop it with: ${HELPER} stop --pid 42`],
    [
      "wait for that profile to end or run: flink-profiler stop --pid 42",
      `wait for that profile to end or run: ${HELPER} stop --pid 42`,
    ],
    ["check the pid with: flink-profiler list", `check the pid with: ${HELPER} list`],
    [
      "run flink-profiler as the JVM's user (uid 9999) or as root",
      "run profile.mjs as the JVM's user (uid 9999) or as root",
    ],
    ["choose another --name", "move the file of that name away, or choose another -o"],
    ["choose one with --pid", "choose one with --pid"],
  ])("local: %j", (hint, expected) => {
    expect(inProfileMjsTerms(hint, "local", HELPER)).toBe(expected);
  });

  it("cluster: -o is not the helper's output directory (the template's is), and commands for inside the container stay", () => {
    expect(inProfileMjsTerms("make /x writable by uid 9999 or choose another --output-dir", "cluster", HELPER)).toBe(
      "make /x writable by uid 9999 or choose another --output-dir",
    );
    expect(inProfileMjsTerms("run flink-profiler --help for usage", "cluster", HELPER)).toBe(
      "run zx scripts/profile.mjs --help for usage",
    );
    expect(inProfileMjsTerms("stop it with: flink-profiler stop --pid 1", "cluster", HELPER)).toBe(
      "stop it with: flink-profiler stop --pid 1",
    );
  });
});
