//! The future every queued task runs in: it names the task while it runs, turns a panic
//! into a [`TaskError`], and drops the task's state at once when it is cancelled.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use pin_project_lite::pin_project;

use crate::context::{self, TaskGuard};
use crate::names::TaskName;
use crate::report::payload_text;
use crate::task_handle::TaskError;

/// What every task carries in its header (async-task metadata).
pub(crate) struct Meta {
    /// The task's name, for messages and traces.
    pub(crate) name: TaskName,
    /// Set by [`TaskHandle::cancel`](crate::TaskHandle::cancel) and by a dropped scheduler;
    /// read before every poll. Once set it is never cleared.
    pub(crate) cancelled: AtomicBool,
}

impl Meta {
    pub(crate) fn new(name: TaskName) -> Self {
        Meta {
            name,
            cancelled: AtomicBool::new(false),
        }
    }
}

pin_project! {
    /// A task's future `F`, as the run loop polls it.
    pub(crate) struct TaskFuture<'m, F> {
        meta: &'m Meta,
        // The task's key in its scheduler's registry of started tasks, from its first poll
        // until its state is dropped.
        key: Option<usize>,
        // `None` once the task finished, panicked or was cancelled: its state is dropped
        // right then, not when the last handle goes.
        #[pin]
        inner: Option<F>,
    }

    impl<'m, F> PinnedDrop for TaskFuture<'m, F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // Drop the state first (user drop code may still want the registry), then leave.
            this.inner.set(None);
            deregister(this.key);
        }
    }
}

impl<'m, F: Future> TaskFuture<'m, F> {
    pub(crate) fn new(meta: &'m Meta, future: F) -> Self {
        TaskFuture {
            meta,
            key: None,
            inner: Some(future),
        }
    }
}

/// Removes a started task from the running scheduler's registry.
fn deregister(key: &mut Option<usize>) {
    if let Some(key) = key.take() {
        context::with_scheduler(|local| {
            if let Some(local) = local {
                local.deregister(key);
            }
        });
    }
}

impl<F: Future> Future for TaskFuture<'_, F> {
    type Output = Result<F::Output, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let task = this.meta.name;
        if this.meta.cancelled.load(Ordering::Acquire) {
            this.inner.set(None);
            deregister(this.key);
            return Poll::Ready(Err(TaskError::Cancelled { task }));
        }
        if this.key.is_none() {
            *this.key = context::with_scheduler(|local| {
                local.map(|local| local.register(task, cx.waker().clone()))
            });
        }
        let polled = {
            let _running = TaskGuard::enter(task);
            let inner = this
                .inner
                .as_mut()
                .as_pin_mut()
                .expect("a finished task was polled");
            catch_unwind(AssertUnwindSafe(|| inner.poll(cx)))
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => {
                this.inner.set(None);
                deregister(this.key);
                Poll::Ready(Ok(value))
            }
            Err(payload) => {
                this.inner.set(None);
                deregister(this.key);
                let message = payload_text(&*payload);
                Poll::Ready(Err(TaskError::Panicked { task, message }))
            }
        }
    }
}
