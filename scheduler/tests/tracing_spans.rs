//! The `tracing` feature: a `poll` span with the task's name around every poll (queued
//! tasks and the root of a blocking call). `cargo test -p scheduler --features tracing`.

#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Collects every span as `name task=...`.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<String>>>);

struct TaskField(String);

impl Visit for TaskField {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "task" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Spans {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut task = TaskField(String::new());
        span.record(&mut task);
        let mut spans = self.0.lock().unwrap();
        spans.push(format!("{} task={}", span.metadata().name(), task.0));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[scheduler::task]
fn child() {
    scheduler::yield_now();
}

#[scheduler::task]
fn root() {
    scheduler::queue_to_run(child, ()).join().unwrap();
}

#[test]
fn every_poll_is_a_span_named_poll_with_the_task_name() {
    let spans = Spans::default();
    tracing::subscriber::with_default(spans.clone(), || {
        scheduler::Scheduler::new().run_until_finished(root, ());
    });
    let spans = spans.0.lock().unwrap().clone();
    let root_polls = spans
        .iter()
        .filter(|s| *s == "poll task=tracing_spans::root")
        .count();
    let child_polls = spans
        .iter()
        .filter(|s| *s == "poll task=tracing_spans::child")
        .count();
    assert_eq!((root_polls, child_polls), (2, 2), "{spans:?}");
}
