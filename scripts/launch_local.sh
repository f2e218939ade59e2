#!/usr/bin/env bash
# Runs one experiment (or run_all.sh) as N local processes of one jax.distributed job on
# 127.0.0.1: the same program, every process with the same options, each with its own
# --process_id. Process 0 writes results and figures; the others exit 0 after the last
# collective. Used by the tests (two CPU processes, gloo collectives) and handy for trying a
# multi-host launch on one machine.
#
#   scripts/launch_local.sh [-n N] [-p PORT] -- python -m experiments.majority_tree.saturation --profile=smoke
#   scripts/launch_local.sh -n 2 -- ./run_all.sh --profile smoke --only majority_tree
#
# Exit status: that of process 0, or the first non-zero status of the others.
set -euo pipefail
processes=2
port=$(( 20000 + RANDOM % 20000 ))
while [ $# -gt 0 ]; do
  case "$1" in
    -n) processes="$2"; shift 2 ;;
    -p) port="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "error: launch_local: unknown option $1; allowed: -n N, -p PORT, then -- COMMAND" >&2
       exit 2 ;;
  esac
done
if [ $# -eq 0 ] || ! [[ "$processes" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: launch_local: need -n N >= 1 and a command after --" >&2
  exit 2
fi
pids=()
for (( id = 1; id < processes; id++ )); do
  "$@" --coordinator_address="127.0.0.1:$port" --num_processes="$processes" \
       --process_id="$id" >/dev/null &
  pids+=($!)
done
status=0
"$@" --coordinator_address="127.0.0.1:$port" --num_processes="$processes" --process_id=0 \
  || status=$?
for pid in "${pids[@]}"; do
  wait "$pid" || { code=$?; [ "$status" -ne 0 ] || status=$code; }
done
exit "$status"
