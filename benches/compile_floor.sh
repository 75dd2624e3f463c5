#!/usr/bin/env bash
# compile_floor (issue 14): what the compiler pays for the program of `compile_time.sh`
# written four ways, in instructions (callgrind over the program's own `rustc`, which the
# machine's load does not move): as `async fn`s on tokio; as `async fn`s on this runtime with
# `.await` at the pause points only (what a macro that knew which calls pause would have to
# produce at the least); the same under a do-nothing `syn` attribute on every fn (the cost
# of running any attribute macro); and as `#[task]` fns. Needs valgrind.
#
#     bash benches/compile_floor.sh [N]      # N = 40 by default (200: minutes per build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-40}
root=$PWD
out=$root/target/compile-floor
mkdir -p "$out"
export CARGO_TARGET_DIR=$out/target
# The do-nothing attribute: parse the fn with the `syn` features of `scheduler-macros`, give
# it back.
mkdir -p "$out/attr/src"
rm -f "$out/attr/Cargo.toml" "$out/attr/src/lib.rs"
syn=$(grep '^syn = ' scheduler-macros/Cargo.toml)
cat >"$out/attr/Cargo.toml" <<TOML
[package]
name = "noop"
version = "0.0.0"
edition = "2021"
publish = false
[lib]
proc-macro = true
[dependencies]
proc-macro2 = "1"
quote = "1"
$syn
[workspace]
TOML
cat >"$out/attr/src/lib.rs" <<'RS'
use proc_macro::TokenStream;
#[proc_macro_attribute]
pub fn noop(_args: TokenStream, item: TokenStream) -> TokenStream {
    let f = syn::parse_macro_input!(item as syn::ItemFn);
    quote::quote!(#f).into()
}
RS
gen() { # gen <flavour>: tokio | async | noop | task
  local flavour=$1 dir=$out/$1 dep
  mkdir -p "$dir/src"
  rm -f "$dir/Cargo.toml" "$dir/src/main.rs"
  case $flavour in
  tokio) dep='tokio = { version = "1", features = ["rt", "time", "macros"] }' ;;
  noop) dep="scheduler = { path = \"$root/scheduler\", package = \"plain-scheduler\" }
noop = { path = \"$out/attr\" }" ;;
  *) dep="scheduler = { path = \"$root/scheduler\", package = \"plain-scheduler\" }" ;;
  esac
  printf '[package]\nname = "floor-%s"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n[dependencies]\n%s\n[workspace]\n' \
    "$flavour" "$dep" >"$dir/Cargo.toml"
  local rt=scheduler yield="scheduler::yield_now()" attr="" aw=".await"
  case $flavour in
  tokio) yield="tokio::task::yield_now()" ;;
  noop) attr="#[noop::noop]" ;;
  task) attr="#[scheduler::task]" aw="" ;;
  esac
  [ "$flavour" = tokio ] && rt=tokio::time
  {
    echo "use std::time::Duration;"
    for i in $(seq 1 "$n"); do
      [ -n "$attr" ] && echo "$attr"
      if [ "$flavour" = task ]; then echo "fn f$i(x: u64, name: &str) -> u64 {"; else echo "async fn f$i(x: u64, name: &str) -> u64 {"; fi
      echo "    if x % 7 == 0 { $yield$aw; }"
      [ $((i % 20)) -ne 1 ] && echo "    let y = f$((i - 1))(x + 1, name)$aw;" || echo "    let y = x;"
      echo "    $rt::sleep(Duration::from_nanos(1))$aw;"
      echo "    y + name.len() as u64 + $i"
      echo "}"
    done
    heads=$(seq 20 20 "$n")
    case $flavour in
    tokio) echo "#[tokio::main(flavor = \"current_thread\")] async fn main() { println!(\"{}\", 0 $(for h in $heads; do printf '+ f%s(1, "x").await ' "$h"; done)); }" ;;
    task)
      echo "#[scheduler::task]"
      echo "fn all() -> u64 { 0 $(for h in $heads; do printf '+ f%s(1, "x") ' "$h"; done) }"
      echo "fn main() { println!(\"{}\", scheduler::Scheduler::new().run_until_finished(all, ())); }" ;;
    *)
      echo "async fn all() -> u64 { 0 $(for h in $heads; do printf '+ f%s(1, "x").await ' "$h"; done) }"
      echo "fn main() { println!(\"{}\", scheduler::Scheduler::new().run_until_finished(move || scheduler::wait(all()), ())); }" ;;
    esac
  } >"$dir/src/main.rs"
}
printf '| program (%s fns) | clean: instructions | / tokio |\n|---|---:|---:|\n' "$n"
tokio_count=""
for flavour in tokio async noop task; do
  gen "$flavour"
  # Built once (its dependencies, not measured), then the crate's own `rustc` under callgrind.
  (cd "$out/$flavour" && CARGO_INCREMENTAL=0 cargo build -q && touch src/main.rs &&
    CARGO_INCREMENTAL=0 cargo build -v 2>&1 | grep "Running .*crate-name floor" |
    sed 's/^ *Running `//; s/`$//' >"$out/$flavour.cmd")
  touch "$out/$flavour/src/main.rs"
  (cd "$out/$flavour" && valgrind --tool=callgrind --trace-children=yes \
    --callgrind-out-file="$out/cg.%p.out" bash -c "$(cat "$out/$flavour.cmd")" >/dev/null 2>"$out/cg.err")
  count=$(grep -h "Collected" "$out/cg.err" | awk '{ s += $4 } END { printf "%.1f", s / 1e6 }')
  rm -f "$out"/cg.*.out
  [ -z "$tokio_count" ] && tokio_count=$count
  printf '| %s | %s M | %sx |\n' "$flavour" "$count" "$(echo "scale=2; $count / $tokio_count" | bc)"
done
