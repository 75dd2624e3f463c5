//! The workers of `examples/work_queue.rs` on `scheduler::sync::Queue` (asyncio's `Queue`):
//! every item put is processed once, and `join()` returns only after every item was marked
//! done with `task_done()`, on both flavours and under random seeds. (`tests/queue.rs`
//! checks the queue's methods one by one.)

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scheduler::{Scheduler, task};

use scheduler::sync::Queue;
use scheduler_workspace::Watchdog;

const ITEMS: usize = 50;
const WORKERS: usize = 4;

/// What the workers did.
#[derive(Default)]
struct Record {
    processed: Mutex<Vec<usize>>,
    done: AtomicUsize,
}

#[task]
fn worker(queue: Arc<Queue<usize>>, record: Arc<Record>) {
    loop {
        let item = queue.get(); // pauses until an item comes
        if item % 3 == 0 {
            scheduler::sleep(Duration::from_millis(1));
        } else {
            scheduler::yield_now();
        }
        record.note(item);
        queue.task_done();
    }
}

#[task]
fn produce(queue: Arc<Queue<usize>>) {
    for item in 0..ITEMS {
        queue.put(item); // pauses while the queue is full
    }
}

/// Queues the workers and a producer, joins the queue, and gives how many items were marked
/// done when `join()` returned.
#[task]
fn process_all(record: Arc<Record>) -> usize {
    let queue = Arc::new(Queue::new(4)); // small: the producer waits for the workers
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| scheduler::current().queue_to_run(worker, (queue.clone(), record.clone())))
        .collect();
    let producer = scheduler::current().queue_to_run(produce, (queue.clone(),));
    producer.join().unwrap(); // every item is in (or through) the queue
    queue.join();
    let done_at_join = record.done.load(Ordering::SeqCst);
    for worker in &workers {
        worker.cancel();
    }
    scheduler::wait_all_results(workers);
    done_at_join
}

impl Record {
    /// Notes that `item` was processed (a plain fn: the std guard never meets a pause).
    fn note(&self, item: usize) {
        self.processed.lock().unwrap().push(item);
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

fn check(record: &Record, done_at_join: usize) {
    assert_eq!(
        done_at_join, ITEMS,
        "join() returned before every task_done()"
    );
    let mut processed = record.processed.lock().unwrap().clone();
    processed.sort_unstable();
    assert_eq!(processed, (0..ITEMS).collect::<Vec<_>>(), "each item once");
}

#[test]
fn every_item_is_processed_once_and_join_waits_for_every_task_done() {
    let _watchdog = Watchdog::new(Duration::from_secs(60), "work queue on one thread");
    let record = Arc::new(Record::default());
    let done_at_join = Scheduler::new().run_until_finished(process_all, (record.clone(),));
    check(&record, done_at_join);
}

#[test]
fn the_work_queue_works_on_two_threads() {
    let _watchdog = Watchdog::new(Duration::from_secs(60), "work queue on two threads");
    let record = Arc::new(Record::default());
    let s = Scheduler::builder().threads(2).build();
    let done_at_join = s.run_until_finished(process_all, (record.clone(),));
    check(&record, done_at_join);
}

#[test]
fn the_work_queue_works_under_random_seeds() {
    let _watchdog = Watchdog::new(Duration::from_secs(60), "work queue under seeds");
    for seed in 0..20 {
        let record = Arc::new(Record::default());
        let s = Scheduler::builder().seed(seed).build();
        let done_at_join = s.run_until_finished(process_all, (record.clone(),));
        check(&record, done_at_join);
    }
}

#[scheduler::test]
fn join_on_a_queue_with_nothing_put_returns_at_once() {
    let queue = Queue::<u32>::new(1);
    queue.join();
    assert!(queue.is_empty());
}

#[scheduler::test]
fn join_waits_for_task_done_not_for_get() {
    let queue = Arc::new(Queue::new(2));
    queue.put_nowait(1).unwrap();
    assert_eq!(queue.get(), 1);
    let joined = Arc::new(AtomicBool::new(false));
    let waiter = scheduler::queue_to_run(join_then_flag, (queue.clone(), joined.clone()));
    scheduler::yield_now();
    scheduler::yield_now();
    assert!(
        !joined.load(Ordering::SeqCst),
        "join() returned while an item taken was not marked done"
    );
    queue.task_done();
    waiter.join().unwrap();
    assert!(joined.load(Ordering::SeqCst));
}

#[task]
fn join_then_flag(queue: Arc<Queue<u32>>, joined: Arc<AtomicBool>) {
    queue.join();
    joined.store(true, Ordering::SeqCst);
}

#[test]
#[should_panic(expected = "called `Queue::task_done()` more times than items were put")]
fn task_done_more_times_than_items_put_panics() {
    let queue = Queue::<u32>::new(1);
    queue.task_done();
}

#[test]
fn put_nowait_on_a_full_queue_gives_the_item_back_and_join_still_returns() {
    let queue = Queue::new(1);
    queue.put_nowait(1).unwrap();
    assert_eq!(queue.put_nowait(2).map_err(|full| full.0), Err(2));
    assert_eq!(queue.len(), 1);
    #[task]
    fn drain(queue: &Queue<u32>) -> u32 {
        let item = queue.get();
        queue.task_done();
        queue.join(); // the item given back is not waited for
        item
    }
    assert_eq!(Scheduler::new().run_until_finished(drain, (&queue,)), 1);
}
