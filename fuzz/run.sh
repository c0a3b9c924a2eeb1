#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: fuzz/run.sh [seconds per target] [target...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The toolchain here is stable, so
# RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(schema_yaml schema_json diesel_schema table_reader llm_reply fit_data upload_extract)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    # Committed seeds start each corpus; what the fuzzer adds stays local.
    # The example schemas and the Diesel test fixtures seed their targets.
    case "$target" in
        schema_yaml) cp -n ../examples/schemas/*.yaml "corpus/$target/" ;;
        diesel_schema) cp -n ../syda-diesel/tests/fixtures/*.rs "corpus/$target/" ;;
        *) cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true ;;
    esac
    echo "== $target: ${seconds}s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        2>&1 | grep -E "^(stat::|==|INFO: Running|Done|SUMMARY|.*(panicked|ERROR|crash|timeout|leak))" || true
done
