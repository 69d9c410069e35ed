// What `doctor --flink-rest` says for what it found, and its command line (the checks against real Flink,
// enabled and disabled, are in test/via-rest.test.ts).
import { describe, expect, it } from "vitest";
import { restChecks } from "../../scripts/lib/flink-rest/rest-doctor.ts";
import { parseProfileCommand } from "../../scripts/lib/profile-cli.ts";
import { checkLine } from "../../scripts/lib/cluster/doctor-checks.ts";

const URL = "http://127.0.0.1:8081";
const lines = (f: Parameters<typeof restChecks>[0]) => restChecks(f).map(checkLine).join("\n");

describe("doctor --flink-rest", () => {
  it("says --via rest works, with the duration limit", () => {
    expect(
      lines({ url: URL, version: "2.3.0", taskManagers: ["tm-1"], served: true, enabled: "true", durationMax: "12 s" }),
    ).toBe(
      `ok     Flink 2.3.0 REST API reachable at ${URL}, 1 TaskManager(s)\nok     Flink's built-in profiler is enabled: --via rest works, one profile at a time per TaskManager, up to 12 s (rest.profiling.duration-max)`,
    );
    expect(lines({ url: URL, version: "2.3.0", taskManagers: ["tm-1"], served: true, enabled: "true" })).toMatch(
      /up to 5 min \(the default/,
    );
  });

  it("fails with the setting to change when the profiler is not served, or says Flink is too old", () => {
    const off = restChecks({ url: URL, version: "2.3.0", taskManagers: ["tm-1"], served: false });
    expect(off[1]).toMatchObject({
      verdict: "fail",
      what: "--via rest cannot work here: Flink's built-in profiler is disabled on this cluster: rest.profiling.enabled is not set (default false) (Flink 2.3.0)",
    });
    expect(off[1]!.fix).toMatch(/rest\.profiling\.enabled: true/);
    expect(restChecks({ url: URL, version: "1.18.1", taskManagers: ["tm-1"], served: false })[1]!.what).toMatch(
      /Flink 1\.18\.1 has no built-in profiler/,
    );
    expect(restChecks({ url: URL, version: "2.3.0", taskManagers: [] })[1]).toMatchObject({ verdict: "notice" });
  });

  it("reads doctor --flink-rest alone, and with Kubernetes flags", () => {
    expect(parseProfileCommand(["doctor", "--flink-rest", `${URL}/`])).toMatchObject({
      kind: "doctor",
      restUrl: URL,
      kubernetes: false,
      via: "job",
    });
    expect(parseProfileCommand(["doctor", "-n", "flink", "--cluster", "orders", "--flink-rest", URL])).toMatchObject({
      restUrl: URL,
      kubernetes: true,
      choice: { by: "cluster", cluster: "orders" },
    });
    expect(parseProfileCommand(["doctor", "--via", "rest", "--flink-rest", URL])).toMatchObject({
      restUrl: URL,
      kubernetes: false,
    });
    expect(parseProfileCommand(["doctor", "-n", "flink"])).not.toHaveProperty("restUrl");
    expect(() => parseProfileCommand(["doctor", "--via", "rest"])).toThrow(/needs the JobManager's REST address/);
    expect(() => parseProfileCommand(["doctor", "--flink-rest", "ftp://x"])).toThrow(/http/);
  });
});
