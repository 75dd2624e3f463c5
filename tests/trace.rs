//! `SCHEDULER_TRACE`: a known program is run in a child process with the variable set, and
//! its trace is read back: a named track per task, slices that never overlap on one thread,
//! the pause reasons the program has, spawn arrows from parent to child, blocking polls
//! marked, a nested slice per `#[task]` call a poll paused inside, and an SVG with a lane
//! per task.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use scheduler::sync::{Receiver, Sender, channel};
use scheduler::{Scheduler, task};
use scheduler_workspace::{in_child, run_child_traced};
use serde_json::Value;

#[task]
fn sleeper() {
    scheduler::sleep(Duration::from_millis(10));
}

#[task]
fn worker() -> u32 {
    scheduler::yield_now();
    7
}

#[task]
fn receiver(rx: Receiver<u32>) -> u32 {
    rx.recv().unwrap()
}

#[task]
fn sender(tx: Sender<u32>) {
    scheduler::sleep(Duration::from_millis(5));
    tx.send(1).unwrap();
}

#[task]
fn waiter() {
    scheduler::wait(async_io::Timer::after(Duration::from_millis(5)));
}

#[task]
fn inner_call() {
    scheduler::sleep(Duration::from_millis(5));
}

#[task]
fn middle_call() {
    inner_call();
}

#[task]
fn outer_call() {
    middle_call();
}

#[task]
fn parent() -> u32 {
    let worker = scheduler::queue_to_run(worker, ());
    scheduler::queue_to_run(sleeper, ());
    let (tx, rx) = channel(1);
    let received = scheduler::queue_to_run(receiver, (rx,));
    scheduler::queue_to_run(sender, (tx,));
    scheduler::queue_to_run(waiter, ());
    scheduler::queue_to_run(outer_call, ());
    worker.join().unwrap() + received.join().unwrap()
}

#[task]
fn blocker() {
    std::thread::sleep(Duration::from_millis(80));
}

/// The traced program: in the child, runs `parent` (and everything it queues) to the end,
/// then `blocker` on a scheduler whose `slow_poll` is 20 ms.
#[test]
fn traced_program() {
    if !in_child() {
        return;
    }
    let s = Scheduler::new();
    assert_eq!(s.run_until_finished(parent, ()), 8);
    s.run();
    let strict = Scheduler::builder()
        .slow_poll(Duration::from_millis(20))
        .build();
    strict.run_until_finished(blocker, ());
}

/// The trace of `traced_program`, run once for every test here.
fn trace() -> &'static Trace {
    static TRACE: OnceLock<Trace> = OnceLock::new();
    TRACE.get_or_init(|| {
        let path = temp_file("scheduler-trace-test.json");
        let (ok, stderr) = run_child_traced("traced_program", &path);
        assert!(ok, "the traced program failed:\n{stderr}");
        Trace::new(read_and_remove(&path))
    })
}

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}-{name}", std::process::id()))
}

/// The trace file a child wrote at `path`, which is then removed (nothing is left in the
/// temporary directory).
fn read_and_remove(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("the trace file was written");
    let _ = std::fs::remove_file(path);
    text
}

/// A trace, read back.
struct Trace {
    text: String,
    events: Vec<Value>,
    /// Track id -> task name.
    names: HashMap<u64, String>,
}

impl Trace {
    fn new(text: String) -> Trace {
        let json: Value = serde_json::from_str(&text).expect("the trace is valid JSON");
        let events = json["traceEvents"]
            .as_array()
            .expect("a traceEvents array")
            .clone();
        let names = events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
            .map(|e| {
                let name = e["args"]["name"].as_str().unwrap().to_string();
                (e["tid"].as_u64().unwrap(), name)
            })
            .collect();
        Trace {
            text,
            events,
            names,
        }
    }

    fn slices(&self) -> impl Iterator<Item = &Value> {
        self.events.iter().filter(|e| e["ph"] == "X")
    }

    /// The track of the task whose name ends with `::suffix`.
    fn track(&self, suffix: &str) -> u64 {
        let matching: Vec<u64> = self
            .names
            .iter()
            .filter(|(_, name)| name.ends_with(&format!("::{suffix}")))
            .map(|(tid, _)| *tid)
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "one track for `{suffix}` in {:?}",
            self.names
        );
        matching[0]
    }

    /// The pause reasons of the task whose name ends with `::suffix`.
    fn pauses(&self, suffix: &str) -> Vec<String> {
        let track = self.track(suffix);
        self.slices()
            .filter(|e| e["tid"].as_u64() == Some(track) && e["args"]["outcome"] == "paused")
            .map(|e| e["args"]["pause"].as_str().unwrap().to_string())
            .collect()
    }
}

#[test]
fn every_task_has_a_track_named_by_its_task_name() {
    let trace = trace();
    for task in [
        "parent", "worker", "sleeper", "receiver", "sender", "waiter", "blocker",
    ] {
        trace.track(task);
    }
    for slice in trace.slices() {
        let tid = slice["tid"].as_u64().unwrap();
        assert!(trace.names.contains_key(&tid), "an unnamed track: {slice}");
    }
}

#[test]
fn slices_on_a_single_threaded_scheduler_never_overlap() {
    let mut spans: Vec<(f64, f64)> = trace()
        .slices()
        .map(|e| {
            let start = e["ts"].as_f64().unwrap();
            (start, start + e["dur"].as_f64().unwrap())
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(spans.len() >= 10, "{spans:?}");
    spans.dedup(); // a call slice nested in a poll spans the same time (see below)
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 >= pair[0].1 - 0.001,
            "{:?} overlaps {:?}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn a_poll_that_paused_inside_task_calls_has_a_nested_slice_per_call_outer_first() {
    let trace = trace();
    let track = trace.track("outer_call");
    let slices: Vec<&Value> = trace
        .slices()
        .filter(|e| e["tid"].as_u64() == Some(track))
        .collect();
    let paused = slices
        .iter()
        .find(|e| e["args"]["outcome"] == "paused")
        .expect("outer_call paused");
    let calls: Vec<&str> = slices
        .iter()
        .filter(|e| e["cat"] == "call" && e["ts"] == paused["ts"])
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        calls,
        ["trace::middle_call", "trace::inner_call"],
        "{slices:?}"
    );
    assert!(
        slices
            .iter()
            .filter(|e| e["cat"] == "call")
            .all(|e| e["dur"] == paused["dur"] || e["ts"] != paused["ts"]),
        "each call slice spans its poll: {slices:?}"
    );
}

#[test]
fn pause_reasons_match_the_program() {
    let trace = trace();
    assert_eq!(trace.pauses("sleeper"), ["sleep"]);
    assert_eq!(trace.pauses("worker"), ["yield"]);
    assert_eq!(trace.pauses("receiver"), ["channel recv"]);
    assert_eq!(trace.pauses("waiter"), ["wait of a future"]);
    let parent = trace.pauses("parent");
    assert!(
        parent[0].starts_with("join of `") && parent[0].ends_with("::worker`"),
        "{parent:?}"
    );
}

#[test]
fn spawn_arrows_point_from_the_parent_to_each_child() {
    let trace = trace();
    let parent = trace.track("parent");
    let starts: HashMap<u64, &Value> = trace
        .events
        .iter()
        .filter(|e| e["ph"] == "s")
        .map(|e| (e["id"].as_u64().unwrap(), e))
        .collect();
    for child in ["worker", "sleeper", "receiver", "sender", "waiter"] {
        let child = trace.track(child);
        let start = starts.get(&child).expect("an arrow to each child");
        assert_eq!(start["tid"].as_u64(), Some(parent));
        let finish = trace
            .events
            .iter()
            .find(|e| e["ph"] == "f" && e["id"].as_u64() == Some(child))
            .expect("the arrow ends");
        assert_eq!(finish["tid"].as_u64(), Some(child));
        // The arrow leaves from inside one of the parent's polls.
        let at = start["ts"].as_f64().unwrap();
        assert!(trace.slices().any(|e| e["tid"].as_u64() == Some(parent)
            && e["ts"].as_f64().unwrap() <= at
            && at <= e["ts"].as_f64().unwrap() + e["dur"].as_f64().unwrap()));
    }
}

#[test]
fn polls_longer_than_slow_poll_are_marked_blocking() {
    let trace = trace();
    let blocker = trace.track("blocker");
    for slice in trace.slices().filter(|e| e["cat"] != "call") {
        let blocking = slice["args"]["blocking"].as_bool().unwrap();
        if slice["tid"].as_u64() == Some(blocker) {
            assert!(blocking, "{slice}");
            assert_eq!(slice["cat"], "blocking");
            assert!(slice["name"].as_str().unwrap().ends_with("(blocking)"));
        } else {
            assert!(!blocking, "{slice}");
            assert_eq!(slice["cat"], "poll");
        }
    }
}

#[test]
fn the_svg_has_one_lane_per_task() {
    let trace = trace();
    let svg = scheduler_timeline::render_svg(&trace.text).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<g class=\"lane\"").count(), trace.names.len());
    for name in trace.names.values() {
        assert!(svg.contains(&format!("data-task=\"{name}\"")), "{name}");
    }
    for legend in [
        "running",
        "paused: sleep",
        "channel",
        "wait(future)",
        "blocking",
    ] {
        assert!(svg.contains(legend), "{legend}");
    }
    // Pauses are drawn by their kind: the sleeps are bars of the `sleep` class.
    assert!(svg.contains("<rect class=\"sleep\""));
}

#[test]
fn every_pause_names_its_kind() {
    let trace = trace();
    let json: Value = serde_json::from_str(&trace.text).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for slice in json["traceEvents"].as_array().unwrap() {
        if slice["ph"] == "X" && slice["args"]["outcome"] == "paused" {
            let kind = slice["args"]["kind"].as_str().unwrap();
            assert!(scheduler::trace::pause_kind::ALL.contains(&kind), "{slice}");
            if slice["args"]["pause"] == "sleep" {
                assert_eq!(kind, scheduler::trace::pause_kind::SLEEP, "{slice}");
            }
            kinds.insert(kind.to_string());
        }
    }
    assert!(
        kinds.contains("sleep") && kinds.contains("channel"),
        "{kinds:?}"
    );
}

/// A scheduler that is never dropped (here: the process exits right after the call).
#[test]
fn never_dropped_scheduler() {
    if !in_child() {
        return;
    }
    let s = Scheduler::new();
    s.run_until_finished(worker, ());
    std::process::exit(0);
}

#[test]
fn the_trace_is_written_when_a_blocking_call_returns_even_if_the_scheduler_is_never_dropped() {
    let path = temp_file("scheduler-trace-exit.json");
    let (ok, stderr) = run_child_traced("never_dropped_scheduler", &path);
    assert!(ok, "{stderr}");
    let trace = Trace::new(read_and_remove(&path));
    assert_eq!(trace.pauses("worker"), ["yield"]);
}
