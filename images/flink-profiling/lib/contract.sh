# shellcheck shell=bash
# flink-profiler's contract. Generated from images/flink-profiling/contract.json by `npm run gen:contract`: do not edit.
# shellcheck disable=SC2034 # (not every name is used by the helper's own files)
{
  readonly HELPER_ACTIONS=(profile status stop list encode rest)
  readonly ROLES=(taskmanager jobmanager any)
  readonly EVENTS=(cpu alloc lock wall itimer ctimer)
  readonly FORMATS=(html collapsed jfr)
  readonly MAX_DURATION_SECONDS=3600
  readonly MAX_PID=9999999999
  readonly MAX_INTERVAL_NUMBER=999999999999
  readonly CHUNK_CHARS=2944
  # asprof options that may follow `--` (they shape sampling or drawing, nothing else).
  readonly PASSTHROUGH_FLAGS=(-s --simple -n --norm -g --sig -a --ann -l --lib --dot --total --all-user --sched --tlab --live --nofree --nobatch --ttsp --nostop)
  readonly PASSTHROUGH_WITH_VALUE=(-j -L -F --title --minwidth --alloc --nativemem --lock --nativelock --wall --cstack --signal --clock --begin --end --memlimit --jfropts --trace --proc --target-cpu)
  readonly EXIT_OK=0 EXIT_BAD_INPUT=2 EXIT_TARGET=3 EXIT_RUNNING=4 EXIT_PROFILER=5 EXIT_INTERRUPTED=130
}
