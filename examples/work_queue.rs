//! asyncio's `Queue` example, with `join()` and `task_done()`, as a type of our own whose
//! waiting methods are `#[task]` methods: `queue.get()` in a task body pauses, like
//! `await queue.get()` in Python, with no `await` written.
//!
//! ```sh
//! cargo run --example work_queue
//! ```
//!
//! The Python it follows (from the asyncio docs):
//!
//! ```python
//! async def worker(name, queue):
//!     while True:
//!         sleep_for = await queue.get()
//!         await asyncio.sleep(sleep_for)
//!         queue.task_done()
//!         print(f'{name} has slept for {sleep_for:.2f} seconds')
//!
//! async def main():
//!     queue = asyncio.Queue()
//!     for _ in range(20):
//!         queue.put_nowait(random.uniform(0.05, 1.0))
//!     tasks = [asyncio.create_task(worker(f'worker-{i}', queue)) for i in range(3)]
//!     await queue.join()
//!     for task in tasks:
//!         task.cancel()
//!     await asyncio.gather(*tasks, return_exceptions=True)
//! ```
//!
//! `WorkQueue` is built on `scheduler::sync`: a channel holds the items, a counter counts
//! the items not yet done, and an `Event` is set whenever that count is zero.
//! `tests/work_queue.rs` checks it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use scheduler::sync::{Event, Receiver, Sender, channel};
use scheduler::task;

/// A queue of work items that producers `put` and workers `get`, with a way to wait until
/// every item put has been processed: each worker calls [`task_done`](WorkQueue::task_done)
/// when it finished an item, and [`join`](WorkQueue::join) returns once every item put was
/// marked done (asyncio's `Queue`).
pub struct WorkQueue<T> {
    tx: Sender<T>,
    rx: Receiver<T>,
    /// Items put and not yet marked done.
    unfinished: Mutex<usize>,
    /// Set whenever `unfinished` is zero; changed only under its lock.
    all_done: Event,
}

impl<T: Send + 'static> WorkQueue<T> {
    /// An empty queue that holds at most `capacity` items: `put` pauses while it is full.
    pub fn new(capacity: usize) -> Self {
        let (tx, rx) = channel(capacity);
        let all_done = Event::new();
        all_done.set(); // nothing to wait for yet
        WorkQueue {
            tx,
            rx,
            unfinished: Mutex::new(0),
            all_done,
        }
    }

    /// ⏸ Puts `item` in the queue, pausing while it is full.
    #[task]
    pub fn put(&self, item: T) {
        self.count_one_more();
        if self.tx.send(item).is_err() {
            unreachable!("the queue holds a receiver, so its channel stays open");
        }
    }

    /// Puts `item` in the queue if there is room now; never pauses. Gives it back if not.
    pub fn put_nowait(&self, item: T) -> Result<(), T> {
        self.count_one_more();
        self.tx.try_send(item).map_err(|error| {
            self.task_done(); // it never went in
            error.into_inner()
        })
    }

    /// ⏸ Takes the next item, pausing while the queue is empty.
    #[task]
    pub fn get(&self) -> T {
        match self.rx.recv() {
            Ok(item) => item,
            Err(_) => unreachable!("the queue holds a sender, so its channel stays open"),
        }
    }

    /// Marks one item taken with [`get`](WorkQueue::get) as processed.
    ///
    /// # Panics
    ///
    /// When called more times than items were put, as asyncio raises `ValueError`.
    pub fn task_done(&self) {
        let mut unfinished = self
            .unfinished
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *unfinished = unfinished
            .checked_sub(1)
            .expect("`task_done()` called more times than items were put");
        if *unfinished == 0 {
            self.all_done.set();
        }
    }

    /// ⏸ Waits until every item put so far has been marked done with
    /// [`task_done`](WorkQueue::task_done).
    #[task]
    pub fn join(&self) {
        self.all_done.wait();
    }

    /// How many items wait in the queue now.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no item waits in the queue now.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    fn count_one_more(&self) {
        let mut unfinished = self
            .unfinished
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *unfinished += 1;
        self.all_done.clear();
    }
}

/// Takes sleep times off the queue forever, sleeping each one.
#[task]
fn worker(name: String, queue: Arc<WorkQueue<Duration>>) {
    loop {
        let sleep_for = queue.get(); // pauses until an item comes
        scheduler::sleep(sleep_for);
        queue.task_done();
        println!(
            "{name} has slept for {:.2} seconds",
            sleep_for.as_secs_f64()
        );
    }
}

#[scheduler::main]
fn main() {
    let queue = Arc::new(WorkQueue::new(32));
    let mut total_sleep_time = Duration::ZERO;
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let sleep_for = Duration::from_millis(50 + seed % 950); // 0.05 to 1 second
        total_sleep_time += sleep_for;
        queue
            .put_nowait(sleep_for)
            .expect("the queue has room for 20");
    }
    let workers: Vec<_> = (0..3)
        .map(|i| scheduler::queue_to_run(worker, (format!("worker-{i}"), queue.clone())))
        .collect();

    let started_at = Instant::now();
    queue.join(); // pauses until every item was marked done
    let total_slept_for = started_at.elapsed();

    for worker in &workers {
        worker.cancel();
    }
    scheduler::wait_all_results(workers);

    println!("====");
    println!(
        "3 workers slept in parallel for {:.2} seconds",
        total_slept_for.as_secs_f64()
    );
    println!(
        "total expected sleep time: {:.2} seconds",
        total_sleep_time.as_secs_f64()
    );
}
