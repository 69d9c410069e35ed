// The benchmark's arithmetic, on known inputs (the numbers are worked out by hand here).
import { expect, it } from "vitest";
import { cpuTicksOf, median, spread } from "../scripts/lib/bench/bench-stats.ts";

it("reads utime + stime from /proc/PID/stat, even when the command name has spaces and parentheses", () => {
  const stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 64 0 12345 0 0";
  expect(cpuTicksOf(stat)).toBe(1750);
});

it("takes medians and half-range spreads", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  expect(spread([9, 10, 11])).toBeCloseTo(0.1);
});
