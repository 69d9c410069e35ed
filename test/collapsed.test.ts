import { describe, expect, it } from "vitest";
import { isWaitingFrame, parseCollapsed, readableFrame, topFrames, waitingShare } from "../scripts/lib/collapsed.ts";

const sample = [
  "java/lang/Thread.run;com/acme/Job.map_[j];java/lang/String.replace_[i] 60",
  "java/lang/Thread.run;com/acme/Job.map_[j] 20",
  "java/lang/Thread.run;com/acme/Sink.write;__GI___libc_write_[k] 15",
  "[GC Thread#0];GCTaskThread::run 5",
  "not a stack line",
  "",
].join("\n");

describe("collapsed profiles", () => {
  it("counts samples and skips lines that are not stacks", () => {
    const p = parseCollapsed(sample);
    expect(p.samples).toBe(100);
    expect(p.stacks).toHaveLength(4);
  });

  it("ranks by self time with total time beside it, as % of all samples", () => {
    const top = topFrames(parseCollapsed(sample), 3);
    expect(top).toEqual([
      { frame: "java.lang.String.replace", self: 60, total: 60 },
      { frame: "com.acme.Job.map", self: 20, total: 80 },
      { frame: "__GI___libc_write", self: 15, total: 15 },
    ]);
  });

  it("counts a recursive frame once per stack", () => {
    const top = topFrames(parseCollapsed("a/B.f;a/B.f;a/B.f 10\na/B.g 10\n"));
    expect(top.find((f) => f.frame === "a.B.f")).toEqual({ frame: "a.B.f", self: 50, total: 50 });
  });

  it("makes JVM names readable and leaves native names and thread roots alone", () => {
    expect(readableFrame("com/example/orders/OrderJsonEncoder.encode_[j]")).toBe(
      "com.example.orders.OrderJsonEncoder.encode",
    );
    expect(readableFrame("java/util/HashMap$Node.<init>_[0]")).toBe("java.util.HashMap$Node.<init>");
    expect(readableFrame("[Map -> Sink (1/2)#0 tid=42]")).toBe("[Map -> Sink (1/2)#0 tid=42]");
    expect(readableFrame("JavaThread::run")).toBe("JavaThread::run");
    expect(readableFrame("libc.so.6")).toBe("libc.so.6");
  });

  it("has nothing to rank in an empty profile", () => {
    expect(topFrames(parseCollapsed(""))).toEqual([]);
  });
});

describe("waiting threads", () => {
  const wall = [
    "[pool-1];java/lang/Thread.run;jdk/internal/misc/Unsafe.park;__futex_abstimed_wait_common 70",
    "[netty];sun/nio/ch/EPoll.wait;epoll_wait 15",
    "[blob];java/net/ServerSocket.accept;__GI_accept 5",
    "[task];com/acme/Job.map;java/lang/String.replace 10",
  ].join("\n");

  it("are counted apart and left out of the ranking, which keeps % of all samples", () => {
    const p = parseCollapsed(wall);
    expect(waitingShare(p)).toBe(90);
    expect(topFrames(p)).toEqual([{ frame: "java.lang.String.replace", self: 10, total: 10 }]);
  });

  it("are recognised by the frames JVMs and libc wait in", () => {
    for (const f of [
      "__futex_abstimed_wait_common",
      "epoll_wait",
      "__GI___clock_nanosleep",
      "pthread_cond_timedwait",
      "jdk.internal.misc.Unsafe.park",
      "java.lang.Object.wait0",
      "java.lang.Thread.sleep",
    ]) {
      expect(isWaitingFrame(f), f).toBe(true);
    }
    for (const f of [
      "java.lang.String.replace",
      "com.example.orders.OrderJsonEncoder.escape",
      "pread64",
      "__memmove_avx_unaligned",
    ]) {
      expect(isWaitingFrame(f), f).toBe(false);
    }
  });
});
