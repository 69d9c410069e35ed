// flink-profiler's contract, for the CLI and the components. Generated from images/flink-profiling/contract.json by `npm run gen:contract`: do not edit.

export const HELPER_COMMAND = "flink-profiler";
export const HELPER_ACTIONS = ["profile","status","stop","list","encode","rest"] as const;
/** The action and flags the profiling Job gives the helper, before the run's own options. */
export const JOB_HELPER_ACTION = "profile";
export const JOB_HELPER_FLAGS = ["--emit-records"] as const;
/** The actions a profiling Job may run (the admission policy admits no other). */
export const JOB_HELPER_ACTIONS = ["profile","stop","status","rest"] as const;
export const HELPER_ROLES = ["taskmanager","jobmanager","any"] as const;
export const EVENTS = ["cpu","alloc","lock","wall","itimer","ctimer"] as const;
export const FORMATS = ["html","collapsed","jfr"] as const;
export const HELPER_LIMITS = {"maxDurationSeconds":3600,"maxPid":9999999999,"maxIntervalNumber":999999999999,"chunkChars":2944} as const;
export const PASSTHROUGH_FLAGS = ["-s","--simple","-n","--norm","-g","--sig","-a","--ann","-l","--lib","--dot","--total","--all-user","--sched","--tlab","--live","--nofree","--nobatch","--ttsp","--nostop"] as const;
export const PASSTHROUGH_WITH_VALUE = ["-j","-L","-F","--title","--minwidth","--alloc","--nativemem","--lock","--nativelock","--wall","--cstack","--signal","--clock","--begin","--end","--memlimit","--jfropts","--trace","--proc","--target-cpu"] as const;
export const HELPER_EXIT = {"ok":0,"badInput":2,"target":3,"running":4,"profiler":5,"interrupted":130} as const;
/** Each error code the helper writes, with its exit status. */
export const HELPER_ERROR_EXIT = {"bad-input":2,"no-flink-jvm":3,"several-flink-jvms":3,"no-such-process":3,"not-a-jvm":3,"attach-failed":3,"wrong-user":3,"output-not-writable":3,"agent-load-failed":3,"rest-unreachable":3,"rest-failed":3,"already-running":4,"stopped-elsewhere":4,"asprof-missing":5,"profiler-failed":5,"encode-failed":5,"result-too-large":5,"output-incomplete":5,"output-replaced":5,"interrupted":130} as const;
export const HELPER_NOTICE_CODES = ["not-inspected","perf-unavailable","no-samples"] as const;
/** Required fields of each line the helper writes on stdout, by its type. */
export const HELPER_LINE_FIELDS = {"started":{"pid":"number","role":"string","event":"string","duration":"number","formats":"array","startedAt":"string"},"notice":{"code":"string","message":"string"},"progress":{"pid":"number","elapsed":"number","remaining":"number"},"result":{"pid":"number","format":"string","path":"string","size":"number","sha256":"string"},"done":{"pid":"number","status":"string"},"error":{"code":"string","message":"string"},"status":{"pid":"number","role":"string","active":"boolean","seconds":"number|null"},"stopped":{"pid":"number","role":"string","wasActive":"boolean"},"jvm":{"pid":"number","role":"string","mainClass":"string","uid":"number|null"},"file":{"id":"string","name":"string","format":"string","size":"number","sha256":"string","encoding":"string","chunks":"number"},"chunk":{"id":"string","seq":"number","data":"string"},"end":{"id":"string","chunks":"number"},"rest":{"path":"string","status":"number","body":"string"},"rest-end":{"records":"number"}} as const;
