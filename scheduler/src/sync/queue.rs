//! [`Queue`]: asyncio's `Queue`, with `task_done()` and `join()`.

use core::fmt;
use core::future::Future;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::chan::Chan;
use crate::pause::Pause;
use crate::reason::why;

/// A queue of work items (asyncio's `Queue`): producers [`put`](Queue::put) items, workers
/// [`get`](Queue::get) them, mark each one processed with [`task_done`](Queue::task_done),
/// and [`join`](Queue::join) waits until every item put has been marked done. Over the
/// same channel as [`channel`](super::channel), with a count of unfinished items and an
/// `event-listener` event.
///
/// `Queue::new(maxsize)` holds at most `maxsize` items (`put` pauses while it is full);
/// `Queue::new(0)` has no bound. The queue never closes: it holds both ends of its channel.
/// Share it between tasks with an `Arc` (or an `Rc` on one thread).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use scheduler::sync::Queue;
///
/// #[scheduler::task]
/// fn worker(queue: Arc<Queue<u32>>, total: Arc<AtomicU32>) {
///     loop {
///         let n = queue.get(); // pauses until an item comes
///         total.fetch_add(n, Ordering::Relaxed);
///         queue.task_done();
///     }
/// }
///
/// #[scheduler::task]
/// fn main_task() -> u32 {
///     let queue = Arc::new(Queue::new(0));
///     let total = Arc::new(AtomicU32::new(0));
///     for n in 1..=10 {
///         queue.put_nowait(n).unwrap();
///     }
///     let workers: Vec<_> = (0..3)
///         .map(|_| scheduler::queue_to_run(worker, (queue.clone(), total.clone())))
///         .collect();
///     queue.join(); // pauses until every item was marked done
///     for w in &workers {
///         w.cancel();
///     }
///     scheduler::wait_all_results(workers);
///     total.load(Ordering::Relaxed)
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(main_task, ()), 55);
/// ```
pub struct Queue<T> {
    /// The items; it never closes (nobody drops its ends).
    chan: Chan<T>,
    /// Items put (or being put) and not yet marked done. A `put` counts its item before it
    /// is in the channel, so a `get` and `task_done` of it never find the count at zero.
    unfinished: AtomicUsize,
    /// Notified whenever `unfinished` drops to zero: `join` listens.
    all_done: event_listener::Event,
}

/// The error of [`Queue::put_nowait`] on a full queue: the item, given back.
///
/// # Examples
///
/// ```
/// use scheduler::sync::{Full, Queue};
///
/// let queue = Queue::new(1);
/// queue.put_nowait("a").unwrap();
/// let Full(item) = queue.put_nowait("b").unwrap_err();
/// assert_eq!(item, "b");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> Full<T> {
    /// The item that did not go in.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = scheduler::sync::Queue::new(1);
    /// queue.put_nowait(1).unwrap();
    /// assert_eq!(queue.put_nowait(2).unwrap_err().into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full(..)")
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T> std::error::Error for Full<T> {}

/// Gives back one count of `unfinished` on drop, unless disarmed: a `put` cancelled before
/// its item went in.
struct Uncount<'a> {
    unfinished: &'a AtomicUsize,
    all_done: &'a event_listener::Event,
}

impl Drop for Uncount<'_> {
    fn drop(&mut self) {
        done_one(self.unfinished, self.all_done);
    }
}

/// Takes one off `unfinished`, waking `join`ers at zero; `false` when it was zero already.
fn done_one(unfinished: &AtomicUsize, all_done: &event_listener::Event) -> bool {
    let before = unfinished.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    match before {
        Ok(1) => {
            all_done.notify(usize::MAX);
            true
        }
        Ok(_) => true,
        Err(_) => false,
    }
}

impl<T> Queue<T> {
    /// An empty queue that holds at most `maxsize` items; `0` means no bound (asyncio's
    /// `Queue(maxsize=0)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let bounded = scheduler::sync::Queue::new(2);
    /// bounded.put_nowait(1).unwrap();
    /// bounded.put_nowait(2).unwrap();
    /// assert!(bounded.put_nowait(3).is_err());
    ///
    /// let unbounded = scheduler::sync::Queue::new(0);
    /// for n in 0..1000 {
    ///     unbounded.put_nowait(n).unwrap();
    /// }
    /// assert_eq!(unbounded.len(), 1000);
    /// ```
    pub fn new(maxsize: usize) -> Self {
        Queue {
            chan: Chan::new((maxsize > 0).then_some(maxsize)),
            unfinished: AtomicUsize::new(0),
            all_done: event_listener::Event::new(),
        }
    }

    /// ⏸ Puts `item` at the end of the queue, pausing the task while the queue is full.
    /// Called as a statement: `queue.put(item);`.
    ///
    /// Cancelling a task paused here loses nothing: the item never went in (it is dropped
    /// with the task), and `join` does not wait for it.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn fill() -> usize {
    ///     let queue = scheduler::sync::Queue::new(10);
    ///     queue.put("a");
    ///     queue.put("b");
    ///     queue.len()
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(fill, ()), 2);
    /// ```
    #[track_caller]
    pub fn put(&self, item: T) -> Pause<impl Future<Output = ()>> {
        Pause::because(why::Put, async move {
            self.unfinished.fetch_add(1, Ordering::AcqRel);
            let uncount = Uncount {
                unfinished: &self.unfinished,
                all_done: &self.all_done,
            };
            if self.chan.send(item).await.is_err() {
                unreachable!("a queue's channel never closes");
            }
            core::mem::forget(uncount);
        })
    }

    /// Puts `item` at the end of the queue if there is room now; never pauses. Gives it
    /// back in [`Full`] if not.
    ///
    /// # Examples
    ///
    /// ```
    /// use scheduler::sync::{Full, Queue};
    ///
    /// let queue = Queue::new(1);
    /// assert_eq!(queue.put_nowait(1), Ok(()));
    /// assert_eq!(queue.put_nowait(2), Err(Full(2)));
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        crate::context::note_possible_foreign_use();
        self.unfinished.fetch_add(1, Ordering::AcqRel);
        self.chan.try_send(item).map_err(|error| {
            // It never went in: `join` does not wait for it.
            done_one(&self.unfinished, &self.all_done);
            Full(error.into_inner())
        })
    }

    /// ⏸ Takes the item at the front of the queue, pausing the task while the queue is
    /// empty, and gives it.
    ///
    /// Cancelling a task paused here loses nothing: an item put meanwhile stays in the
    /// queue for the next `get`.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn first() -> u32 {
    ///     let queue = std::rc::Rc::new(scheduler::sync::Queue::new(0));
    ///     let q = queue.clone();
    ///     scheduler::queue_to_run(move || q.put_nowait(7).unwrap(), ());
    ///     queue.get() // pauses until the closure ran
    /// }
    ///
    /// assert_eq!(scheduler::Scheduler::new().run_until_finished(first, ()), 7);
    /// ```
    #[track_caller]
    pub fn get(&self) -> Pause<impl Future<Output = T>> {
        Pause::because(why::Get, async move {
            match self.chan.recv().await {
                Ok(item) => item,
                Err(_) => unreachable!("a queue's channel never closes"),
            }
        })
    }

    /// Takes the item at the front of the queue if there is one now; never pauses.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = scheduler::sync::Queue::new(0);
    /// assert_eq!(queue.get_nowait(), None);
    /// queue.put_nowait(1).unwrap();
    /// assert_eq!(queue.get_nowait(), Some(1));
    /// ```
    pub fn get_nowait(&self) -> Option<T> {
        crate::context::note_possible_foreign_use();
        self.chan.try_recv().ok()
    }

    /// Marks one item taken with [`get`](Queue::get) as processed: once every item put
    /// has been marked done, [`join`](Queue::join) returns. Never pauses.
    ///
    /// # Panics
    ///
    /// When called more times than items were put (asyncio raises `ValueError`), naming the
    /// task.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = scheduler::sync::Queue::new(0);
    /// queue.put_nowait("job").unwrap();
    /// let _job = queue.get_nowait().unwrap();
    /// queue.task_done();
    /// ```
    ///
    /// ```should_panic
    /// let queue = scheduler::sync::Queue::<u32>::new(0);
    /// queue.task_done(); // nothing was put: panics
    /// ```
    #[track_caller]
    pub fn task_done(&self) {
        crate::context::note_possible_foreign_use();
        if !done_one(&self.unfinished, &self.all_done) {
            let misuse = crate::misuse::TASK_DONE_TOO_OFTEN;
            match crate::context::current_task() {
                Some(task) => panic!("task `{task}` {misuse}"),
                None => panic!("{} {misuse}", core::panic::Location::caller()),
            }
        }
    }

    /// ⏸ Pauses the task until every item put so far has been marked done with
    /// [`task_done`](Queue::task_done); returns at once when none is unfinished. Called as a
    /// statement: `queue.join();`.
    ///
    /// A `put` still waiting for room counts as unfinished too. Cancelling a task paused
    /// here loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// #[scheduler::task]
    /// fn all_done() -> bool {
    ///     let queue = scheduler::sync::Queue::new(0);
    ///     queue.put(1);
    ///     let _one = queue.get();
    ///     queue.task_done();
    ///     queue.join(); // nothing unfinished: returns at once
    ///     queue.is_empty()
    /// }
    ///
    /// assert!(scheduler::Scheduler::new().run_until_finished(all_done, ()));
    /// ```
    #[track_caller]
    pub fn join(&self) -> Pause<impl Future<Output = ()>> {
        Pause::because(why::QueueJoin, async move {
            loop {
                if self.unfinished.load(Ordering::Acquire) == 0 {
                    return;
                }
                let listener = self.all_done.listen();
                if self.unfinished.load(Ordering::Acquire) == 0 {
                    return;
                }
                listener.await;
            }
        })
    }

    /// How many items are in the queue now.
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = scheduler::sync::Queue::new(0);
    /// queue.put_nowait(1).unwrap();
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether the queue holds no item now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(scheduler::sync::Queue::<u32>::new(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.chan.len() == 0
    }

    /// Whether the queue holds `maxsize` items now (never, with no bound).
    ///
    /// # Examples
    ///
    /// ```
    /// let queue = scheduler::sync::Queue::new(1);
    /// queue.put_nowait(1).unwrap();
    /// assert!(queue.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.chan.is_full()
    }

    /// The most items the queue holds (`maxsize`), or `None` with no bound.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(scheduler::sync::Queue::<u32>::new(5).capacity(), Some(5));
    /// assert_eq!(scheduler::sync::Queue::<u32>::new(0).capacity(), None);
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.chan.capacity()
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("unfinished", &self.unfinished.load(Ordering::Relaxed))
            .finish()
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Queue<std::string::String>>();
    send_sync::<Full<std::string::String>>();
};
