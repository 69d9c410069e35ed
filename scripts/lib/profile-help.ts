// `profile.mjs --help`: every command and option in one screen of text; the parser is profile-cli.ts.
export const HELP = `Profile Apache Flink TaskManagers with async-profiler and bring the flame graphs home.

Usage:
  zx scripts/profile.mjs -n NAMESPACE --cluster NAME [options] [-- extra asprof args]
  zx scripts/profile.mjs --local [options] [-- extra asprof args]
  zx scripts/profile.mjs --local --flink-rest URL --operator busiest|NAME|VERTEX_ID [options]
  zx scripts/profile.mjs -n NAMESPACE --cluster NAME --operator busiest|NAME|VERTEX_ID [options]
  zx scripts/profile.mjs operators --flink-rest URL | -n NAMESPACE --cluster NAME [--job ID] [--json]
  zx scripts/profile.mjs --via rest --flink-rest URL [--tm ID... | --operator OP] [-d S] [-e E] [-o DIR] [--json]
  zx scripts/profile.mjs doctor  -n NAMESPACE [--cluster NAME] [--via job|exec] [--flink-rest URL]
  zx scripts/profile.mjs doctor  --flink-rest URL
  zx scripts/profile.mjs cleanup -n NAMESPACE [--run ID] [--dry-run]
  zx scripts/profile.mjs report FILE|DIR... [--top N] [--grep REGEX] [--threads] [--json]
  zx scripts/profile.mjs diff BASE NEW [-o DIR] [--top N] [--json]
  zx scripts/profile.mjs merge FILE|DIR... -o OUT [--top N] [--json]

Targets on Kubernetes (one profiling Job per TaskManager, all at once):
  -n, --namespace NS     the Flink namespace                              (default: the context's)
      --cluster NAME     every TaskManager of this Flink cluster (our StatefulSet, the operator's
                         FlinkDeployment, or native Kubernetes)
  -l, --selector SEL     TaskManager pods matching this label selector
      --pod NAME         this pod only (repeatable)
      --context CTX      kubectl context                                  (default: the current one)
      --kubeconfig FILE  kubectl configuration file
      --via job|exec     job: the pre-wired Job runs the helper, you need no exec right (default);
                         exec: your own kubectl exec, for admins and clusters without the template
      --concurrency N    TaskManagers profiled at once                    (default 32)
      --start-timeout S  how long a Job's pod may wait for a node or its image (default 120)
      --max-result-mib N a Job refuses, before sending any of it, a result larger than this once
                         encoded for its log (default 8; keep it below the kubelet's log
                         rotation size, containerLogMaxSize, 10 MiB by default); a Job's log is
                         read up to this plus 1 MiB for its progress lines, and no further
      --max-file-mib N   the largest profile file taken from a TaskManager once decoded; a larger
                         one is refused without being decoded (default 256, at most 1024; this
                         machine holds about twice the file in memory while it checks it);
                         --via exec reads up to what such a file takes encoded, plus 1 MiB
      --keep             keep the Jobs (and their logs) after a successful run
      --dry-run          print the Jobs that would be created, create nothing
      --run ID           cleanup: only this run's Jobs                     (default: every run)
  Files go to <output>/<cluster>/<run id>/<pod>.<ext>. Ctrl-C stops the profiler in every
  TaskManager and deletes the run's Jobs; \`cleanup\` removes what a crashed run left, by label.
  \`doctor\` checks RBAC, the Job template, the helper in the image, perf events and the Flink version;
  with --flink-rest URL also whether --via rest works there (Flink's built-in profiler enabled), and
  then says which ways of profiling the cluster supports.

Targets on this machine:
  --local                profile Flink TaskManager JVMs running on this machine
  --pid N                profile this JVM only (repeatable); default: every TaskManager found

Operators (Flink's REST API; GET requests only):
  operators              every running job's vertices: parallelism, busy and back-pressure (max over
                         subtasks), the TaskManagers they run on, and the bottleneck: busy, not
                         back-pressured, with a back-pressured upstream. n/a: Flink has no busy time
                         there (legacy SourceFunction sources); never shown as 0
      --flink-rest URL   the JobManager's REST address, e.g. http://127.0.0.1:8081
      --job ID           this job only (needed with --operator when several jobs run)
  operators -n NS --cluster NAME reads the same answers in a Kubernetes cluster with no right to the REST
  API: one profiling Job runs the helper's rest action in a TaskManager, which GETs them from the
  JobManager (--rest-service HOST[:PORT]: its REST Service as the pod sees it; default NAME-rest:8081)
      --operator OP      on a profile run: busiest (the bottleneck, else the busiest vertex), an
                         operator's name (one of a chain's too) or a vertex id. Profiles the TaskManagers
                         running its busiest subtasks with per-thread stacks and writes, per JVM, the
                         flame graph and top frames of that operator's threads only
                         (<file>.<operator>.html), the whole JVM's beside them; a chained operator's
                         threads are its chain's
      --tms N            TaskManagers to profile, the busiest subtask's of each        (default 3)
  --local: TaskManagers are found among this machine's JVMs by the resource id on their command line
  and the data port they listen on, else by their ports alone; --pid N profiles that JVM (a
  MiniCluster: every TaskManager in one JVM). -n NS --cluster NAME: the REST answers are read as by
  \`operators\` in the cluster (--rest-service as there), and a TaskManager is the pod of its resource
  id (our clusters, native mode) or of the address Flink gives it (the operator's standalone mode).
  --json: each target gains "operator":{"job","vertexId","name","chain"?,"reason","busy",
  "subtasks":[{"subtask","attempt","taskManager","busy","thread"}],"threads","samples","jvmSamples"}
  and "jvmFiles"; its "files" and "top" are the operator's. Ratios are 0..1, null where Flink has none.
Through Flink's built-in profiler (Flink 1.19+ with rest.profiling.enabled: true; no exec, no Job):
      --via rest         trigger Flink's own async-profiler (2.9) over the JobManager's REST API,
                         poll until it is done, download its html flame graph, print its top frames
      --flink-rest URL   the JobManager's REST address, e.g. http://127.0.0.1:8081 (your own
                         port-forward or ingress: this tool never opens one)
      --tm ID            this TaskManager only (repeatable; ids as GET /taskmanagers lists them)
                                                                          (default: every TaskManager)
      --operator OP      the TaskManagers of that operator's busiest subtasks (with --job, --tms as
                         above); Flink's flame graph has no thread frames, so each stays the whole JVM's
                         and its report names the operator ("operator" in --json, with "wholeJvm":true)
  Only -d, -e (cpu, alloc, lock, wall, itimer), -o, --json and --operator apply. The duration may not exceed
  the cluster's rest.profiling.duration-max (5 min by default). Flink runs one profile at a time
  per TaskManager and cannot cancel one: Ctrl-C leaves, and the profile ends with its duration.
  Files go to <output>/<TaskManager id>-<UTC time>.html.

Profile:
  -d, --duration S       seconds to profile, 1-3600                       (default 60)
  -e, --event E          cpu, alloc, lock, wall, itimer, ctimer           (default cpu;
                         where perf events are blocked, cpu uses ctimer and says so)
  -i, --interval N       sampling interval, e.g. 10ms, 500us, 1000000     (default: async-profiler's)
  -t, --threads          split the flame graph by thread (Flink names task threads after the operator)
  -I, --include PATTERN  keep only stacks with a matching frame (repeatable)
  -X, --exclude PATTERN  drop stacks with a matching frame (repeatable)
  -- ARGS                further async-profiler options, passed through as they are

Output:
  -f, --format LIST      html, collapsed, jfr; comma-separated, several from one run (default html)
  -o, --output DIR       where the files go                               (default ./profiles)
      --json             print one JSON document instead of the report:
                         {"targets":[{"target","pid","status","event","files":[...],
                                      "top":[{"frame","self","total"}],"waiting","notices"?,
                                      "error"?}],
                          "cluster"?:{"taskManagers","samples","waiting","top","skew"}}
                         (a cluster run of two or more TaskManagers also prints them all together:
                         the cluster-wide top frames and those that differ most from the rest)
  -h, --help             this text

Ctrl-C stops the profiler in every target and keeps no half-written file.

Profiles already on disk (collapsed, .jfr, async-profiler 3+ html, or the 2.x html of Flink's built-in
profiler; a DIR is every profile in it, one per TaskManager, its collapsed file read where there are several):
  report FILE|DIR...     the top frames by self and by total time of all of them together, and the
                         share of waiting threads (parked, sleeping, polling), left out of the ranking
      --top N            rows per table                                   (default 10)
      --grep REGEX       share of samples whose stack has a matching frame, the matching frames and
                         the heaviest matching stacks; case-insensitive unless REGEX has a capital;
                         thread frames are not searched
  -t, --threads          samples per thread, and per Flink operator for task threads
                         ("<task> (<i>/<n>)#<attempt>"); needs profiles taken with -t
      --json             {"profiles","samples","waiting","top","topTotal",
                          "grep"?:{"pattern","share","samples","frames","stacks"},"threads"?,"operators"?}
  diff BASE NEW          what changed from BASE to NEW (files or folders): a differential flame graph
                         by async-profiler's converter (red grew, blue shrank, yellow new) and the
                         frames whose share of samples grew or shrank most, each profile normalised
                         by its own total
  -o, --output DIR       where diff-BASE-vs-NEW.html goes                 (default ./profiles)
      --json             {"base","new","html","regressions":[{"frame","base","new","delta","change"}]},
                         largest growth first
  merge FILE|DIR... -o OUT
                         one profile of many TaskManagers: OUT.collapsed and OUT.html, the merged top
                         frames, and the TaskManagers whose frames differ most from the rest
      --json             {"profiles","samples","waiting","top","files","skew":[{"target","differs",
                          "frame","here","rest","outlier"}]}

Examples:
  zx scripts/profile.mjs -n flink --cluster orders -d 60
  zx scripts/profile.mjs -n flink --pod orders-taskmanager-0 -e wall --format html,jfr
  zx scripts/profile.mjs doctor -n flink --cluster orders
  zx scripts/profile.mjs --local -d 30
  zx scripts/profile.mjs --local --pid 4242 -e wall --format html,collapsed -o /tmp/flames
  zx scripts/profile.mjs --local -e alloc -I 'com/acme/*' -- --alloc 1m
  zx scripts/profile.mjs operators --flink-rest http://127.0.0.1:8081
  zx scripts/profile.mjs --local --flink-rest http://127.0.0.1:8081 --operator busiest -d 30
  zx scripts/profile.mjs --via rest --flink-rest http://127.0.0.1:8081 -d 30 -e itimer
  zx scripts/profile.mjs report profiles/orders/RUN_ID --grep json
  zx scripts/profile.mjs report profiles/tm-0.jfr --threads --top 5
  zx scripts/profile.mjs diff profiles/before/tm-0.collapsed profiles/after/tm-0.collapsed -o /tmp/diffs
  zx scripts/profile.mjs merge profiles/orders/RUN_ID -o profiles/orders-all
`;
