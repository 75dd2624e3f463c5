//! Sharing between tasks: [`Mutex`], [`RwLock`], [`Event`], [`Semaphore`], [`Barrier`],
//! [`channel`]s (bounded, [`unbounded`], and `channel(0)`, the rendezvous) and [`Queue`].
//!
//! Thin layers over the smol-rs crates `async-lock`, `async-channel`, `concurrent-queue`
//! and `event-listener`: the same shapes (the channels keep async-channel's, over a queue
//! of their own that notifies only when someone waits), with every waiting method a pause
//! point, so a `#[task]` fn calls `mutex.lock()` or `rx.recv()` as a plain call and pauses
//! there while other tasks run.
//! All of them are `Send + Sync` when their contents are `Send`, so they work across the
//! threads of a multi-threaded scheduler too.
//!
//! Cancelling a task that waits here is clean and loses nothing: a lock, permit, item or
//! value it was waiting for goes to the next waiter, a value it was sending was never sent,
//! a barrier takes its arrival back, and a guard it held is dropped with its state, which
//! releases it.
//!
//! ```
//! use std::sync::Arc;
//! use scheduler::sync::Mutex;
//!
//! #[scheduler::task]
//! fn add_one(total: Arc<Mutex<u32>>) {
//!     let mut guard = total.lock(); // pauses while another task holds the lock
//!     scheduler::yield_now();       // other tasks run, and wait for the lock
//!     *guard += 1;
//! }
//!
//! #[scheduler::task]
//! fn count() -> u32 {
//!     let total = Arc::new(Mutex::new(0));
//!     let handles: Vec<_> = (0..10).map(|_| scheduler::queue_to_run(add_one, (total.clone(),))).collect();
//!     scheduler::wait_all(handles);
//!     *total.lock()
//! }
//!
//! assert_eq!(scheduler::Scheduler::new().run_until_finished(count, ()), 10);
//! ```

mod barrier;
mod chan;
mod channel;
mod event;
mod mutex;
mod queue;
mod rendezvous;
mod rwlock;
mod semaphore;

pub use barrier::{Barrier, BarrierWaitResult};
pub use channel::{
    MAX_CAPACITY, Receiver, RecvError, SendError, Sender, TryRecvError, TrySendError, channel,
    unbounded,
};
pub use event::Event;
pub use mutex::{Mutex, MutexGuard};
pub use queue::{Full, Queue};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{Semaphore, SemaphoreGuard};
