//! The trace's JSON: writing the Chrome trace-event format (a writer of our own: the crate
//! needs no JSON library; the `timeline` tool, which reads it, uses one).

use std::collections::HashSet;
use std::fmt::Write as _;

use super::record::{Event, Outcome};
use crate::names::TaskName;
use crate::reason::pause_kind;

/// The start of every trace file: one process, named.
pub(super) const HEAD: &str = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n\
    {\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"scheduler\"}}";

/// The end of every trace file; rewritten by each flush after the events it appends.
pub(super) const TAIL: &str = "\n]}\n";

/// Nanoseconds as the microseconds of the format, exactly.
struct Micros(u64);

impl core::fmt::Display for Micros {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// Appends `event` (with a leading comma) to `out`; the first event of a task also names
/// its track (`thread_name`, and `thread_sort_index` so tracks keep the tasks' order).
pub(super) fn write_event(out: &mut String, event: &Event, named: &mut HashSet<u64>) {
    match event {
        Event::Slice {
            id,
            name,
            thread,
            start,
            duration,
            outcome,
            blocking,
            calls,
        } => {
            name_track(out, *id, *name, named);
            let (label, reason, kind) = match outcome {
                Outcome::Paused(Some(reason)) => ("paused", reason.to_string(), reason.kind()),
                Outcome::Paused(None) => ("paused", String::new(), pause_kind::OTHER),
                Outcome::Finished => ("finished", String::new(), ""),
                Outcome::Panicked => ("panicked", String::new(), ""),
            };
            let task = name.to_string();
            let (slice, category, color) = if *blocking {
                (
                    format!("{task} (blocking)"),
                    "blocking",
                    ",\"cname\":\"terrible\"",
                )
            } else {
                (task, "poll", "")
            };
            let _ = write!(
                out,
                ",\n{{\"ph\":\"X\",\"pid\":1,\"tid\":{id},\"ts\":{},\"dur\":{},\"name\":{},\"cat\":\"{category}\"{color},\
                 \"args\":{{\"outcome\":\"{label}\",\"pause\":{},\"kind\":\"{kind}\",\"blocking\":{blocking},\"thread\":{thread}}}}}",
                Micros(*start),
                Micros(*duration),
                string(&slice),
                string(&reason),
            );
            // The `#[task]` calls it paused inside, as slices nested in the poll's (same
            // track, same time, outer first): `do_both > turn_on_tv > sleep`.
            for call in calls {
                let _ = write!(
                    out,
                    ",\n{{\"ph\":\"X\",\"pid\":1,\"tid\":{id},\"ts\":{},\"dur\":{},\"name\":{},\"cat\":\"call\"}}",
                    Micros(*start),
                    Micros(*duration),
                    string(call),
                );
            }
        }
        Event::Spawn {
            parent,
            child,
            name,
            at,
        } => {
            name_track(out, *child, *name, named);
            // `s` binds to the parent's poll around it; `f` (no `bp`) to the child's next
            // slice, its first poll.
            let _ = write!(
                out,
                ",\n{{\"ph\":\"s\",\"pid\":1,\"tid\":{parent},\"ts\":{at},\"id\":{child},\"name\":\"queue_to_run\",\"cat\":\"spawn\"}}\
                 ,\n{{\"ph\":\"f\",\"pid\":1,\"tid\":{child},\"ts\":{at},\"id\":{child},\"name\":\"queue_to_run\",\"cat\":\"spawn\"}}",
                at = Micros(*at),
            );
        }
    }
}

fn name_track(out: &mut String, id: u64, name: TaskName, named: &mut HashSet<u64>) {
    if named.insert(id) {
        let _ = write!(
            out,
            ",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{id},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}\
             ,\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{id},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{id}}}}}",
            string(&name.to_string())
        );
    }
}

/// `text` as a JSON string literal.
pub(super) fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_json_strings_cannot_hold() {
        assert_eq!(string("q\"\\\n\u{1}é"), "\"q\\\"\\\\\\n\\u0001é\"");
    }
}
