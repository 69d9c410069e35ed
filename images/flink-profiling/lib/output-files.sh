# shellcheck shell=bash
# flink-profiler: Output files of a profile: who may write the directory, whether a file is whole, creating it safely.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

asprof_format() {
  case $1 in
    html) REPLY=flamegraph ;;
    *) REPLY=$1 ;;
  esac
}

jvm_can_write() { # dir pid
  local uid gids owner group mode
  proc_uid "$2" || return 0
  uid=$REPLY
  ((uid == 0)) && return 0
  proc_gids "$2"
  gids=" $REPLY "
  read -r owner group mode < <(stat -c '%u %g %a' -- "$1")
  mode=$((8#$mode))
  if ((owner == uid)); then
    (((mode & 8#300) == 8#300))
    return
  fi
  if [[ $gids == *" $group "* ]]; then
    (((mode & 8#030) == 8#030))
    return
  fi
  (((mode & 8#003) == 8#003))
}

# Whether FILE holds a whole profile of FORMAT. A volume that fills up cuts a file's end off, and the
# agent in the JVM does not report it: html ends with </html>; collapsed stacks end with a newline
# after a line "<frames> <count>"; a jfr recording is a run of chunks, each starting with "FLR\0" and
# its own size (8 bytes, big-endian, at byte 8), that add up to the file's size.
complete_profile() { # format file
  local last
  # -s (not empty) is bash's own test; only a jfr recording needs its size, from stat.
  [[ -s $2 ]] || return 1
  case $1 in
    html)
      last=$(tail -c 32 -- "$2")
      [[ $last == *'</html>' ]] ;;
    collapsed)
      # The x keeps the newline that $(...) would drop: the last line must end with one.
      last=$(tail -n 1 -- "$2" && printf x)
      [[ $last == *$'\n'x ]] || return 1
      last=${last%$'\n'x}
      [[ $last =~ \ [0-9]+$ ]] ;;
    jfr) jfr_complete "$2" "$(stat -c %s -- "$2")" ;;
    *) return 1 ;;
  esac
}

# A chunk's header also holds where its constant pool and its metadata start (bytes 16 and 24): both
# inside the chunk, and the metadata is an event of type 0 there (its size, a varint, then the type).
# A cut recording can hold a consistent size (the agent counts what it meant to write) but not these.
jfr_complete() { # file size
  local offset=0 b=() length cpool meta i
  while ((offset < $2)); do
    read -r -a b <<< "$(od -An -v -tu1 -w32 -j "$offset" -N 32 -- "$1")"
    ((${#b[@]} == 32 && b[0] == 70 && b[1] == 76 && b[2] == 82 && b[3] == 0)) || return 1
    length=0 cpool=0 meta=0
    for ((i = 8; i < 16; i++)); do
      length=$((length * 256 + b[i])) cpool=$((cpool * 256 + b[i + 8])) meta=$((meta * 256 + b[i + 16]))
    done
    ((length >= 68 && offset + length <= $2 && cpool >= 68 && cpool < length && meta >= 68 && meta < length)) || return 1
    read -r -a b <<< "$(od -An -v -tu1 -j "$((offset + meta))" -N 6 -- "$1")"
    for ((i = 0; i < ${#b[@]} - 1; i++)); do ((b[i] >= 128)) || break; done
    ((i < ${#b[@]} - 1 && b[i + 1] == 0)) || return 1
    offset=$((offset + length))
  done
  ((offset == $2))
}

# Whether the output dir's volume has (almost) no room left: FREE_BYTES is what it has.
volume_full() {
  FREE_BYTES=$(stat -f -c '%a * %S' -- "$OUTPUT_DIR")
  FREE_BYTES=$((FREE_BYTES))
  ((FREE_BYTES < 65536))
}

# Ends the run with output-incomplete unless FILE holds a whole profile of FORMAT.
require_complete() { # format file
  complete_profile "$1" "$2" && return 0
  local size full=''
  size=$(stat -c %s -- "$2")
  if volume_full; then full=': the volume is full'; fi
  die "$EXIT_PROFILER" output-incomplete \
    "the $1 profile of pid $TARGET_PID is incomplete: $2 stops after $size bytes, before its end; $OUTPUT_DIR has $FREE_BYTES bytes free$full" \
    "free space in $OUTPUT_DIR or give it a larger volume, choose another --output-dir, or profile for less time or fewer threads"
}

# Whether users other than root, this user and the JVM's user could replace a file in DIR (then REPLY
# says how). A sticky directory (like /tmp) lets others add names but not remove or rename ours, so it
# is safe when its owner is one of us. A Kubernetes emptyDir given to the pod's fsGroup (root's,
# setgid, group the JVM's, mode 2777) is taken as the pod's own: every container of a restricted pod
# runs as that user.
others_can_write() { # dir jvm-pid
  local owner group mode jvm_uid='' jvm_gid='' key a b rest
  read -r owner group mode < <(stat -c '%u %g %a' -- "$1")
  mode=$((8#$mode))
  while read -r key a b rest; do
    case $key in
      Uid:) jvm_uid=$b ;;
      Gid:) jvm_gid=$b ;;
    esac
  done < "/proc/$2/status"
  local ours=0
  [[ $owner == 0 || $owner == "$EUID" || $owner == "$jvm_uid" ]] && ours=1
  if ((mode & 8#1000)); then
    ((ours)) && return 1
    REPLY="it is sticky but owned by uid $owner, who can replace anything in it"
    return 0
  fi
  if ((mode & 8#002)); then
    ((owner == 0 && group == jvm_gid && (mode & 8#2000))) && return 1
    REPLY="every user can write to it (mode $(printf '%o' "$mode"))"
    return 0
  fi
  if ((mode & 8#020)) && [[ $group != "$(id -g)" && $group != "$jvm_gid" ]]; then
    REPLY="group $group can write to it (mode $(printf '%o' "$mode"))"
    return 0
  fi
  ((ours)) && return 1
  REPLY="it is owned by uid $owner"
  return 0
}

# Creates the files the JVM will write, one per format given (paths in OUTPUT_PATHS, in that order), each
# under a name no one can guess, exclusively (never through a name someone planted), for the JVM's user
# alone; their identities are kept to be checked before use. One chown and one stat for them all: every
# process the helper starts before the session is time added to the run.
create_output_files() { # format...
  local f path
  OUTPUT_PATHS=()
  for f; do
    path=$(mktemp --suffix=.part -- "$OUTPUT_DIR/.$name.$f.XXXXXXXX")
    TEMP_FILES+=("$path")
    OUTPUT_PATHS+=("$path")
  done
  if ((EUID == 0)); then
    proc_uid "$TARGET_PID"
    chown -- "$REPLY" "${OUTPUT_PATHS[@]}"
  fi
  local ids=() i
  mapfile -t ids < <(stat -c '%d:%i|%y' -- "${OUTPUT_PATHS[@]}")
  for i in "${!OUTPUT_PATHS[@]}"; do
    path=${OUTPUT_PATHS[i]}
    CREATED[$path]=${ids[i]%%|*}
    CREATED_MTIME[$path]=${ids[i]#*|}
  done
}

# Whether the JVM opened PATH to write its profile: the agent opens it truncating, which stamps its
# modification time even when it writes nothing (measured with asprof 4.5 on an idle JVM).
jvm_opened() { # path
  [[ $(stat -c '%y' -- "$1") != "${CREATED_MTIME[$1]}" ]]
}

# Ends the run unless each PATH is still the regular file this run created, one link, not replaced; their
# sizes in SIZES, in the order given (one stat for all).
require_created() { # path...
  local p nows=() i
  for p; do [[ -f $p && ! -L $p ]] || created_elsewhere "$p"; done
  mapfile -t nows < <(stat -c '%d:%i:%h %s' -- "$@")
  SIZES=()
  i=0
  for p; do
    [[ ${nows[i]% *} == "${CREATED[$p]}:1" ]] || created_elsewhere "$p"
    SIZES+=("${nows[i]##* }")
    i=$((i + 1))
  done
}

created_elsewhere() { # path
  die "$EXIT_PROFILER" output-replaced \
    "$1 is no longer the file this run created (replaced, moved or linked by someone else); nothing is kept" \
    "use an output directory that only you and the JVM's user can write to"
}

perf_events_available() {
  run_asprof list "$TARGET_PID"
  ((ASPROF_RC == 0)) || asprof_failed list
  [[ $ASPROF_OUT == *'Perf events:'* ]]
}
