//! A single-threaded scheduler's part of a dump (`dump.rs`): read on its own thread, and
//! asked from other threads by a small task its loop runs between two polls.

use core::future::Future;
use core::sync::atomic::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

use super::{Job, Local, LocalShared, with_local};
use crate::context;
use crate::dump::{ASKING, Section};
use crate::names::TaskName;
use crate::stack::{Snapshot, TaskState};
use crate::task::TaskHandle;

impl Local {
    /// Where every unfinished task is; on this scheduler's thread (plain code or a task).
    /// The states come from the queues: a queued task is ready, the one this thread is
    /// polling is running, every other started one is paused.
    pub(crate) fn dump(&self) -> Section {
        let mut section = Section::new("one thread");
        let asking = TaskName::path(ASKING);
        let ours = with_local(|local| core::ptr::eq(local, self)).unwrap_or(false);
        let in_a_task = ours && context::current_task().is_some() && !self.root_polling.get();
        self.absorb();
        let mut queued = HashSet::new();
        let mut unstarted = Vec::new();
        let mut root_queued = false;
        {
            let (ready, round, yielded) = (
                self.ready.borrow(),
                self.round.borrow(),
                self.yielded.borrow(),
            );
            for job in ready.iter().chain(round.iter()).chain(yielded.iter()) {
                match job {
                    Job::Task(runnable) => {
                        let meta = runnable.metadata();
                        queued.insert(meta.address());
                        if !meta.registered.load(Ordering::Relaxed) && meta.name != asking {
                            unstarted.push(meta.name);
                        }
                    }
                    Job::Root => root_queued = true,
                }
            }
        }
        if let Some((name, _)) = self.root.get() {
            let mut root = self.root_stack.read();
            root.state = if self.root_polling.get() {
                TaskState::Running
            } else if root_queued {
                TaskState::Ready
            } else {
                TaskState::Paused
            };
            section.task(name, root);
        }
        for (key, entry) in self.registry.borrow().iter() {
            let meta = entry.meta();
            if entry.name() == asking {
                continue;
            }
            let mut snapshot = meta.stack.read();
            snapshot.reason = self.reasons.get(key); // kept beside the registry on this flavour
            snapshot.state = if in_a_task && crate::stack::polling(meta.address()) {
                TaskState::Running
            } else if queued.contains(&meta.address()) {
                TaskState::Ready
            } else {
                TaskState::Paused
            };
            section.task(entry.name(), snapshot);
        }
        // The task asking, in its first poll, is in no registry yet.
        if in_a_task && !context::running_task_registered() {
            let name = context::current_task().unwrap_or(asking);
            if name != asking {
                let running = Snapshot {
                    state: TaskState::Running,
                    ..Snapshot::default()
                };
                section.task(name, running);
            }
        }
        for name in unstarted {
            section.task(name, Snapshot::default());
        }
        section
    }
}

impl LocalShared {
    /// Queues a `Send` task from any thread, as a `Handle` does; `None` once the scheduler
    /// was dropped.
    pub(crate) fn try_spawn_send<F>(
        self: &Arc<Self>,
        name: TaskName,
        future: F,
    ) -> Option<TaskHandle<()>>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Announce, then check: see `Handle::try_queue_to_run`.
        self.queuing.fetch_add(1, Ordering::SeqCst);
        let handle = (!self.closed.load(Ordering::SeqCst))
            // SAFETY: the future is `Send` and `'static`: it may be made on any thread.
            .then(|| unsafe { self.spawn(name, future) });
        self.queuing.fetch_sub(1, Ordering::SeqCst);
        handle
    }
}
