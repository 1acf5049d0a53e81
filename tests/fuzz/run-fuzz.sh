#!/bin/sh
# run-fuzz.sh BINARY MODE SECONDS SEEDS...: runs one fuzz target for the fuzz suite; SEEDS are
# directories (the target's own seeds, and fixtures the unit tests also read).
#   libfuzzer: fuzz for SECONDS, starting from SEEDS; new inputs go to a scratch corpus in the
#              build tree and crashes to fuzz-artifacts/ there (the failing input is named in
#              the log).
#   replay:    feed every seed once (non-clang builds).
set -eu
binary=$1 mode=$2 seconds=$3
shift 3
name=$(basename "$binary")

case $mode in
libfuzzer)
  work=$(pwd)/fuzz-work/$name
  artifacts=$(pwd)/fuzz-artifacts/$name
  mkdir -p "$work" "$artifacts"
  # A fixed seed, so that a run is the same run again and a submission is never refused for a
  # finding its change did not touch (tools/fuzz-long hunts with random seeds). GLib's slice
  # allocator hides allocations from LeakSanitizer and makes it slow enough that libFuzzer
  # turns leak detection off: plain malloc keeps it on.
  export G_SLICE=always-malloc
  # libFuzzer's own failure status is 77, which meson reads as "skipped": make it a failure.
  exec "$binary" -seed="${VIRTBUS_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 \
    -artifact_prefix="$artifacts/" "$work" "$@"
  ;;
replay)
  for dir in "$@"; do
    "$binary" "$dir"/*
  done
  ;;
*)
  echo "run-fuzz.sh: unknown mode '$mode'" >&2
  exit 2
  ;;
esac
