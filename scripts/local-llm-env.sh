#!/usr/bin/env bash
# The real model server for the LLM tests (syda/tests/llm_local.rs and the
# CLI's CRM test): llama.cpp's llama-server with SmolLM2-135M-Instruct, built
# once and cached by ../shared/tools/local-llm (about 15 minutes on 2 cores the
# first time, under ~/.cache/syda-local-llm).
#
#   eval "$(scripts/local-llm-env.sh start)"   build if needed, start, export SYDA_TEST_LLM_URL/_MODEL
#   scripts/local-llm-env.sh stop              stop the server this started
#
# PORT (default 18434) picks the port; LOCAL_LLM the tool. A server already
# listening on PORT (started by this script earlier) is reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tool=${LOCAL_LLM:-}
if [ -z "$tool" ]; then
    for candidate in "$root/../shared/tools/local-llm" /work/shared/tools/local-llm; do
        [ -x "$candidate" ] && { tool=$candidate; break; }
    done
fi
[ -n "$tool" ] && [ -x "$tool" ] || { echo "local-llm tool not found; set LOCAL_LLM" >&2; exit 1; }
port=${PORT:-18434}
# GGML_NATIVE builds ggml's AMX kernels on CPUs that have AMX; on virtual machines that do not grant
# guests the AMX state, llama-server then dies with a general protection fault at start. Build
# without them there, in a cache of its own so a binary built with them is not reused.
if grep -qw amx_tile /proc/cpuinfo 2>/dev/null; then
    amx_off="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
    export CFLAGS="${CFLAGS:+$CFLAGS }$amx_off" CXXFLAGS="${CXXFLAGS:+$CXXFLAGS }$amx_off"
    export SYDA_LOCAL_LLM_HOME=${SYDA_LOCAL_LLM_HOME:-$HOME/.cache/syda-local-llm-noamx}
fi
case "${1:-start}" in
    start)
        "$tool" build >&2
        if ! curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
            "$tool" start "$port" >&2
        fi
        "$tool" env "$port"
        ;;
    stop) "$tool" stop "$port" ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
