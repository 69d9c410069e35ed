// Which file the helper sends and the converter options that make the other formats from it. Pure: the
// expected values are written out by hand from async-profiler's and jfrconv's documented options.
import { describe, expect, it } from "vitest";
import type { ProfileSettings } from "../scripts/lib/profile-options.ts";
import {
  converterOptions,
  globToRegex,
  needsConverter,
  sourceExtraArgs,
  sourceFormat,
  stripFrameKinds,
} from "../scripts/lib/source-format.ts";

const settings = (over: Partial<ProfileSettings> = {}): ProfileSettings => ({
  duration: 10,
  event: "cpu",
  formats: ["html"],
  threads: false,
  include: [],
  exclude: [],
  extraArgs: [],
  ...over,
});

describe("the one file that travels", () => {
  it.each([
    [["html"], "collapsed"],
    [["collapsed"], "collapsed"],
    [["html", "collapsed"], "collapsed"],
    [["jfr"], "jfr"],
    [["html", "jfr"], "jfr"],
    [["collapsed", "html", "jfr"], "jfr"],
  ] as const)("%j -> %s", (formats, source) => {
    expect(sourceFormat([...formats])).toBe(source);
  });

  it("needs the converter for anything but collapsed alone", () => {
    expect(needsConverter(["collapsed"])).toBe(false);
    expect(needsConverter(["html"])).toBe(true);
    expect(needsConverter(["jfr"])).toBe(true); // the top frames come from collapsed stacks
  });

  it("asks asprof for frame kinds on a collapsed source, once", () => {
    expect(sourceExtraArgs(settings({ extraArgs: ["--cstack", "vm"] }))).toEqual(["--cstack", "vm", "-a"]);
    expect(sourceExtraArgs(settings({ extraArgs: ["--ann"] }))).toEqual(["--ann"]);
    expect(sourceExtraArgs(settings({ formats: ["jfr"], extraArgs: ["-s"] }))).toEqual(["-s"]);
  });
});

describe("frame kinds", () => {
  it("drops _[j] _[i] _[0] _[1] at the end of frames and keeps kernel frames' _[k]", () => {
    const annotated = [
      "java/lang/Thread.run_[0];com/example/orders/OrderJsonEncoder.encode_[j];java/lang/StringBuilder.append_[i] 12",
      "[tm thread];com/x/Y.z_[1];do_syscall_64_[k] 3",
      "weird_[j]_name;a/B.c_[j] 1",
    ].join("\n");
    expect(stripFrameKinds(annotated)).toBe(
      [
        "java/lang/Thread.run;com/example/orders/OrderJsonEncoder.encode;java/lang/StringBuilder.append 12",
        "[tm thread];com/x/Y.z;do_syscall_64_[k] 3",
        "weird_[j]_name;a/B.c 1",
      ].join("\n"),
    );
  });
});

describe("converter options", () => {
  it("turns asprof's globs into whole-frame regular expressions", () => {
    expect(globToRegex("*OrderJsonEncoder.encode*")).toBe("^.*OrderJsonEncoder\\.encode.*$");
    expect(globToRegex("com/acme/$Proxy(1)")).toBe("^com/acme/\\$Proxy\\(1\\)$");
  });

  it("reads a recording for the event really profiled, with threads, filters and naming", () => {
    const s = settings({
      formats: ["html", "jfr"],
      threads: true,
      include: ["*encode*"],
      exclude: ["*Idle*"],
      extraArgs: ["-s", "--title", "orders", "--simple"],
    });
    expect(converterOptions("collapsed", "jfr", s, "ctimer")).toEqual([
      "-o",
      "collapsed",
      "--cpu",
      "--threads",
      "--include",
      "^.*encode.*$",
      "--exclude",
      "^.*Idle.*$",
      "--simple",
    ]);
    expect(converterOptions("html", "jfr", settings({ event: "wall" }), "wall")).toEqual(["-o", "html", "--wall"]);
    expect(converterOptions("html", "jfr", s, "cpu")).toEqual([
      "-o",
      "html",
      "--cpu",
      "--threads",
      "--include",
      "^.*encode.*$",
      "--exclude",
      "^.*Idle.*$",
      "--simple",
      "--title",
      "orders",
    ]);
  });

  it("draws collapsed stacks as asprof drew them: its threads and filters are already in them", () => {
    const s = settings({
      threads: true,
      include: ["*x*"],
      extraArgs: ["--minwidth", "0.5", "--title", "a", "--title", "b"],
    });
    expect(converterOptions("html", "collapsed", s, "cpu")).toEqual([
      "-o",
      "html",
      "--title",
      "b",
      "--minwidth",
      "0.5",
    ]);
  });
});
