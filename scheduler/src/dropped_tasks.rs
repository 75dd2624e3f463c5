//! What a dropped scheduler says about the tasks it cancelled: every name when they are few,
//! else a summary of bounded length (how many, how many of each name, the first few), so that
//! a server shutting down with a million connections parked writes one short line, not
//! megabytes.

use std::collections::HashMap;
use std::fmt::Write;

use crate::names::TaskName;

/// Up to this many tasks, the report names each of them.
const NAMED_IN_FULL: usize = 10;

/// Beyond that, the names counted in the summary (the most numerous), ...
const NAMES_COUNTED: usize = 10;

/// ... and how many of the first tasks are named in order.
const FIRST_NAMED: usize = 5;

/// The report's list of the cancelled tasks `names` (the caller has checked there is one):
/// "`a`, `b`" for a few, "1000 tasks: ..." as a summary for many.
pub(crate) fn describe(names: &[TaskName]) -> String {
    let quoted = |names: &[TaskName]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if names.len() <= NAMED_IN_FULL {
        return quoted(names);
    }
    let by_name = count_by_name(names);
    let mut text = String::from("by name ");
    for (i, (name, count)) in by_name.iter().take(NAMES_COUNTED).enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(text, "{sep}{count} `{name}`");
    }
    if by_name.len() > NAMES_COUNTED {
        let other: usize = by_name[NAMES_COUNTED..].iter().map(|(_, c)| c).sum();
        let names = by_name.len() - NAMES_COUNTED;
        let _ = write!(text, " and {other} tasks of {names} other names");
    }
    let _ = write!(
        text,
        "; the first {FIRST_NAMED}: {}",
        quoted(&names[..FIRST_NAMED])
    );
    text
}

/// How many tasks bear each name, the most numerous first (ties in the order the names
/// first appear).
fn count_by_name(names: &[TaskName]) -> Vec<(TaskName, usize)> {
    // name -> (count, where it first appears)
    let mut counts: HashMap<TaskName, (usize, usize)> = HashMap::new();
    // Tasks of one name usually come in runs (spawned in a loop): one lookup per run.
    let mut run: Option<(TaskName, usize, usize)> = None;
    for (at, &name) in names.iter().enumerate() {
        match &mut run {
            Some((current, len, _)) if *current == name => *len += 1,
            _ => {
                if let Some((name, len, first)) = run.replace((name, 1, at)) {
                    counts.entry(name).or_insert((0, first)).0 += len;
                }
            }
        }
    }
    if let Some((name, len, first)) = run {
        counts.entry(name).or_insert((0, first)).0 += len;
    }
    let mut by_name: Vec<_> = counts.into_iter().collect();
    by_name.sort_by_key(|&(_, (count, first))| (core::cmp::Reverse(count), first));
    by_name
        .into_iter()
        .map(|(name, (count, _))| (name, count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(path: &'static str) -> TaskName {
        TaskName::path(path)
    }

    #[test]
    fn a_few_tasks_are_each_named() {
        let names = [name("a"), name("b"), name("a")];
        assert_eq!(describe(&names), "`a`, `b`, `a`");
    }

    #[test]
    fn many_tasks_are_counted_by_name_the_most_numerous_first() {
        let mut names = vec![name("worker"); 1_000];
        names.insert(0, name("main"));
        names.push(name("main"));
        names.extend([name("late"); 2]);
        assert_eq!(
            describe(&names),
            "by name 1000 `worker`, 2 `main`, 2 `late`; \
             the first 5: `main`, `worker`, `worker`, `worker`, `worker`"
        );
    }

    #[test]
    fn the_summary_stays_short_however_many_names_there_are() {
        let paths: Vec<&'static str> = (0..1_000)
            .map(|i| &*Box::leak(format!("t{i}").into_boxed_str()))
            .collect();
        let names: Vec<TaskName> = paths.iter().map(|&p| name(p)).collect();
        let text = describe(&names);
        assert!(text.len() < 300, "{text}");
        assert!(text.contains("1 `t0`, 1 `t1`"), "{text}");
        assert!(text.contains(" and 990 tasks of 990 other names"), "{text}");
    }
}
