#!/usr/bin/env bash
# Compile time of `#[retry]` against hand-written retry loops, and the clean build of the
# facade.
#
#   bash benches/compile_time.sh          # N=300 functions, 5 builds each, dev and release
#   N=100 REPS=1 bash benches/compile_time.sh
#
# Two generated crates in one temporary workspace, with the same dependencies (the facade
# and tokio) and the same N functions, half sync and half async: one writes
# `#[retry(...)]` on each, the other a hand-written loop. The dependencies are built
# once; then each crate alone is rebuilt REPS times (after touching its source, with
# incremental compilation off, so that each rebuild compiles the whole crate) and the
# median wall time is taken. Prints markdown tables.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-300}
REPS=${REPS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Our own target directories: the generated crates', and one for the clean facade build.
TARGET="$WORK/target"
CLEAN_TARGET="$WORK/clean-target"

mkdir -p "$WORK/annotated/src" "$WORK/hand/src"
cat >"$WORK/Cargo.toml" <<EOF
[workspace]
members = ["annotated", "hand"]
resolver = "2"
EOF
# The main workspace's lock file pins the same versions (and needs no network).
cp "$ROOT/Cargo.lock" "$WORK/Cargo.lock"
for crate in annotated hand; do
  cat >"$WORK/$crate/Cargo.toml" <<EOF
[package]
name = "$crate"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
retry = { package = "retry-attr", path = "$ROOT" }
tokio = { version = "1", default-features = false, features = ["time"] }
EOF
done

half=$((N / 2))
{
  echo '//! Generated: N functions under #[retry].'
  echo 'use std::io;'
  for i in $(seq 1 "$half"); do
    cat <<EOF
#[retry::retry(expo(base = 2, factor = "10ms"), jitter = none, max_tries = 4)]
pub fn sync_$i(x: &u64) -> io::Result<u64> {
    if *x == $i { Err(io::Error::other("busy")) } else { Ok(*x + $i) }
}
#[retry::retry(expo(base = 2, factor = "10ms"), jitter = none, max_tries = 4)]
pub async fn async_$i(x: &u64) -> io::Result<u64> {
    if *x == $i { Err(io::Error::other("busy")) } else { Ok(*x + $i) }
}
EOF
  done
} >"$WORK/annotated/src/lib.rs"
{
  echo '//! Generated: N hand-written retry loops.'
  echo 'use std::io;'
  echo 'use std::time::Duration;'
  for i in $(seq 1 "$half"); do
    cat <<EOF
pub fn sync_$i(x: &u64) -> io::Result<u64> {
    let mut tries = 1;
    let mut wait = Duration::from_millis(10);
    loop {
        let outcome = if *x == $i { Err(io::Error::other("busy")) } else { Ok(*x + $i) };
        match outcome {
            Ok(v) => return Ok(v),
            Err(e) if tries >= 4 => return Err(e),
            Err(_) => {
                std::thread::sleep(wait);
                wait *= 2;
                tries += 1;
            }
        }
    }
}
pub async fn async_$i(x: &u64) -> io::Result<u64> {
    let mut tries = 1;
    let mut wait = Duration::from_millis(10);
    loop {
        let outcome = async { if *x == $i { Err(io::Error::other("busy")) } else { Ok(*x + $i) } }.await;
        match outcome {
            Ok(v) => return Ok(v),
            Err(e) if tries >= 4 => return Err(e),
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait *= 2;
                tries += 1;
            }
        }
    }
}
EOF
  done
} >"$WORK/hand/src/lib.rs"

now() { date +%s.%N; }

# The median of REPS rebuilds of one crate, in seconds.
median_build() {
  local crate=$1 profile=$2 times=() start end
  for _ in $(seq 1 "$REPS"); do
    touch "$WORK/$crate/src/lib.rs"
    start=$(now)
    (cd "$WORK" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$TARGET" cargo build --quiet $profile -p "$crate")
    end=$(now)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'
}

echo "### Compile time: $N functions (half sync, half async), median of $REPS rebuilds of the crate alone"
echo
echo "| profile | $N hand-written loops (s) | $N \`#[retry]\` functions (s) | ratio |"
echo "|---|---:|---:|---:|"
for profile in "" "--release"; do
  # Dependencies once, for both crates.
  (cd "$WORK" && CARGO_INCREMENTAL=0 CARGO_TARGET_DIR="$TARGET" cargo build --quiet $profile --workspace)
  hand=$(median_build hand "$profile")
  annotated=$(median_build annotated "$profile")
  ratio=$(awk -v a="$annotated" -v h="$hand" 'BEGIN {printf "%.2f", a / h}')
  printf '| %s | %s | %s | %s |\n' "${profile:-dev}" "$hand" "$annotated" "$ratio"
done
echo

echo "### Clean build of the facade (default features), dev profile"
echo
start=$(now)
(cd "$ROOT" && CARGO_TARGET_DIR="$CLEAN_TARGET" cargo build --quiet -p retry-attr)
end=$(now)
printf '| build | wall time (s) |\n|---|---:|\n| `cargo build -p retry-attr` from nothing | %s |\n' \
  "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')"
