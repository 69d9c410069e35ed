import { describe, expect, it } from "vitest";
import { parseProfileCommand } from "../scripts/lib/profile-cli.ts";
import { UsageError, helperArgs } from "../scripts/lib/profile-options.ts";

const usage = (argv: string[]) => {
  try {
    parseProfileCommand(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return { message: (err as UsageError).message, hint: (err as UsageError).hint };
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
};

describe("profile.mjs command line", () => {
  it("has sensible defaults", () => {
    const cmd = parseProfileCommand(["--local"]);
    expect(cmd).toEqual({
      kind: "local",
      pids: [],
      outputDir: "profiles",
      json: false,
      settings: {
        duration: 60,
        event: "cpu",
        formats: ["html"],
        interval: undefined,
        threads: false,
        include: [],
        exclude: [],
        extraArgs: [],
      },
    });
  });

  it("reads every flag, repeated ones and asprof's after --", () => {
    const cmd = parseProfileCommand([
      "--local",
      "--pid",
      "12",
      "--pid",
      "34",
      "-d",
      "15",
      "-e",
      "WALL",
      "-i",
      "5ms",
      "-t",
      "-I",
      "com/acme/*",
      "-X",
      "*Idle*",
      "--format",
      "html,collapsed,html",
      "-o",
      "/tmp/x",
      "--json",
      "--",
      "--cstack",
      "vm",
    ]);
    if (cmd.kind !== "local") throw new Error("expected local");
    expect(cmd.pids).toEqual([12, 34]);
    expect(cmd.settings).toMatchObject({
      duration: 15,
      event: "wall",
      interval: "5ms",
      threads: true,
      formats: ["html", "collapsed"],
    });
    expect(cmd.settings.extraArgs).toEqual(["--cstack", "vm"]);
    // The helper records the one file both formats are made from here: collapsed with asprof's frame kinds (-a).
    expect(helperArgs(cmd.settings)).toEqual([
      "--duration",
      "15",
      "--event",
      "wall",
      "--format",
      "collapsed",
      "--progress-every",
      "1",
      "--interval",
      "5ms",
      "--threads",
      "--include",
      "com/acme/*",
      "--exclude",
      "*Idle*",
      "--",
      "--cstack",
      "vm",
      "-a",
    ]);
    // A Job's limit on its records is the helper's own option, so it goes before the asprof arguments.
    const job = helperArgs(cmd.settings, { maxRecordsBytes: 8 << 20 });
    expect(job.slice(job.indexOf("--max-records-size"), job.indexOf("--max-records-size") + 2)).toEqual([
      "--max-records-size",
      "8388608",
    ]);
    expect(job.indexOf("--max-records-size")).toBeLessThan(job.indexOf("--"));
  });

  it("keeps shell metacharacters as plain argument values", () => {
    const evil = "*;$(touch /tmp/pwned)`id`'\"|&";
    const cmd = parseProfileCommand(["--local", "-I", evil]);
    if (cmd.kind !== "local") throw new Error("expected local");
    expect(helperArgs(cmd.settings)).toContain(evil);
  });

  it.each([
    [["--local", "-d", "0"], /out of range/],
    [["--local", "-d", "-5"], /not a whole number|out of range|ambiguous/],
    [["--local", "-d", "99999"], /out of range/],
    [["--local", "-d", "1.5"], /not a whole number/],
    [["--local", "-d", "abc"], /not a whole number/],
    [["--local", "-e", "cycles"], /unknown event/],
    [["--local", "--format", "svg"], /unknown format "svg"/],
    [["--local", "--format", ""], /no output format/],
    [["--local", "-i", "fast"], /interval/],
    [["--local", "--pid", "x1"], /not a process id/],
    [["--local", "--bogus"], /Unknown option/],
    [["--local", "stray"], /unexpected argument "stray"/],
    [[], /no target given/],
    [["--local", "-n", "flink"], /Kubernetes flags do not apply/],
    [["-n", "Flink_NS", "--cluster", "orders"], /not a valid Kubernetes namespace/],
    [["-n", "flink", "--cluster", "Orders!"], /not a valid Flink cluster id/],
    [["-n", "flink", "--cluster", "a", "--pod", "b"], /different ways/],
    [["-n", "flink"], /no TaskManagers chosen/],
    [["-n", "flink", "--pod", "a;rm -rf /"], /not a valid pod name/],
    [["-n", "flink", "--cluster", "a", "--via", "ssh"], /--via "ssh"/],
    [["-n", "flink", "--cluster", "a", "--concurrency", "0"], /concurrency/],
    [["-n", "flink", "--cluster", "a", "--start-timeout", "soon"], /start-timeout/],
    [["-n", "flink", "--cluster", "a", "--start-timeout", "1e3"], /start-timeout "1e3" is out of range/],
    [["-n", "flink", "--cluster", "a", "--concurrency", "0x10"], /concurrency "0x10" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-result-mib", "0"], /max-result-mib "0" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-result-mib", "1.5"], /max-result-mib "1.5" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-result-mib", "2000"], /max-result-mib "2000" is out of range/],
    [["-n", "flink", "--cluster", "a", "--via", "exec", "--max-result-mib", "4"], /--via exec streams without one/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", "0"], /max-file-mib "0" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", "1025"], /max-file-mib "1025" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", "0x10"], /max-file-mib "0x10" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", "1e3"], /max-file-mib "1e3" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", "2.5"], /max-file-mib "2.5" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", "-1"], /max-file-mib "-1" is out of range/],
    [["-n", "flink", "--cluster", "a", "--max-file-mib", ""], /max-file-mib "" is out of range/],
    [["--local", "--max-file-mib", "64"], /Kubernetes flags do not apply/],
    [["-n", "flink", "--cluster", "a", "--pid", "3"], /--pid is for --local/],
    [["-n", "flink", "--cluster", "a", "--context", ""], /--context is empty/],
    [["-n", "flink", "-l", ""], /selector is empty/],
    [["cleanup", "-n", "flink", "--run", "Bad Run"], /not a run id/],
  ])("refuses %j with a message and a hint", (argv, message) => {
    const { message: m, hint } = usage(argv as string[]);
    expect(m).toMatch(message);
    expect(hint.length).toBeGreaterThan(5);
  });

  it("reads the cluster mode with kubectl's own flags", () => {
    const cmd = parseProfileCommand([
      "-n",
      "flink",
      "--cluster",
      "orders",
      "--context",
      "prod",
      "--kubeconfig",
      "/k/c",
      "-d",
      "30",
      "--keep",
      "--dry-run",
      "--via",
      "exec",
      "--concurrency",
      "8",
      "--json",
      "-o",
      "out",
    ]);
    expect(cmd).toEqual({
      kind: "cluster",
      kube: { namespace: "flink", context: "prod", kubeconfig: "/k/c" },
      choice: { by: "cluster", cluster: "orders" },
      settings: {
        duration: 30,
        event: "cpu",
        formats: ["html"],
        interval: undefined,
        threads: false,
        include: [],
        exclude: [],
        extraArgs: [],
      },
      outputDir: "out",
      json: true,
      keep: true,
      dryRun: true,
      via: "exec",
      concurrency: 8,
      startTimeout: 120,
      maxResultMiB: 8,
      maxFileMiB: 256,
    });
    const pods = parseProfileCommand(["--pod", "tm-0", "--pod", "tm-1", "--pod", "tm-0"]);
    expect(pods).toMatchObject({
      kind: "cluster",
      kube: {},
      choice: { by: "pods", pods: ["tm-0", "tm-1"] },
      via: "job",
      concurrency: 32,
      keep: false,
    });
    // Numbers are decimal, leading zeros too (never octal), as in the helper.
    expect(
      parseProfileCommand(["-n", "f", "--cluster", "a", "--concurrency", "010", "--start-timeout", "0090"]),
    ).toMatchObject({ concurrency: 10, startTimeout: 90 });
    expect(parseProfileCommand(["-l", "app=orders,component in (taskmanager)"])).toMatchObject({
      choice: { by: "selector", selector: "app=orders,component in (taskmanager)" },
    });
  });

  // Numbers are decimal everywhere: leading zeros are read as decimal, never octal.
  it.each([
    [["--via", "job"], 512, 512],
    [["--via", "exec"], "0064", 64],
    [[], "1024", 1024],
    [[], " 1 ", 1],
  ])("reads --max-file-mib %j %j as %d MiB, for either way in", (via, value, mib) => {
    const cmd = parseProfileCommand(["-n", "flink", "--cluster", "a", ...via, "--max-file-mib", String(value)]);
    expect(cmd).toMatchObject({ kind: "cluster", maxFileMiB: mib });
  });

  it("reads the doctor and cleanup subcommands", () => {
    expect(parseProfileCommand(["doctor", "-n", "flink", "--cluster", "orders"])).toEqual({
      kind: "doctor",
      kube: { namespace: "flink" },
      choice: { by: "cluster", cluster: "orders" },
      via: "job",
    });
    expect(parseProfileCommand(["doctor", "--context", "dev"])).toEqual({
      kind: "doctor",
      kube: { context: "dev" },
      choice: undefined,
      via: "job",
    });
    expect(parseProfileCommand(["cleanup", "-n", "flink", "--run", "20261124-060509-3fa9"])).toEqual({
      kind: "cleanup",
      kube: { namespace: "flink" },
      runId: "20261124-060509-3fa9",
      dryRun: false,
    });
  });

  it("asks for help", () => {
    expect(parseProfileCommand(["--help"])).toEqual({ kind: "help" });
  });
});

describe("asprof options after --", () => {
  it.each([
    [["--", "--total", "inspectheap"], /may not pass through/],
    [["--", "--libpath", "/x"], /may not pass through/],
    [["--", "-f", "/tmp/x"], /may not pass through/],
    [["--", "--title"], /needs a value/],
    [["--", "--title", "a,file=/tmp/x"], /comma/],
    [["-I", "a,b"], /comma/],
  ])("refuses %j before anything starts", (args, message) => {
    expect(usage(["--local", ...(args as string[])]).message).toMatch(message);
  });
});

describe("operators and --operator", () => {
  const jid = "c696184b331cc8d53fc1e0062332fa9d";
  it("reads the operators command and --operator on a local run (which turns on per-thread stacks)", () => {
    expect(
      parseProfileCommand([
        "operators",
        "--flink-rest",
        "http://127.0.0.1:8081/",
        "--job",
        jid.toUpperCase(),
        "--json",
      ]),
    ).toEqual({ kind: "operators", restUrl: "http://127.0.0.1:8081", jobId: jid, json: true });
    expect(parseProfileCommand(["operators", "--flink-rest", "http://h:1"])).toEqual({
      kind: "operators",
      restUrl: "http://h:1",
      json: false,
    });
    const cmd = parseProfileCommand([
      "--local",
      "--flink-rest",
      "http://127.0.0.1:8081",
      "--operator",
      "Parse -> Score",
      "--tms",
      "2",
      "-d",
      "5",
    ]);
    expect(cmd).toMatchObject({
      kind: "local",
      operator: { restUrl: "http://127.0.0.1:8081", spec: "Parse -> Score", tms: 2 },
      settings: { threads: true, duration: 5 },
    });
    expect(
      parseProfileCommand([
        "--local",
        "--pid",
        "42",
        "--flink-rest",
        "http://h:1",
        "--operator",
        "busiest",
        "--job",
        jid,
      ]),
    ).toMatchObject({ pids: [42], operator: { spec: "busiest", jobId: jid, tms: 3 } });
    expect((parseProfileCommand(["--local"]) as { operator?: unknown }).operator).toBeUndefined();
  });

  it("parses --operator on a cluster run: per-thread stacks, the REST Service as the pods see it", () => {
    const cmd = parseProfileCommand([
      "-n",
      "flink",
      "--cluster",
      "orders",
      "--operator",
      "Score",
      "--tms",
      "2",
      "--rest-service",
      "orders-rest:9081",
    ]);
    expect(cmd).toMatchObject({
      kind: "cluster",
      operator: { spec: "Score", tms: 2, restUrl: "http://orders-rest:9081" },
      settings: { threads: true },
    });
    const plain = parseProfileCommand(["-n", "flink", "--cluster", "orders", "--operator", "busiest"]);
    expect(plain).toMatchObject({ operator: { spec: "busiest", tms: 3 } });
    expect((plain as { operator?: { restUrl?: string } }).operator?.restUrl).toBeUndefined();
    expect(parseProfileCommand(["-n", "flink", "--cluster", "orders"])).toMatchObject({ settings: { threads: false } });
  });

  it.each([
    [["operators"], /needs --flink-rest/],
    [["operators", "--flink-rest", "localhost:8081"], /not a URL|http/],
    [["operators", "--flink-rest", "http://h:1", "--job", "123"], /not a Flink job id/],
    [["operators", "--flink-rest", "http://h:1", "-d", "5"], /does not apply/],
    [["operators", "--flink-rest", "http://h:1", "--operator", "busiest"], /for a profile run/],
    [["--local", "--operator", "busiest"], /needs --flink-rest/],
    [["--local", "--flink-rest", "http://h:1"], /is for --operator/],
    [["--local", "--flink-rest", "http://h:1", "--operator", ""], /empty/],
    [["--local", "--flink-rest", "http://h:1", "--operator", "a\nb"], /control characters/],
    [["--local", "--flink-rest", "http://h:1", "--operator", "x", "--tms", "0"], /--tms/],
    [["--local", "--flink-rest", "http://h:1", "--operator", "x", "--tms", "2", "--pid", "4"], /--pid chooses the JVM/],
    [
      ["-n", "flink", "--cluster", "c", "--flink-rest", "http://h:1", "--operator", "x"],
      /read from inside a TaskManager/,
    ],
    [["-n", "flink", "--cluster", "c", "--operator", "x", "--dry-run"], /cannot be combined with --dry-run/],
    [["-n", "flink", "--cluster", "c", "--operator", "x", "--via", "exec"], /cannot be combined with --via exec/],
    [["-n", "flink", "--cluster", "c", "--tms", "2"], /is for --operator/],
    [["-n", "flink", "--cluster", "c", "--operator", "x", "--rest-service", "a b"], /is not HOST\[:PORT\]/],
    [
      ["--local", "--flink-rest", "http://h:1", "--operator", "x", "--rest-service", "h:1"],
      /--local reads --flink-rest/,
    ],
    [["doctor", "-n", "flink", "--operator", "x"], /doctor does not take --job, --operator, --tms or --rest-service/],
    [["cleanup", "--job", jid], /cleanup does not take --job/],
  ])("refuses %j", (argv, message) => {
    const e = usage(argv as string[]);
    expect(e.message).toMatch(message);
    expect(e.hint.length).toBeGreaterThan(5);
  });
});
