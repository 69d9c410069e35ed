// Said on Ctrl-C of a `--via rest` run, by profile-main.ts and builtin-profiler.ts alike (a module of its
// own so that profile-main.ts need not load the REST driver to say it).
export const NO_CANCEL =
  "the profile keeps running in Flink until its duration ends (Flink's built-in profiler has no cancel)";
