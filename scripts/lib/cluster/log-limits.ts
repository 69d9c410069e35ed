// How much of a TaskManager's stream profile.mjs reads before it gives up on it: no more than an honest
// helper can send, so a forged or runaway stream (a compromised image, a helper bug) cannot make it use
// unbounded memory. Each bound is the result's records plus a margin for the event lines around them.
import { HELPER_LIMITS } from "../../../components/helper-contract.ts";
import { maxEncodedLength } from "../transport.ts";
import { MIB } from "./cluster-cli.ts";
import { logTooLargeProblem, type Problem, type ProblemContext } from "./wording.ts";

export interface LogLimit {
  bytes: number;
  /** What to say when a stream passes `bytes`. */
  problem: (ctx: ProblemContext) => Problem;
}

/**
 * The lines around the records: ≤ 3601 progress events (duration ≤ 3600 s, one a second, 69 bytes each
 * with a 10-digit pid: < 250 KiB), the started, done, result and notice events (a few KiB with a long
 * path), and what asprof and kubectl print on stderr, which shares a Job's log (a few lines). 1 MiB
 * leaves more than 700 KiB to spare.
 */
export const EVENT_MARGIN_BYTES = MIB;

/**
 * A Job's log: the helper refuses a result whose records, by its own count (records_size in
 * images/flink-profiling/lib/transport.sh), pass --max-records-size. That count gives each chunk line 48
 * bytes besides its data; a real one takes 44 plus its sequence number's digits, so from chunk 10^4 on
 * the count is short by 1 to 3 bytes a line of more than 2,944 bytes: less than 1/900 of the records
 * (0.58 MiB at --max-result-mib 1024). A 512th of the limit covers it; the file and end records fit in
 * the count's 256 bytes plus twice the name.
 * Default: 8 MiB + 16 KiB + 1 MiB = 9,453,568 bytes, still under the kubelet's 10 MiB log rotation.
 */
export function jobLogLimit(maxResultMiB: number): LogLimit {
  const records = maxResultMiB * MIB;
  const bytes = records + Math.ceil(records / 512) + EVENT_MARGIN_BYTES;
  return {
    bytes,
    problem: (ctx) => logTooLargeProblem(ctx, { via: "job", mib: mib(bytes), maxResultMiB }),
  };
}

/**
 * `--via exec`: no records limit is asked of the helper, so the bound is what one file of --max-file-mib
 * takes as records: its base64 at most (maxEncodedLength), one chunk line of ≤ 64 bytes besides the data
 * for each 2,944 characters of it, 4 KiB for the file and end records (a name of 255 bytes, escaped),
 * and the event margin. Default 256 MiB: 361,494,447 + 122,791 × 64 + 4,096 + 1 MiB = 370,405,743 bytes.
 */
export function execOutputLimit(maxFileMiB: number): LogLimit {
  const encoded = maxEncodedLength(maxFileMiB * MIB);
  const bytes = encoded + Math.ceil(encoded / HELPER_LIMITS.chunkChars) * 64 + 4096 + EVENT_MARGIN_BYTES;
  return {
    bytes,
    problem: (ctx) => logTooLargeProblem(ctx, { via: "exec", mib: mib(bytes), maxFileMiB }),
  };
}

/**
 * The Jobs that send no profile (stop, doctor's checks, the rest action) write a few KiB, the rest action's
 * answers a few MiB for a large job; the kubelet's log rotation (10 MiB by default) bounds them anyway.
 */
export const OTHER_JOB_LOG_LIMIT: LogLimit = {
  bytes: 64 * MIB,
  problem: (ctx) => logTooLargeProblem(ctx, { via: "other", mib: mib(64 * MIB) }),
};

const mib = (bytes: number) => (bytes / MIB).toFixed(1);
