# shellcheck shell=bash
# flink-profiler: Transport records: a finished file as gzip+base64 chunk records on stdout (`--emit-records`, `encode`).
# Sourced by bin/flink-profiler, which sets the constants and globals used here.

format_of() { # file name -> format in REPLY
  case $1 in
    *.html) REPLY=html ;;
    *.collapsed | *.folded) REPLY=collapsed ;;
    *.jfr) REPLY=jfr ;;
    *.*) REPLY=${1##*.} ;;
    *) REPLY=bin ;;
  esac
}

# The records are made through two temporary copies (gzip, then base64) in TMPDIR, which is often not
# the output volume: when it is full, say so and name it, rather than blame the output volume.
temp_copy_failed() { # what path
  local kept=''
  ((${#KEPT_FILES[@]})) && kept="; the profile's files are kept: $(join_by ', ' "${KEPT_FILES[@]}")"
  die "$EXIT_PROFILER" encode-failed "could not write the $1 of ${2##*/} in ${TMPDIR:-/tmp} (full, or not writable?)$kept" \
    "set TMPDIR to a directory with room for a compressed copy of the profile"
}

# Compresses a file for its records into a temporary file; REPLY is that file's path.
compress_file() { # path
  local gz
  gz=$(mktemp "${TMPDIR:-/tmp}/flink-profiler-gz.XXXXXX") || temp_copy_failed "compressed copy" "$1"
  TEMP_FILES+=("$gz")
  gzip -c -n < "$1" > "$gz" || temp_copy_failed "compressed copy" "$1"
  REPLY=$gz
}

# How many chunk records the base64 of GZSIZE bytes of gzip fills.
chunk_count() { # gzsize
  # shellcheck disable=SC2017 # (n + 2) / 3 * 4 is base64's length: whole groups of 3 bytes, rounded up
  REPLY=$(((($1 + 2) / 3 * 4 + CHUNK_CHARS - 1) / CHUNK_CHARS))
}

# How many bytes of stdout the records of a file compressed to GZSIZE bytes take (header, chunks, end).
records_size() { # gzsize name-length
  chunk_count "$1"
  # shellcheck disable=SC2017 # base64's length, as above
  REPLY=$((($1 + 2) / 3 * 4 + REPLY * 48 + 256 + 2 * $2))
}

encode_file() { # id path format [compressed file]
  local id=$1 path=$2 format=$3 gz=${4:-} size sha gzsize chunks seq=0 line jname jformat
  size=$(stat -c %s -- "$path")
  sha=$(sha256sum < "$path")
  sha=${sha%% *}
  [[ -n $gz ]] || { compress_file "$path" && gz=$REPLY; }
  gzsize=$(stat -c %s -- "$gz")
  chunk_count "$gzsize"
  chunks=$REPLY
  json_str "${path##*/}"; jname=$REPLY
  json_str "$format"; jformat=$REPLY
  emit "{\"type\":\"file\",\"id\":\"$id\",\"name\":$jname,\"format\":$jformat,\"size\":$size,\"sha256\":\"$sha\",\"encoding\":\"gzip+base64\",\"chunks\":$chunks}"
  # Read from a file, not a pipe: bash reads a pipe one byte per system call.
  local b64
  b64=$(mktemp "${TMPDIR:-/tmp}/flink-profiler-b64.XXXXXX") || temp_copy_failed "base64 copy" "$path"
  TEMP_FILES+=("$b64")
  base64 -w "$CHUNK_CHARS" < "$gz" > "$b64" || temp_copy_failed "base64 copy" "$path"
  rm -f -- "$gz"
  while IFS= read -r line; do
    printf '{"type":"chunk","id":"%s","seq":%d,"data":"%s"}\n' "$id" "$seq" "$line"
    seq=$((seq + 1))
  done < "$b64"
  rm -f -- "$b64"
  ((seq == chunks)) || die "$EXIT_PROFILER" encode-failed "encoding ${path##*/} produced $seq chunks, expected $chunks" ""
  emit "{\"type\":\"end\",\"id\":\"$id\",\"chunks\":$chunks}"
}

cmd_encode() {
  (($# > 0)) || bad_input "encode needs at least one file"
  local f
  for f in "$@"; do
    [[ -f $f && -r $f ]] || bad_input "not a readable file: $f" "pass regular files to encode"
  done
  local n=0
  for f in "$@"; do
    n=$((n + 1))
    format_of "$f"
    encode_file "f$n" "$f" "$REPLY"
  done
}
