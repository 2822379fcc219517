#!/usr/bin/env bash
# Everything in BENCHMARKS.md, in one command:
#
#   bash benches/run.sh
#
# 1. wall-clock ns per call (criterion, short runs: the machine may be shared);
# 2. instructions per call (callgrind; skipped, with a note, when valgrind is missing);
# 3. heap allocations per call and future sizes;
# 4. hedged-request latencies under tokio's paused clock;
# 5. compile time of 300 `#[retry]` functions against 300 hand-written loops, and the
#    clean build of the facade.
#
# The tables go to stdout and to $CARGO_TARGET_DIR/benchmarks/report.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
OUT="$CARGO_TARGET_DIR/benchmarks"
mkdir -p "$OUT"
REPORT="$OUT/report.md"

{
  echo "## Machine"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- cores (nproc): $(nproc)"
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "- memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "- $(rustc --version)"
  if command -v valgrind >/dev/null; then echo "- $(valgrind --version)"; fi
  echo
} >"$REPORT"

echo "== criterion (ns per call)" >&2
cargo bench -p retry-benches --bench wall -- --warm-up-time 1 --measurement-time 2 >"$OUT/criterion.log" 2>&1 \
  || { cat "$OUT/criterion.log" >&2; exit 1; }

echo "== build the harnesses: Cargo's default release profile, and fat LTO" >&2
cargo build --release -p retry-benches --bins --quiet
cargo build --profile lto -p retry-benches --bins --quiet

echo "== instructions (callgrind)" >&2
if command -v valgrind >/dev/null; then
  "$CARGO_TARGET_DIR/release/instructions" --criterion "$CARGO_TARGET_DIR/criterion" \
    --lto "$CARGO_TARGET_DIR/lto/instructions" >>"$REPORT"
else
  echo "_valgrind is not installed: no instruction counts (apt-get install valgrind)._" >>"$REPORT"
  echo >>"$REPORT"
fi

echo "== allocations and future sizes" >&2
echo "#### Cargo's default release profile" >>"$REPORT"
"$CARGO_TARGET_DIR/release/allocations" >>"$REPORT"
echo "#### fat LTO, one codegen unit" >>"$REPORT"
"$CARGO_TARGET_DIR/lto/allocations" >>"$REPORT"
echo >>"$REPORT"

echo "== hedging (tokio's paused clock: exact latencies)" >&2
echo "### Hedged requests against a long-tailed server (\`hedging\`, feature \`paused-clock\`)" >>"$REPORT"
echo >>"$REPORT"
cargo run --release -p retry-benches --features paused-clock --bin hedging --quiet >>"$REPORT"
echo >>"$REPORT"

echo "== compile time" >&2
bash "$ROOT/benches/compile_time.sh" >>"$REPORT"

cat "$REPORT"
