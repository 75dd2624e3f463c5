//! asyncio's `Queue` example, with `join()` and `task_done()`, on `scheduler::sync::Queue`.
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
//! `scheduler::sync::Queue` is asyncio's `Queue`, with the same names; `queue.get()` in a
//! task body pauses, like `await queue.get()`, with no `await` written.
//! `tests/work_queue.rs` runs the same workers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scheduler::sync::Queue;
use scheduler::task;

/// Takes sleep times off the queue forever, sleeping each one.
#[task]
fn worker(name: String, queue: Arc<Queue<Duration>>) {
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
    let queue = Arc::new(Queue::new(0)); // no bound, as asyncio's `Queue()`
    let mut total_sleep_time = Duration::ZERO;
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let sleep_for = Duration::from_millis(50 + seed % 950); // 0.05 to 1 second
        total_sleep_time += sleep_for;
        queue.put_nowait(sleep_for).expect("the queue has no bound");
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
