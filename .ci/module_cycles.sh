#!/usr/bin/env bash
# The module imports of `scheduler/src`, and the circles among them.
#
#   bash .ci/module_cycles.sh           # prints the circles of more than two files; exit 1 if any
#   bash .ci/module_cycles.sh --edges   # also prints every edge, "from -> to (count)"
#
# An edge goes from a file to the file of a module it names: `use crate::a::b`,
# `use super::x`, `use self::child::y`, `use child::z` (a child module), and the same paths
# written inline (`crate::a::f()`). A path through a re-export (`crate::Pause`, which
# `lib.rs` re-exports from `pause.rs`; `crate::waiting::Scope`) counts as an edge to the
# file that defines the item. `mod` declarations are no edges, and `lib.rs` is no node (it
# holds docs, `mod`s and re-exports only). A parent and its child module may know each other
# (`pool.rs` and `pool/worker.rs`): a circle of two files is allowed, one of three or more is
# not. A file's unit tests (`mod tests { .. }`) are left out. Plain shell and POSIX awk: runs on a fresh clone with nothing installed.
set -euo pipefail
cd "$(dirname "$0")/.."

edges_too=0
[ "${1:-}" = "--edges" ] && edges_too=1

src=scheduler/src
# Every file with its module path: lib.rs is `crate`, a/mod.rs and a.rs are `a`, a/b.rs `a::b`.
files=$(cd "$src" && find . -name '*.rs' | sed 's|^\./||' | LC_ALL=C sort)

for f in $files; do
  m=${f%.rs}
  m=${m%/mod}
  [ "$m" = lib ] && m=crate || m="crate/$m"
  printf '@file %s %s\n' "$f" "${m//\//::}"
  cat "$src/$f"
  printf '\n'
done | awk -v edges_too="$edges_too" '
function strip_comments(line,    out, i, c, n, in_str) {
  # Drops `//` comments (and doc comments), keeping `//` inside string literals.
  out = ""; in_str = 0; n = length(line)
  for (i = 1; i <= n; i++) {
    c = substr(line, i, 1)
    if (in_str) {
      if (c == "\\") { out = out c substr(line, i + 1, 1); i++; continue }
      if (c == "\"") in_str = 0
    } else if (c == "\"") {
      in_str = 1
    } else if (c == "/" && substr(line, i + 1, 1) == "/") {
      break
    }
    out = out c
  }
  return out
}
# Expands `a::{b, c::{d, e}}` into "a::b a::c::d a::c::e" (space-separated).
function expand(s,    i, depth, c, open, head, inner, rest, parts, item, out) {
  gsub(/[ \t]+as[ \t]+[A-Za-z0-9_]+/, "", s)
  gsub(/[ \t]+/, "", s)
  open = index(s, "{")
  if (open == 0) return s
  head = substr(s, 1, open - 1)
  depth = 0
  for (i = open; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "{") depth++
    else if (c == "}") { depth--; if (depth == 0) break }
  }
  inner = substr(s, open + 1, i - open - 1)
  out = ""; item = ""; depth = 0
  for (i = 1; i <= length(inner); i++) {
    c = substr(inner, i, 1)
    if (c == "{") depth++
    if (c == "}") depth--
    if (c == "," && depth == 0) { if (item != "") out = out " " expand(head item); item = ""; continue }
    item = item c
  }
  if (item != "") out = out " " expand(head item)
  return out
}
function parent(m,    i, last) {
  last = 0
  for (i = 1; i <= length(m) - 1; i++) if (substr(m, i, 2) == "::") last = i
  return last ? substr(m, 1, last - 1) : "crate"
}
# The module a path starts from, seen from module `m`, or "" when it names no module of ours.
function base_of(first, m) {
  if (first == "crate" || first == "$crate") return "crate"
  if (first == "super") return parent(m)
  if (first == "self") return m
  if ((m "::" first) in is_mod) return m "::" first
  return ""
}
# The file a path names, seen from module `m`: the deepest module on it, then, if the next
# name is a re-export of that module, the module it comes from.
function resolve(path, m,    n, seg, i, cur, next_mod, hops) {
  sub(/::\*$/, "", path); sub(/::self$/, "", path)
  n = split(path, seg, "::")
  cur = base_of(seg[1], m)
  if (cur == "") return ""
  for (i = 2; i <= n; i++) {
    if (seg[i] == "super") { cur = parent(cur); continue }
    next_mod = cur "::" seg[i]
    if (next_mod in is_mod) { cur = next_mod; continue }
    break
  }
  hops = 0
  while (i <= n && ((cur SUBSEP seg[i]) in reexport) && hops++ < 8) {
    cur = reexport[cur, seg[i]]
    i++
    while (i <= n && ((cur "::" seg[i]) in is_mod)) { cur = cur "::" seg[i]; i++ }
  }
  return cur
}
{
  if ($1 == "@file") { nfiles++; fname[nfiles] = $2; fmod[nfiles] = $3; is_mod[$3] = 1; file_of[$3] = $2; inline = 0; next }
  line = strip_comments($0)
  # Unit tests (`mod tests { .. }`): their `super::` is the file itself; skipped.
  if (!inline && line ~ /^[ \t]*mod[ \t]+tests[ \t]*\{/) inline = 1
  if (inline) {
    opens = gsub(/\{/, "{", line); closes = gsub(/\}/, "}", line)
    depth += opens - closes
    if (depth <= 0) { inline = 0; depth = 0 }
    next
  }
  text[nfiles] = text[nfiles] " " line
}
END {
  # Every `use` statement of every file, expanded; `pub use` also records re-exports.
  for (f = 1; f <= nfiles; f++) {
    t = text[f]; rest = ""
    while (match(t, /(^|[^A-Za-z0-9_])use[ \t]+[^;]*;/)) {
      stmt = substr(t, RSTART, RLENGTH)
      is_pub = (substr(t, 1, RSTART) ~ /pub(\([a-z]+\))?[ \t]*$/)
      rest = rest substr(t, 1, RSTART)
      t = substr(t, RSTART + RLENGTH)
      sub(/^[^u]*use[ \t]+/, "", stmt); sub(/;$/, "", stmt)
      k = split(expand(stmt), paths, " ")
      for (j = 1; j <= k; j++) {
        if (paths[j] == "") continue
        nuses[f]++; uses[f, nuses[f]] = paths[j]
        if (is_pub) {
          p = paths[j]; name = p
          sub(/^.*::/, "", name)
          pending_n++; pending_f[pending_n] = f; pending_p[pending_n] = p; pending_name[pending_n] = name
        }
      }
    }
    code[f] = rest t
  }
  # Re-exports resolve to the module they name (a few passes: one may go through another).
  for (pass = 1; pass <= 4; pass++)
    for (r = 1; r <= pending_n; r++) {
      f = pending_f[r]; target = resolve(pending_p[r], fmod[f])
      if (target != "" && target != fmod[f]) reexport[fmod[f], pending_name[r]] = target
    }
  for (f = 1; f <= nfiles; f++) {
    m = fmod[f]
    for (j = 1; j <= nuses[f]; j++) add_edge(m, resolve(uses[f, j], m))
    # Inline paths: crate::a::b, super::x, self::y, and child::z for a child module.
    t = code[f]
    while (match(t, /(\$?crate|super|self|[a-z_][a-z0-9_]*)(::[A-Za-z_][A-Za-z0-9_]*)+/)) {
      p = substr(t, RSTART, RLENGTH)
      before = RSTART > 1 ? substr(t, RSTART - 1, 1) : " "
      t = substr(t, RSTART + RLENGTH)
      if (before ~ /[A-Za-z0-9_:]/) continue
      add_edge(m, resolve(p, m))
    }
  }
  if (edges_too) {
    for (e in count) { split(e, ab, SUBSEP); printf "%s -> %s (%d)\n", file_of[ab[1]], file_of[ab[2]], count[e] }
    print ""
  }
  # Strongly connected components (Tarjan, recursive: the graph is small).
  idx = 0; top = 0; ncomp = 0
  for (f = 1; f <= nfiles; f++) if (fmod[f] != "crate" && !(fmod[f] in index_of)) tarjan(fmod[f])
  bad = 0
  for (c = 1; c <= ncomp; c++) {
    size = comp_size[c]
    if (size < 2) continue
    # A circle of two files at most iff every edge inside goes both ways and the files and
    # those edges form a tree (size - 1 pairs); otherwise some circle has three or more.
    pairs = 0; oneway = 0; list = ""
    for (i = 1; i <= size; i++) list = list " " file_of[comp[c, i]]
    for (i = 1; i <= size; i++) for (j = 1; j <= size; j++) {
      a = comp[c, i]; b = comp[c, j]
      if (!((a SUBSEP b) in count)) continue
      if ((b SUBSEP a) in count) { if (i < j) pairs++ } else oneway++
    }
    if (oneway == 0 && pairs == size - 1) continue
    bad++
    inner = 0
    for (i = 1; i <= size; i++) for (j = 1; j <= size; j++)
      if ((comp[c, i] SUBSEP comp[c, j]) in count) inner += count[comp[c, i], comp[c, j]]
    printf "circle of %d files (%d imports among them):%s\n", size, inner, list
    for (i = 1; i <= size; i++) for (j = 1; j <= size; j++)
      if ((comp[c, i] SUBSEP comp[c, j]) in count)
        printf "  %s -> %s (%d)\n", file_of[comp[c, i]], file_of[comp[c, j]], count[comp[c, i], comp[c, j]]
  }
  if (bad) { printf "%d circle(s) of more than two files among the modules of scheduler/src\n", bad; exit 1 }
  print "no circle of more than two files among the modules of scheduler/src"
}
function add_edge(a, b) {
  if (b == "" || b == a || b == "crate" || a == "crate") return
  count[a, b]++
  if (!((a, b) in seen)) { seen[a, b] = 1; nsucc[a]++; succ[a, nsucc[a]] = b }
}
function tarjan(v,    i, w) {
  idx++; index_of[v] = idx; low[v] = idx; top++; stack[top] = v; on_stack[v] = 1
  for (i = 1; i <= nsucc[v]; i++) {
    w = succ[v, i]
    if (!(w in index_of)) { tarjan(w); if (low[w] < low[v]) low[v] = low[w] }
    else if (on_stack[w] && index_of[w] < low[v]) low[v] = index_of[w]
  }
  if (low[v] == index_of[v]) {
    ncomp++; comp_size[ncomp] = 0
    do { w = stack[top--]; on_stack[w] = 0; comp_size[ncomp]++; comp[ncomp, comp_size[ncomp]] = w } while (w != v)
  }
}
'
