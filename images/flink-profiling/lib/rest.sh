# shellcheck shell=bash
# flink-profiler: The rest action: what `profile.mjs operators` and `--operator` read from the JobManager's
# REST API, read from inside a TaskManager and sent back as records.
# Sourced by bin/flink-profiler, which sets the constants and globals used here.
#
# Why from here: Flink's REST API has no authorisation, and some of its GETs change state (on Flink 2.3,
# GET /jobs/<id>/yarn-cancel cancels the job), so a right to proxy GETs to it would let a profiler user
# cancel jobs. A TaskManager already reaches its JobManager; this action sends only GETs, only to the
# paths below, built only from the 32-hex ids the JobManager itself gave (and --job, checked the same way).
# Plain HTTP through bash's /dev/tcp: the image has no HTTP client, and the helper starts no JVM.

readonly REST_ID='^[0-9a-f]{32}$'
readonly REST_METRICS='get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond'
# Bodies are kept in memory and sent as one record each: a JobManager answer larger than this is refused.
readonly REST_MAX_BODY=4194304
# GETs in flight at once (rest_records): the JobManager answers from its metric cache.
readonly REST_WAVE=16

# GET $REST_HOST:$REST_PORT$1 -> REST_STATUS, REST_BODY. Fails (REPLY says why) when there is no answer.
rest_get() { # path
  rest_send "$1" && rest_receive "$REST_FD" "$1"
}

# Opens a connection and sends GET $1 on it; its fd in REST_FD. Fails (REPLY says why) when none opens.
rest_send() { # path
  local fd try
  # A few tries: a cluster's DNS or a JobManager's accept queue can fail once and answer the next second.
  for try in 1 2 3 4; do
    # In braces: a bare `exec {fd}<> … 2> /dev/null` would send the helper's own stderr there for good.
    { exec {fd}<> "/dev/tcp/$REST_ADDR/$REST_PORT"; } 2> /dev/null && break
    fd=''
    ((try < 4)) && nap_ms $((try * 500))
  done
  if [[ -z $fd ]]; then
    local seen
    seen=$(getent hosts "$REST_HOST" 2> /dev/null | head -n 1 | cut -d' ' -f1 || true)
    local name="the name does not resolve here"
    [[ -z $seen ]] || name="the name resolves to $seen"
    REPLY="cannot connect to $REST_HOST:$REST_PORT (4 tries; $name)"
    return 1
  fi
  printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nAccept: application/json\r\nConnection: close\r\n\r\n' "$1" "$REST_HOST" "$REST_PORT" >&"$fd"
  REST_FD=$fd
}

# Reads the answer to GET $2 from fd $1 and closes it -> REST_STATUS, REST_BODY (REPLY says why not).
rest_receive() { # fd path
  local fd=$1 path=$2 response head line length
  local chunked_re=$'\r\n''transfer-encoding:[^'$'\r'']*chunked' length_re=$'\r\n''content-length: *([0-9]+)'
  REST_STATUS=0 REST_BODY=''
  # Until the JobManager closes the connection (Connection: close), at most REST_TIMEOUT seconds.
  IFS= read -r -d '' -t "$REST_TIMEOUT" response <&"$fd" || true
  exec {fd}>&-
  head=${response%%$'\r\n\r\n'*}
  if [[ $head == "$response" ]]; then
    REPLY="no whole answer from $REST_HOST:$REST_PORT for GET $path within $REST_TIMEOUT s"
    return 1
  fi
  REST_BODY=${response#*$'\r\n\r\n'}
  line=${head%%$'\r'*}
  [[ $line =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]] || { REPLY="not an HTTP answer from $REST_HOST:$REST_PORT: ${line:0:80}"; return 1; }
  REST_STATUS=${BASH_REMATCH[1]}
  shopt -s nocasematch
  if [[ $head =~ $chunked_re ]]; then
    shopt -u nocasematch
    rest_unchunk "$path" || return 1
  fi
  if [[ $head =~ $length_re ]]; then
    length=${BASH_REMATCH[1]}
    shopt -u nocasematch
    ((${#REST_BODY} == length)) || { REPLY="a cut answer for GET $path (${#REST_BODY} of $length bytes)"; return 1; }
  fi
  shopt -u nocasematch
  ((${#REST_BODY} <= REST_MAX_BODY)) || { REPLY="the answer for GET $path is over $REST_MAX_BODY bytes"; return 1; }
}

# Decodes REST_BODY sent with Transfer-Encoding: chunked (a proxy in front of the JobManager may do so):
# "<hex size>[;ext]\r\n<data>\r\n" ... "0\r\n\r\n". Byte lengths: the helper runs with LC_ALL=C.
rest_unchunk() { # path
  local rest=$REST_BODY out='' size line
  while :; do
    line=${rest%%$'\r\n'*}
    [[ $line != "$rest" && $line =~ ^([0-9A-Fa-f]{1,8})(;.*)?$ ]] || { REPLY="a broken chunked answer for GET $1"; return 1; }
    size=$((16#${BASH_REMATCH[1]}))
    rest=${rest#*$'\r\n'}
    ((size == 0)) && break
    ((${#rest} >= size + 2)) || { REPLY="a cut chunked answer for GET $1"; return 1; }
    out+=${rest:0:size}
    rest=${rest:size+2}
    ((${#out} <= REST_MAX_BODY)) || { REPLY="the answer for GET $1 is over $REST_MAX_BODY bytes"; return 1; }
  done
  REST_BODY=$out
}

# One GET, sent as a record {"type":"rest","path","status","body"}; a failure to get any answer ends the run.
rest_record() { # path
  rest_get "$1" || rest_unreachable
  rest_emit "$1"
}

# The GETs of every path given, up to REST_WAVE at once (one connection each: the JobManager answers them
# side by side, where one after another each waits for the last), sent as records in the order given.
# REST_STATUSES and REST_BODIES hold each one's answer, by position.
rest_records() { # path...
  local -a paths=("$@") fds=()
  local i j
  REST_STATUSES=() REST_BODIES=()
  for ((i = 0; i < ${#paths[@]}; i += REST_WAVE)); do
    fds=()
    for ((j = i; j < i + REST_WAVE && j < ${#paths[@]}; j++)); do
      rest_send "${paths[j]}" || rest_unreachable
      fds[j]=$REST_FD
    done
    for ((j = i; j < i + REST_WAVE && j < ${#paths[@]}; j++)); do
      rest_receive "${fds[j]}" "${paths[j]}" || rest_unreachable
      rest_emit "${paths[j]}"
      REST_STATUSES[j]=$REST_STATUS REST_BODIES[j]=$REST_BODY
    done
  done
}

rest_unreachable() {
  die "$EXIT_TARGET" rest-unreachable "$REPLY" \
    "check that the JobManager's REST port is $REST_PORT (rest.port) and that this pod may reach $REST_HOST"
}

# Sends REST_STATUS and REST_BODY, the answer to GET $1, as a record.
rest_emit() { # path
  local jpath jbody
  json_str "$1"; jpath=$REPLY
  json_str "$REST_BODY"; jbody=$REPLY
  emit "{\"type\":\"rest\",\"path\":$jpath,\"status\":$REST_STATUS,\"body\":$jbody}"
  REST_SENT=$((REST_SENT + 1))
}

# The unique 32-hex values of "KEY":"<id>" in $REST_BODY, in order, in REST_IDS (array). Bash's own
# matching, no grep: the helper forks nothing per answer (a fork costs tens of ms in a busy pod).
rest_ids() { # key
  local -A seen=()
  local rest=$REST_BODY re="\"$1\":\"([0-9a-f]{32})\""
  REST_IDS=()
  while [[ $rest =~ $re ]]; do
    rest=${rest#*"${BASH_REMATCH[0]}"}
    [[ -z ${seen[${BASH_REMATCH[1]}]:-} ]] || continue
    seen[${BASH_REMATCH[1]}]=1
    REST_IDS+=("${BASH_REMATCH[1]}")
  done
}

cmd_rest() {
  local url='' job='' jobs=() paths=() jid vid vertices p i s
  REST_TIMEOUT=10 REST_SENT=0
  while (($#)); do
    case $1 in
      -h | --help) usage && exit 0 ;;
    esac
    (($# >= 2)) || bad_input "option $1 needs a value"
    case $1 in
      --rest-url) url=$2 ;;
      --job) job=$2 ;;
      --timeout)
        valid_seconds "$2" 60 || bad_input "timeout must be whole seconds from 1 to 60, got '$2'"
        REST_TIMEOUT=$REPLY
        ;;
      *) bad_input "unknown option for rest: $1" ;;
    esac
    shift 2
  done
  [[ -n $url ]] || bad_input "rest needs --rest-url http://HOST:PORT (the JobManager's REST address as this pod sees it)"
  [[ $url =~ ^http://([A-Za-z0-9]([A-Za-z0-9.-]{0,252}))(:([0-9]{1,5}))?/?$ ]] \
    || bad_input "--rest-url must be http://HOST[:PORT] with a DNS name or IPv4 address, got '$url'" "https and paths are not supported"
  REST_HOST=${BASH_REMATCH[1]}
  REST_PORT=8081
  if [[ -n ${BASH_REMATCH[4]} ]]; then
    decimal_in "${BASH_REMATCH[4]}" 1 65535 || bad_input "port out of range in --rest-url, got '$url'"
    REST_PORT=$REPLY
  fi
  [[ -z $job || $job =~ $REST_ID ]] || bad_input "--job must be a Flink job id (32 hex digits), got '$job'"
  # The name is looked up once, not by every GET's connection (a cluster's search domains make each
  # lookup several DNS queries); the Host header still names it. Unresolved here: rest_get says so.
  REST_ADDR=$REST_HOST
  if [[ ! $REST_HOST =~ ^[0-9.]+$ ]]; then
    local addr=''
    read -r addr _ < <(getent hosts "$REST_HOST" 2> /dev/null || true) || true
    [[ -n $addr ]] && REST_ADDR=$addr
  fi

  rest_record /jobs/overview
  ((REST_STATUS == 200)) || die "$EXIT_TARGET" rest-failed "GET /jobs/overview answered HTTP $REST_STATUS: ${REST_BODY:0:200}" \
    "check that $REST_HOST:$REST_PORT is the JobManager's REST endpoint"
  if [[ -n $job ]]; then
    jobs=("$job")
  else
    # GET /jobs lists {"id","status"} pairs in that order (Flink 1.18 to 2.3): the running ones.
    rest_get /jobs || die "$EXIT_TARGET" rest-unreachable "$REPLY" "check the JobManager's REST address"
    local running='"id":"([0-9a-f]{32})","status":"RUNNING"' rest=$REST_BODY
    while [[ $rest =~ $running ]]; do
      rest=${rest#*"${BASH_REMATCH[0]}"}
      jobs+=("${BASH_REMATCH[1]}")
    done
  fi
  for jid in "${jobs[@]}"; do
    rest_record "/jobs/$jid"
    ((REST_STATUS == 200)) || continue
    # Vertex ids: the "id" entries (the plan's nodes repeat them); the job's own is "jid".
    rest_ids id
    vertices=("${REST_IDS[@]}")
    # Each vertex's places and load, then (their parallelism known) each subtask's load.
    paths=()
    for vid in "${vertices[@]}"; do
      paths+=("/jobs/$jid/vertices/$vid" "/jobs/$jid/vertices/$vid/subtasks/metrics?$REST_METRICS&agg=max,avg")
    done
    rest_records "${paths[@]}"
    paths=()
    for i in "${!vertices[@]}"; do
      ((REST_STATUSES[2 * i] == 200)) || continue
      p=0
      [[ ${REST_BODIES[2 * i]} =~ \"parallelism\":([0-9]{1,9}) ]] && p=$((10#${BASH_REMATCH[1]}))
      for ((s = 0; s < p && s < 4096; s++)); do
        paths+=("/jobs/$jid/vertices/${vertices[i]}/subtasks/$s/metrics?$REST_METRICS")
      done
    done
    ((${#paths[@]} == 0)) || rest_records "${paths[@]}"
  done
  # The last line: the reader has every answer once it sees this, without waiting for the process to end.
  emit "{\"type\":\"rest-end\",\"records\":$REST_SENT}"
}
