"""Prints the Markdown tables of benches/RESULTS.md from criterion's output:
`python3 benches/results.py` after `cargo bench --bench compare`, or, for several runs,
`python3 benches/results.py RUN1 RUN2 RUN3` with a copy of `target/criterion` per run.

Reads <run>/<group>/<runtime>/new/estimates.json (medians, in ns). For each workload, the
ratio is ours / the faster of the others (tokio current_thread and LocalExecutor; on two
threads, tokio multi_thread and Executor), taken within each run. With several runs, a time
is the median over the runs, and the ratio column gives the median ratio and its range
(lowest to highest) over the runs.
"""

import json
import pathlib
import sys

RUNS = [pathlib.Path(p) for p in sys.argv[1:]] or [pathlib.Path("target/criterion")]
WORKLOADS = ["spawn_many", "yield_many", "ping_pong", "chained_spawn"]
SINGLE = ["ours", "tokio_current_thread", "local_executor"]
MULTI = ["ours", "tokio_multi_thread", "executor"]
PARALLEL = ["fan_out_imbalanced", "spawn_many_remote_busy", "steal_latency"]


def median_of(values):
    values = sorted(values)
    return values[len(values) // 2]


def time(run, group, name):
    """The median time of one benchmark in ns in one run, or None when it did not run."""
    path = run / group / name / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns):
    if ns is None:
        return "pending"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e3:.1f} µs"


def spread(ratios):
    if not ratios:
        return "pending"
    if len(ratios) == 1:
        return f"{ratios[0]:.2f}x"
    return f"{median_of(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f})"


def table(title, suffix, runtimes, workloads=WORKLOADS):
    print(f"### {title}\n")
    over = f" (median of {len(RUNS)} runs)" if len(RUNS) > 1 else ""
    print(
        f"| workload{over} | " + " | ".join(runtimes) + " | ours / fastest other, per run |"
    )
    print("|---|" + "---:|" * (len(runtimes) + 1))
    for workload in workloads:
        per_run = [[time(run, workload + suffix, r) for r in runtimes] for run in RUNS]
        ratios = []
        for times in per_run:
            others = [t for t in times[1:] if t is not None]
            if times[0] is not None and others:
                ratios.append(times[0] / min(others))
        medians = []
        for i in range(len(runtimes)):
            values = [times[i] for times in per_run if times[i] is not None]
            medians.append(median_of(values) if values else None)
        print(
            f"| {workload} | " + " | ".join(fmt(t) for t in medians) + f" | {spread(ratios)} |"
        )
    print()


table("One thread", "", SINGLE)
table("Two threads", "_2_threads", MULTI)
# Issue 16: whether an idle worker takes work from a busy one, and how soon.
table("Two threads, parallel (issue 16)", "_2_threads", MULTI, PARALLEL)
print("### macro_overhead (ours only)\n")
print("| `#[task]` fn | same body as `async fn` | task / async, per run |")
print("|---:|---:|---:|")
pairs = [(time(r, "macro_overhead", "task_fn"), time(r, "macro_overhead", "async_fn")) for r in RUNS]
pairs = [(t, h) for t, h in pairs if t and h]
if pairs:
    task = median_of([t for t, _ in pairs])
    hand = median_of([h for _, h in pairs])
    print(f"| {fmt(task)} | {fmt(hand)} | {spread([t / h for t, h in pairs])} |")
else:
    print("| pending | pending | pending |")
