"""Prints the Markdown tables of benches/RESULTS.md from criterion's output:
`python3 benches/results.py` after `cargo bench --bench compare`.

Reads target/criterion/<group>/<runtime>/new/estimates.json (medians, in ns). For each
workload, the ratio is ours / the faster of the others (tokio current_thread and
LocalExecutor; on two threads, tokio multi_thread and Executor).
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
WORKLOADS = ["spawn_many", "yield_many", "ping_pong", "chained_spawn"]
SINGLE = ["ours", "tokio_current_thread", "local_executor"]
MULTI = ["ours", "tokio_multi_thread", "executor"]
PARALLEL = ["fan_out_imbalanced", "spawn_many_remote_busy", "steal_latency"]


def median(group, name):
    """The median time of one benchmark in ns, or None when it did not run."""
    path = ROOT / group / name / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns):
    if ns is None:
        return "pending"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e3:.1f} µs"


def table(title, suffix, runtimes, workloads=WORKLOADS):
    print(f"### {title}\n")
    print("| workload | " + " | ".join(runtimes) + " | ours / fastest other |")
    print("|---|" + "---:|" * (len(runtimes) + 1))
    for workload in workloads:
        times = [median(workload + suffix, r) for r in runtimes]
        others = [t for t in times[1:] if t is not None]
        if times[0] is None or not others:
            ratio = "pending"
        else:
            ratio = f"{times[0] / min(others):.2f}x"
        print(f"| {workload} | " + " | ".join(fmt(t) for t in times) + f" | {ratio} |")
    print()


table("One thread", "", SINGLE)
table("Two threads", "_2_threads", MULTI)
# Issue 16: whether an idle worker takes work from a busy one, and how soon.
table("Two threads, parallel (issue 16)", "_2_threads", MULTI, PARALLEL)
task, hand = median("macro_overhead", "task_fn"), median("macro_overhead", "async_fn")
print("### macro_overhead (ours only)\n")
print("| `#[task]` fn | same body as `async fn` | task / async |")
print("|---:|---:|---:|")
ratio = f"{task / hand:.2f}x" if task and hand else "pending"
print(f"| {fmt(task)} | {fmt(hand)} | {ratio} |")
