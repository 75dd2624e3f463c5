#!/usr/bin/env bash
# ThreadSanitizer over the pool's tests: the ones that share tasks between threads, drop
# schedulers while other threads wake their tasks, and the drop races made every run by the
# test hooks. Nightly Rust with rust-src (std is rebuilt with TSan, `-Zbuild-std`); the
# build alone takes 5 minutes on 2 cores, so not part of CI: run it after touching the pool,
# its queues, parking or the close path. It passes when no test fails and TSan reports no data race.
#
#   bash tests/tsan.sh                # the default set below
#   bash tests/tsan.sh threads soak   # only these test files
set -euo pipefail
cd "$(dirname "$0")/.."

rustup toolchain install nightly --profile minimal --component rust-src >/dev/null 2>&1 ||
  rustup +nightly component add rust-src >/dev/null 2>&1 || true

target="$(rustc -vV | sed -n 's/^host: //p')"
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(threads sharing drops drop_scheduler pool_dropped_by_its_task drop_races)
fi
args=()
for t in "${tests[@]}"; do args+=(--test "$t"); done

# A separate target directory: a TSan build shares nothing with the normal one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/tsan}"
export RUSTFLAGS="-Zsanitizer=thread -Cdebuginfo=1"
export RUSTDOCFLAGS="-Zsanitizer=thread"
# Fail on the first report; the test harness's own threads are fine.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
# Tests that spawn themselves as a child process inherit it: the child is checked too.
cargo +nightly test -Zbuild-std --target "$target" --features test-hooks "${args[@]}" \
  -- --test-threads 2
echo "tsan: no data race in ${tests[*]}"
