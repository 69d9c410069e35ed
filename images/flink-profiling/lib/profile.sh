# shellcheck shell=bash
# flink-profiler: The profile action: options, checks, the asprof session, progress, and delivering the files.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

cmd_profile() {
  local duration=60 event=cpu interval='' threads=0 format_list=html name='' emit_records=0 keep_files=0 progress_every=5
  local max_records=
  local includes=() excludes=() extra=()
  OUTPUT_DIR=${FLINK_PROFILER_OUTPUT_DIR:-}
  while (($#)); do
    case $1 in
      --) shift && extra=("$@") && break ;;
      --emit-records) emit_records=1 && shift && continue ;;
      --keep-files) keep_files=1 && shift && continue ;;
      -t | --threads) threads=1 && shift && continue ;;
      -h | --help) usage && exit 0 ;;
    esac
    (($# >= 2)) || bad_input "option $1 needs a value"
    case $1 in
      --pid) PID_OPT=$2 ;;
      --role) ROLE_OPT=$2 ;;
      -d | --duration) duration=$2 ;;
      -e | --event) event=$2 ;;
      -i | --interval) interval=$2 ;;
      -I | --include) includes+=("$2") ;;
      -X | --exclude) excludes+=("$2") ;;
      -f | --format) format_list=$2 ;;
      -o | --output-dir)
        [[ -n $2 ]] || bad_input "output dir may not be empty" "leave -o out for \$FLINK_PROFILER_OUTPUT_DIR or /tmp/flink-profiles"
        OUTPUT_DIR=$2 ;;
      --name) name=$2 ;;
      --progress-every) progress_every=$2 ;;
      --max-records-size) max_records=$2 ;;
      *) bad_input "unknown option: $1" ;;
    esac
    shift 2
  done

  check_role
  check_pid
  valid_seconds "$duration" "$MAX_DURATION_SECONDS" || bad_input "duration must be whole seconds from 1 to $MAX_DURATION_SECONDS, got '$duration'"
  duration=$REPLY
  in_list "$event" "${EVENTS[@]}" || bad_input "unknown event '$event'; use one of: ${EVENTS[*]}"
  if [[ -n $interval ]]; then
    valid_interval "$interval" \
      || bad_input "interval must be a decimal number from 1 with an optional ms/us/ns/s suffix, got '$interval'"
    interval=$REPLY
  fi
  valid_seconds "$progress_every" 3600 || bad_input "progress-every must be whole seconds from 1 to 3600, got '$progress_every'"
  progress_every=$REPLY
  if [[ -n $max_records ]]; then
    decimal_in "$max_records" 1 9999999999999 \
      || bad_input "max-records-size must be a whole number of bytes from 1, got '$max_records'"
    max_records=$REPLY
    ((emit_records)) || bad_input "--max-records-size limits --emit-records; give both or neither"
  fi
  local formats=() requested=() f x
  IFS=, read -r -a requested <<< "$format_list"
  for x in "${requested[@]}"; do
    in_list "$x" "${FORMATS[@]}" || bad_input "unknown format '$x'; use a comma-separated list of: ${FORMATS[*]}"
    ((${#formats[@]})) && in_list "$x" "${formats[@]}" && continue
    formats+=("$x")
  done
  ((${#formats[@]})) || bad_input "no output format given"
  # This helper never starts a JVM: next to the TaskManager, in a container sized for it, a second one
  # (jfrconv's default heap is a quarter of the container's memory) could push the pod over its limit.
  # In Job mode the reader renders the other formats, so one lossless file is all that travels: the jfr
  # recording when jfr is asked for, else collapsed stacks with asprof's frame kinds (-a: _[j] compiled,
  # _[i] inlined, _[0] interpreted, _[1] C1), which a flame graph drawn from them colours as asprof would.
  if ((emit_records)); then
    if in_list jfr "${formats[@]}"; then
      formats=(jfr)
    else
      formats=(collapsed)
      in_list -a "${extra[@]}" || in_list --ann "${extra[@]}" || extra+=(-a)
    fi
  elif in_list jfr "${formats[@]}" && ((${#formats[@]} > 1)); then
    local others=()
    for x in "${formats[@]}"; do [[ $x == jfr ]] || others+=("$x"); done
    bad_input "jfr cannot be combined with $(join_by ' and ' "${others[@]}") here: after a jfr recording only a converter (a JVM) could make them, and none runs next to the TaskManager" \
      "ask for jfr alone and convert it where a JVM may run (zx scripts/profile.mjs does this; or jfrconv -o html FILE.jfr FILE.html), or ask for html,collapsed"
  fi
  # asprof writes a jfr recording under any file name when --jfropts is given.
  if in_list --jfropts "${extra[@]}" && ! in_list jfr "${formats[@]}"; then
    bad_input "--jfropts shapes a jfr recording, and this run records ${formats[*]}" "add jfr to the formats, or drop --jfropts"
  fi
  [[ -z $name ]] || valid_name "$name" || bad_input "name may only contain A-Z a-z 0-9 . _ - and may not start with a dot, got '$name'"
  local p
  for p in "${includes[@]}" "${excludes[@]}"; do
    agent_safe "$p" || bad_input "include/exclude patterns must be non-empty and contain no comma or control character, got '$p'"
  done
  local i=0
  while ((i < ${#extra[@]})); do
    p=${extra[i]}
    passthrough_option "$p" || bad_input "extra asprof argument '$p' is not one that may pass through" \
      "pass only options that shape sampling or drawing (e.g. --alloc 1m, --cstack vm, --title T, -s); events, duration, interval, filters and threads have options of their own"
    if ((REPLY)); then
      ((i + 1 < ${#extra[@]})) || bad_input "extra asprof argument '$p' needs a value"
      i=$((i + 1))
      agent_safe "${extra[i]}" || bad_input "the value of '$p' must be non-empty and contain no comma or control character, got '${extra[i]}'"
    fi
    i=$((i + 1))
  done
  if [[ -z $OUTPUT_DIR ]]; then
    # The default is made like /tmp so that a JVM running as another user can write into it.
    OUTPUT_DIR=/tmp/flink-profiles
    [[ -d $OUTPUT_DIR ]] || mkdir -m 1777 -- "$OUTPUT_DIR" 2>/dev/null || true
  fi
  if ! agent_safe "$OUTPUT_DIR" || [[ $OUTPUT_DIR == *%* ]]; then
    bad_input "output dir may not be empty or contain a comma, % or a control character, got '$OUTPUT_DIR'"
  fi
  [[ -d $OUTPUT_DIR ]] || bad_input "output dir $OUTPUT_DIR does not exist or is not a directory" "create it first"
  [[ -w $OUTPUT_DIR && -x $OUTPUT_DIR ]] || bad_input "output dir $OUTPUT_DIR is not writable" "choose a writable --output-dir"
  # The JVM resolves relative paths against its own working directory, not ours.
  OUTPUT_DIR=$(CDPATH='' cd -- "$OUTPUT_DIR" && pwd -P)
  # Again after symlinks are resolved: the resolved path is what reaches the agent's option string.
  if ! agent_safe "$OUTPUT_DIR" || [[ $OUTPUT_DIR == *%* ]]; then
    bad_input "output dir resolves to $OUTPUT_DIR, which contains a comma, % or a control character" "use a directory whose real path has none"
  fi

  require_asprof
  resolve_target
  jvm_can_write "$OUTPUT_DIR" "$TARGET_PID" || {
    proc_uid "$TARGET_PID"
    die "$EXIT_TARGET" output-not-writable "the JVM (pid $TARGET_PID, uid $REPLY) cannot write to $OUTPUT_DIR" \
      "make $OUTPUT_DIR writable by uid $REPLY or choose another --output-dir"
  }

  if others_can_write "$OUTPUT_DIR" "$TARGET_PID"; then
    bad_input "output dir $OUTPUT_DIR is not safe: other users could plant or replace files in it ($REPLY)" \
      "use a directory only you and the JVM's user can write to, or a sticky one (like /tmp) owned by root, you or the JVM's user"
  fi

  utc_now %Y%m%dT%H%M%SZ
  [[ -n $name ]] || name="$TARGET_ROLE-$TARGET_PID-$REPLY"

  # The session writes collapsed when it is asked for (the other format, html, is dumped from the same
  # samples after the session); jfr comes alone (see above).
  local session_format=${formats[0]}
  in_list collapsed "${formats[@]}" && session_format=collapsed
  local -A final tmp
  for f in "${formats[@]}"; do
    final[$f]="$OUTPUT_DIR/$name.$f"
    if [[ -e ${final[$f]} || -L ${final[$f]} ]]; then bad_input "output file ${final[$f]} already exists" "choose another --name"; fi
  done

  # No status check first: every attach costs time, and `start` itself refuses a second session
  # (asprof_failed then names the running one). Whether perf events work is asked once the session runs
  # (below), so that the attach it costs falls inside the profile's duration instead of before it.
  local used_event=$event

  local filters=()
  for p in "${includes[@]}"; do filters+=(-I "$p"); done
  for p in "${excludes[@]}"; do filters+=(-X "$p"); done

  trap 'on_signal INT' INT
  trap 'on_signal TERM' TERM
  trap 'on_signal HUP' HUP
  # A reader that went away (a dropped kubectl exec, a killed Job) cannot take the result: stop and clean up.
  trap 'trap "" PIPE; on_signal PIPE' PIPE

  create_output_files "${formats[@]}"
  for i in "${!formats[@]}"; do tmp[${formats[i]}]=${OUTPUT_PATHS[i]}; done
  asprof_format "$session_format"
  local start_args=(start -e "$used_event" --timeout "$duration" -o "$REPLY" -f "${tmp[$session_format]}")
  [[ -n $interval ]] && start_args+=(-i "$interval")
  ((threads)) && start_args+=(-t)
  start_args+=("${filters[@]}" "${extra[@]}" "$TARGET_PID")
  # Roughly what asprof puts in the agent's one option string (name=value, comma-separated), for the
  # error when the JVM refuses one that is too long.
  local a
  AGENT_OPTIONS_BYTES=0
  for a in "${start_args[@]:1:${#start_args[@]}-2}"; do AGENT_OPTIONS_BYTES=$((AGENT_OPTIONS_BYTES + ${#a} + 1)); done
  SESSION_ACTIVE=1
  run_asprof "${start_args[@]}"
  # async-profiler before 4.0 refuses -e cpu without perf events; 4.x falls back to ctimer by itself.
  if ((ASPROF_RC != 0)) && [[ $event == cpu && $ASPROF_OUT == *[Pp]erf\ events* ]]; then
    used_event=ctimer
    start_args[2]=ctimer
    run_asprof "${start_args[@]}"
  fi
  if ((ASPROF_RC != 0)); then
    SESSION_ACTIVE=0
    asprof_failed start
  fi
  now_ms
  SESSION_STARTED_MS=$REPLY
  # From here on, an unexpected failure (a full volume under gzip or sed, say) still stops the profile,
  # removes what this run wrote and says so, instead of `set -e` leaving both behind.
  trap 'die "$EXIT_PROFILER" profiler-failed "unexpected failure at line $LINENO of flink-profiler'\''s ${BASH_SOURCE[0]##*/}" "see its stderr; is the output volume full?"' ERR
  trap abandon_run EXIT

  if [[ $used_event == cpu ]] && ! perf_events_available; then
    used_event=ctimer
  fi
  if [[ $event == cpu && $used_event == ctimer ]]; then
    local paranoid=unknown
    [[ -r /proc/sys/kernel/perf_event_paranoid ]] && paranoid=$(< /proc/sys/kernel/perf_event_paranoid)
    emit_notice perf-unavailable \
      "perf events are not available to pid $TARGET_PID (perf_event_open is blocked by a seccomp profile such as the container runtime's default, or by kernel.perf_event_paranoid=$paranoid); profiling CPU with ctimer instead" \
      "ctimer samples CPU time without kernel frames; for perf events allow perf_event_open in the pod's seccomp profile and lower kernel.perf_event_paranoid"
  fi

  local jformats='' started_at
  for f in "${formats[@]}"; do jformats+="${jformats:+,}\"$f\""; done
  utc_now %Y-%m-%dT%H:%M:%SZ
  started_at=$REPLY
  emit "{\"type\":\"started\",\"pid\":$TARGET_PID,\"role\":\"$TARGET_ROLE\",\"event\":\"$used_event\",\"duration\":$duration,\"formats\":[$jformats],\"startedAt\":\"$started_at\"}"

  # Millisecond clock: a whole-second clock and one-second sleeps would add up to two seconds to every run.
  # Counted from the start, as the agent counts its --timeout.
  local t0=$SESSION_STARTED_MS now elapsed_ms end_ms next=$progress_every next_check_ms
  end_ms=$((t0 + duration * 1000))
  next_check_ms=$((t0 + SESSION_CHECK_MS))
  while :; do
    now_ms
    now=$REPLY
    if ((now >= end_ms)); then
      emit "{\"type\":\"progress\",\"pid\":$TARGET_PID,\"elapsed\":$duration,\"remaining\":0}"
      break
    fi
    elapsed_ms=$((now - t0))
    if ((elapsed_ms >= next * 1000)); then
      emit "{\"type\":\"progress\",\"pid\":$TARGET_PID,\"elapsed\":$next,\"remaining\":$((duration - next))}"
      next=$((next + progress_every))
    fi
    # A session stopped by someone else (a stop after an interrupt, Flink's own profiler) ends this run
    # now, instead of leaving it asleep in the TaskManager until its duration is over.
    if ((now >= next_check_ms && end_ms - now > SESSION_CHECK_MS)); then
      next_check_ms=$((now + SESSION_CHECK_MS))
      session_status
      if ! session_may_be_ours "$ASPROF_OUT" "$STATUS_ASKED_MS"; then
        SESSION_ACTIVE=0
        die "$EXIT_RUNNING" stopped-elsewhere "the profile of pid $TARGET_PID was stopped by someone else after $((elapsed_ms / 1000)) seconds${ACTIVE_SECONDS:+, and another profile now runs}" \
          "nothing was kept; run again when no one else profiles pid $TARGET_PID"
      fi
    fi
    nap_ms $(((end_ms - now) < 1000 ? end_ms - now : 1000))
  done

  # The agent ends the session itself at --timeout; give it time to write the file.
  local waited_ms=0
  while :; do
    session_status
    [[ -z $ACTIVE_SECONDS ]] && break
    # Ours ended (or was stopped) and another began: the file check below tells which.
    session_may_be_ours "$ASPROF_OUT" "$STATUS_ASKED_MS" || break
    ((waited_ms >= 30000)) && die "$EXIT_PROFILER" profiler-failed \
      "the profile of pid $TARGET_PID still runs $((waited_ms / 1000)) seconds after its ${duration}s timeout" "stop it with: flink-profiler stop --pid $TARGET_PID"
    # Short naps first: the agent ends the session right at its timeout, and every nap here is the run's.
    local nap=$((waited_ms < 1000 ? 50 : 200))
    nap_ms "$nap"
    waited_ms=$((waited_ms + nap))
  done
  SESSION_ACTIVE=0

  # The file was created empty for the JVM. Still empty: either the JVM never opened it (it cannot
  # reach it in its own container, or someone else stopped the session), or it had no sample to write;
  # only collapsed stacks of no sample are an empty file, and a valid profile.
  if [[ ! -s ${tmp[$session_format]} ]]; then
    if ! jvm_opened "${tmp[$session_format]}"; then
      proc_uid "$TARGET_PID" || REPLY='?'
      die "$EXIT_TARGET" output-not-writable "the JVM (pid $TARGET_PID) never wrote its profile to ${tmp[$session_format]}" \
        "the profile was stopped by someone else, or $OUTPUT_DIR is not writable by the JVM's user (uid $REPLY) in its own container"
    fi
    if [[ $session_format == collapsed ]] && ! volume_full; then
      emit_notice no-samples "the profile of pid $TARGET_PID holds no samples: nothing in it ran that $used_event counts during the ${duration}s" \
        "an idle JVM uses no CPU: profile while the job is busy, or with -e wall to see where its threads wait"
    else
      require_complete "$session_format" "${tmp[$session_format]}"
    fi
  else
    require_complete "$session_format" "${tmp[$session_format]}"
  fi

  # Measured with asprof 4.5: dump still has the ended session's data after a collapsed/html session.
  local derived=0
  for f in "${formats[@]}"; do
    [[ $f == "$session_format" ]] && continue
    derived=1
    asprof_format "$f"
    run_asprof dump -o "$REPLY" -f "${tmp[$f]}" "${filters[@]}" "${extra[@]}" "$TARGET_PID"
    ((ASPROF_RC == 0)) || asprof_failed "dump $f"
    [[ -f ${tmp[$f]} ]] || die "$EXIT_PROFILER" profiler-failed "asprof dump wrote no $f file" "see the asprof output on stderr"
    require_complete "$f" "${tmp[$f]}"
  done
  # `asprof dump` reads the agent's current samples: a session someone started as ours ended has
  # replaced them with its own, so what was dumped cannot be trusted.
  if ((derived)); then
    session_status
    [[ -z $ACTIVE_SECONDS ]] || die "$EXIT_RUNNING" already-running \
      "another profile of pid $TARGET_PID started as this one ended (running for $ACTIVE_SECONDS seconds); the formats made after the session could hold its samples, so none are kept" \
      "run again once that profile has ended, or ask for one format"
  fi

  # With --keep-files the files are the user's as soon as they are whole: publish them first, so that a
  # failure while making the records (a full TMPDIR, a result over --max-records-size) leaves them.
  local published=0
  if ((emit_records && keep_files)); then
    publish_results
    published=1
    KEPT_FILES=("${RUN_FILES[@]}")
    RUN_FILES=()
  fi

  # The records' size is known once the files are compressed: refuse before any record is sent, so
  # that a reader with a size limit (a Job's log, rotated by the kubelet) never gets a broken stream.
  local -A gz
  local src
  if ((emit_records)); then
    local total=0
    for f in "${formats[@]}"; do
      src=${tmp[$f]}
      ((published)) && src=${final[$f]}
      compress_file "$src"
      gz[$f]=$REPLY
      records_size "$(stat -c %s -- "${gz[$f]}")" "${#name}"
      total=$((total + REPLY))
    done
    if [[ -n $max_records ]] && ((total > max_records)); then
      local kept='nothing was sent'
      ((published)) && kept="nothing was sent; the files are kept (--keep-files)"
      die "$EXIT_PROFILER" result-too-large \
        "the result of pid $TARGET_PID takes $total bytes as records, more than the $max_records bytes allowed (--max-records-size); $kept" \
        "profile for less time, narrow it with --include, or leave jfr out (the smaller collapsed stacks travel then)"
    fi
  fi

  ((published)) || publish_results
  if ((emit_records)); then
    local n=0
    for f in "${formats[@]}"; do
      n=$((n + 1))
      encode_file "f$n" "${final[$f]}" "$f" "${gz[$f]}"
    done
    # The records are the delivery. Files left behind would pile up in the TaskManager's size-limited
    # profiles volume, and a full emptyDir gets the pod evicted.
    if ((!keep_files)); then
      for f in "${formats[@]}"; do rm -f -- "${final[$f]}"; done
    fi
  fi
  trap - INT TERM HUP PIPE ERR EXIT
  RUN_FILES=() TEMP_FILES=()
  emit "{\"type\":\"done\",\"pid\":$TARGET_PID,\"status\":\"ok\"}"
}

# Moves the whole files to their final names and reports them (one result event each). Called from
# cmd_profile and uses its locals (formats, tmp, final) through bash's dynamic scope.
publish_results() {
  local f i sums=() sum paths=() finals=()
  local -A size
  for f in "${formats[@]}"; do
    paths+=("${tmp[$f]}")
    finals+=("${final[$f]}")
  done
  require_created "${paths[@]}"
  for i in "${!formats[@]}"; do
    f=${formats[i]}
    size[$f]=${SIZES[i]}
    mv -f -T -- "${tmp[$f]}" "${final[$f]}"
    RUN_FILES+=("${final[$f]}")
  done
  # One sha256sum for all; it writes "<hash>  <name>", with a \ first when the name has one.
  # A file it cannot read is left out of its output: the count says so.
  mapfile -t sums < <(sha256sum -- "${finals[@]}")
  for i in "${!formats[@]}"; do
    f=${formats[i]}
    sum=${sums[i]#\\}
    [[ ${#sums[@]} == "${#finals[@]}" && ${sum:0:64} =~ ^[0-9a-f]{64}$ ]] || die "$EXIT_PROFILER" profiler-failed "could not checksum ${final[$f]}" "see the helper's stderr"
    json_str "${final[$f]}"
    emit "{\"type\":\"result\",\"pid\":$TARGET_PID,\"format\":\"$f\",\"path\":$REPLY,\"size\":${size[$f]},\"sha256\":\"${sum:0:64}\"}"
  done
}
