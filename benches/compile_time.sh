#!/usr/bin/env bash
# compile_time (issue 14): how long a program of N `#[task]` fns calling each other takes to
# build, against the same program as `async fn`s on tokio (chains of 20 calls, each fn
# pausing twice). Both are generated here, depend
# on their runtime by path/registry (built once first, not timed), and are timed three
# times each, alternating: a clean build of the program's own crate (`cargo clean -p`), and an
# incremental one after one fn's body changed.
#
#     bash benches/compile_time.sh [N]      # N = 200 by default
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
root=$PWD
out=$root/target/compile-bench
mkdir -p "$out"

gen() { # gen <dir> <ours|tokio>
  local dir=$1 flavour=$2
  mkdir -p "$dir/src"
  # Written as new files: a copy of target/ made with hard links shares these with the
  # checkout it was copied from, and `>` would write through to that one's.
  rm -f "$dir/Cargo.toml" "$dir/src/main.rs"
  if [ "$flavour" = ours ]; then
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "compile-bench-ours"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
scheduler = { path = "$root/scheduler", package = "plain-scheduler" }
[workspace]
TOML
  else
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "compile-bench-tokio"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
tokio = { version = "1", features = ["rt", "time", "macros"] }
[workspace]
TOML
  fi
  {
    echo "use std::time::Duration;"
    for i in $(seq 1 "$n"); do
      local prev=$((i - 1))
      if [ "$flavour" = ours ]; then
        echo "#[scheduler::task]"
        echo "fn f$i(x: u64, name: &str) -> u64 {"
        echo "    if x % 7 == 0 { scheduler::yield_now(); }"
        # Chains of 20 calls: deeper nesting reaches rustc's recursion limit for
        # instantiating nested futures (128) on every runtime.
        [ $((i % 20)) -ne 1 ] && echo "    let y = f$prev(x + 1, name);" || echo "    let y = x;"
        echo "    scheduler::sleep(Duration::from_nanos(1));"
        echo "    y + name.len() as u64 + $i"
        echo "}"
      else
        echo "async fn f$i(x: u64, name: &str) -> u64 {"
        echo "    if x % 7 == 0 { tokio::task::yield_now().await; }"
        [ $((i % 20)) -ne 1 ] && echo "    let y = f$prev(x + 1, name).await;" || echo "    let y = x;"
        echo "    tokio::time::sleep(Duration::from_nanos(1)).await;"
        echo "    y + name.len() as u64 + $i"
        echo "}"
      fi
    done
    # Every chain's head is called, so that no fn is dead code on either side.
    heads=$(seq 20 20 "$n")
    if [ "$flavour" = ours ]; then
      echo "#[scheduler::task]"
      echo "fn all() -> u64 { 0 $(for h in $heads; do printf '+ f%s(1, "x") ' "$h"; done) }"
      echo "fn main() { let s = scheduler::Scheduler::new(); println!(\"{}\", s.run_until_finished(all, ())); }"
    else
      echo "#[tokio::main(flavor = \"current_thread\")] async fn main() { println!(\"{}\", 0 $(for h in $heads; do printf '+ f%s(1, "x").await ' "$h"; done)); }"
    fi
  } >"$dir/src/main.rs"
}

time_build() { # time_build <dir> -> "wall cpu" seconds (cpu: user + sys of cargo and rustc)
  rm -f "$out/time"
  /usr/bin/time -f "%e %U %S" -o "$out/time" \
    cargo build -q --manifest-path "$1/Cargo.toml" --target-dir "$out/target" 2>/dev/null
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$out/time"
}

for flavour in ours tokio; do
  gen "$out/$flavour" "$flavour"
  cargo build -q --manifest-path "$out/$flavour/Cargo.toml" --target-dir "$out/target"
done

# The runs alternate (ours, tokio, ours, ...), so that a change in the machine's load
# falls on both; each run's ratio is printed beside the medians. CPU time (user + sys) is
# given beside wall time: on a shared machine it moves less with the load.
printf '| build (%s fns) | ours: wall, cpu (s) | tokio async fn: wall, cpu (s) | ours / tokio: wall, cpu (medians) | per run: wall, cpu |\n|---|---|---|---:|---|\n' "$n"
median() { printf '%s\n' $1 | sort -n | sed -n 2p; }
ratio() { echo "scale=2; $1 / $2" | bc; }
declare -A m=()
for kind in clean incremental; do
  declare -A runs=([ours-wall]="" [ours-cpu]="" [tokio-wall]="" [tokio-cpu]="")
  per_run=""
  for _ in 1 2 3; do
    declare -A this=()
    for flavour in ours tokio; do
      if [ "$kind" = clean ]; then
        cargo clean -q -p "compile-bench-$flavour" --manifest-path "$out/$flavour/Cargo.toml" --target-dir "$out/target"
      else
        # One fn's body changes (and changes back on the next run).
        sed -i "s/y + name.len() as u64 + 1\$/y + name.len() as u64 + 1 + 0/;t;s/y + name.len() as u64 + 1 + 0\$/y + name.len() as u64 + 1/" "$out/$flavour/src/main.rs"
      fi
      read -r wall cpu <<<"$(time_build "$out/$flavour")"
      this[$flavour-wall]=$wall this[$flavour-cpu]=$cpu
      runs[$flavour-wall]+="$wall " runs[$flavour-cpu]+="$cpu "
    done
    per_run+="$(ratio "${this[ours-wall]}" "${this[tokio-wall]}")x, $(ratio "${this[ours-cpu]}" "${this[tokio-cpu]}")x; "
  done
  for key in ours-wall ours-cpu tokio-wall tokio-cpu; do
    m[$key]=$(median "${runs[$key]}")
  done
  printf '| %s | %s, %s (walls: %s) | %s, %s (walls: %s) | %sx, %sx | %s |\n' "$kind" \
    "${m[ours-wall]}" "${m[ours-cpu]}" "${runs[ours-wall]}" \
    "${m[tokio-wall]}" "${m[tokio-cpu]}" "${runs[tokio-wall]}" \
    "$(ratio "${m[ours-wall]}" "${m[tokio-wall]}")" "$(ratio "${m[ours-cpu]}" "${m[tokio-cpu]}")" "$per_run"
done
