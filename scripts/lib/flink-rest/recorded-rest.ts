// A FlinkRest that answers from the records of the helper's `rest` action (images/flink-profiling/README.md):
// in a cluster the JobManager's answers are read from inside a TaskManager and come back in a profiling
// Job's log, so that nobody needs a right to reach the REST API itself. Pure: records in, answers out.
import type { RestRecord } from "../helper-events.ts";
import { HintedError } from "../profile-options.ts";
import { FlinkRestError, type FlinkRest } from "./http.ts";

export function recordedRest(records: readonly RestRecord[], origin: string): FlinkRest {
  const byPath = new Map(records.map((r) => [r.path, r]));
  const answer = (path: string): RestRecord => {
    const r = byPath.get(path);
    if (!r) {
      throw new HintedError(
        `the TaskManager read no answer for GET ${path} from ${origin}`,
        "the helper's rest action reads a fixed set of paths: update the image if profile.mjs is newer than it",
      );
    }
    if (r.status !== 200) {
      let errors: string[] = [];
      try {
        errors = (JSON.parse(r.body) as { errors?: string[] }).errors ?? [];
      } catch {
        if (r.body) errors = [r.body.slice(0, 200)];
      }
      throw new FlinkRestError(
        "GET",
        origin + path,
        r.status,
        errors,
        "see Flink's message; the JobManager's log has the details",
      );
    }
    return r;
  };
  const notHere = (what: string) =>
    new HintedError(
      `${what} is not read through a TaskManager`,
      "only the operators' load is; use --flink-rest URL for the rest",
    );
  return {
    baseUrl: origin,
    async getJson<T>(path: string) {
      const r = answer(path);
      try {
        return JSON.parse(r.body) as T;
      } catch {
        throw new HintedError(
          `the answer for GET ${path} from ${origin} is not JSON`,
          "check that the address is the JobManager's REST endpoint",
        );
      }
    },
    async postJson() {
      throw notHere("a POST");
    },
    async getBytes(path: string) {
      throw notHere(`GET ${path} as bytes`);
    },
  };
}
