//! Many threads: a `Handle` is the thread-safe door to a scheduler, and
//! `Scheduler::builder().threads(n)` runs `Send` tasks on `n` work-stealing threads.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scheduler::{Handle, Scheduler, SchedulerGone, TaskError, task};
use scheduler_workspace::{DropCounter, DropToken, Watchdog, in_child, run_child};

#[test]
fn a_handle_is_send_sync_and_clone() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Handle>();
}

#[test]
fn a_million_tiny_tasks_on_two_threads_all_run() {
    let _watchdog = Watchdog::new(Duration::from_secs(120), "a million tasks: a lost wake-up?");
    let sum = {
        let s = Scheduler::builder().threads(2).build();
        let sum = Arc::new(AtomicU64::new(0));
        for i in 0..1_000_000u64 {
            let sum = sum.clone();
            s.queue_to_run(move || sum.fetch_add(i, Ordering::Relaxed), ());
        }
        s.run();
        sum.load(Ordering::Relaxed)
    };
    assert_eq!(sum, (0..1_000_000u64).sum::<u64>());
}

#[task]
fn yield_a_hundred_times(count: Arc<AtomicUsize>) {
    for _ in 0..100 {
        scheduler::yield_now();
        count.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn ten_thousand_tasks_yielding_a_hundred_times_on_two_threads_all_finish() {
    let count = {
        let _watchdog = Watchdog::new(
            Duration::from_secs(120),
            "ten_thousand_tasks_yielding_a_hundred_times_on_two_threads_all_finish",
        );
        let s = Scheduler::builder().threads(2).build();
        let count = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..10_000)
            .map(|_| s.queue_to_run(yield_a_hundred_times, (count.clone(),)))
            .collect();
        s.run();
        assert!(handles.iter().all(|h| h.is_finished()));
        count.load(Ordering::Relaxed)
    };
    assert_eq!(count, 1_000_000);
}

#[task]
fn spawn_and_join_from_a_worker(n: u64) -> u64 {
    // Through `current()`, `Send` work may go to any worker.
    let handles: Vec<_> = (0..n)
        .map(|i| scheduler::current().queue_to_run(move || i * 2, ()))
        .collect();
    let mut total = 0;
    for handle in handles {
        total += handle.join().unwrap();
    }
    total
}

#[test]
fn tasks_on_a_pool_queue_and_join_other_tasks() {
    let total = {
        let _watchdog = Watchdog::new(
            Duration::from_secs(60),
            "tasks_on_a_pool_queue_and_join_other_tasks",
        );
        Scheduler::builder()
            .threads(2)
            .build()
            .run_until_finished(spawn_and_join_from_a_worker, (1000,))
    };
    assert_eq!(total, (0..1000u64).map(|i| i * 2).sum::<u64>());
}

#[task]
fn not_send_work() -> usize {
    // The free functions may queue `!Send` work on a pool: it stays on this worker thread.
    let shared = Rc::new(std::cell::Cell::new(0));
    let me = std::thread::current().id();
    let handles: Vec<_> = (0..100)
        .map(|_| {
            let shared = shared.clone();
            scheduler::queue_to_run(
                move || {
                    assert_eq!(std::thread::current().id(), me);
                    shared.set(shared.get() + 1);
                },
                (),
            )
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    shared.get()
}

#[task]
fn queue_not_send_work() -> usize {
    // This task is `Send`; the one it queues is not, and needs no `Send` bound.
    scheduler::queue_to_run(not_send_work, ()).join().unwrap()
}

#[test]
fn free_functions_on_a_pool_keep_not_send_work_on_the_calling_worker() {
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(s.run_until_finished(queue_not_send_work, ()), 100);
}

#[test]
fn run_until_finished_on_a_pool_borrows_from_its_caller() {
    #[task]
    fn sum(values: &[u64]) -> u64 {
        scheduler::yield_now();
        values.iter().sum()
    }
    let data: Vec<u64> = (1..=100).collect();
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(s.run_until_finished(sum, (data.as_slice(),)), 5050);
}

#[task]
fn crash() -> u32 {
    panic!("worker task exploded")
}

#[test]
fn a_panic_on_a_worker_never_takes_the_worker_down() {
    let s = Scheduler::builder().threads(1).build();
    let failing = s.queue_to_run(crash, ());
    let fine = s.queue_to_run(|| 7, ());
    s.run();
    let failing = futures_lite::future::block_on(failing);
    assert!(
        matches!(failing, Err(TaskError::Panicked { ref message, .. }) if message == "worker task exploded")
    );
    assert_eq!(futures_lite::future::block_on(fine).unwrap(), 7);
    // The single worker still runs new work.
    assert_eq!(s.run_until_finished(|| 8, ()), 8);
}

#[test]
fn a_panic_on_a_worker_is_reported_by_name() {
    if in_child() {
        let s = Scheduler::builder().threads(2).build();
        s.queue_to_run(crash, ());
        s.run();
        return;
    }
    let (ok, stderr) = run_child("a_panic_on_a_worker_is_reported_by_name");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("task `threads::crash` panicked at tests/threads.rs:"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("worker task exploded").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn run_until_finished_on_a_pool_re_raises_the_panic_message() {
    let s = Scheduler::builder().threads(2).build();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.run_until_finished(crash, ())
    }));
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("worker task exploded")
    );
    assert_eq!(s.run_until_finished(|| 1, ()), 1);
}

#[test]
fn a_handle_whose_scheduler_is_gone_says_so() {
    let handle = Scheduler::builder().threads(2).build().handle();
    assert_eq!(
        handle.try_queue_to_run(|| 1, ()).unwrap_err(),
        SchedulerGone
    );
    let panic = std::panic::catch_unwind(|| handle.queue_to_run(|| 1, ())).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("the scheduler behind this handle was dropped"),
        "{message}"
    );
    let handle = Scheduler::new().handle();
    assert_eq!(
        handle.try_queue_to_run(|| 1, ()).unwrap_err(),
        SchedulerGone
    );
}

#[task]
fn sleep_long(_token: DropToken) {
    scheduler::sleep(Duration::from_secs(3600));
}

#[task]
fn pinned_sleepers(counter: DropCounter) {
    for _ in 0..3 {
        scheduler::queue_to_run(sleep_long, (counter.token(),));
    }
}

#[test]
fn dropping_a_pool_cancels_what_is_left_on_every_thread() {
    let counter = DropCounter::new();
    let s = Scheduler::builder().threads(2).build();
    for _ in 0..3 {
        s.queue_to_run(sleep_long, (counter.token(),));
    }
    s.run_until_finished(pinned_sleepers, (counter.clone(),));
    std::thread::sleep(Duration::from_millis(20)); // let them all fall asleep
    assert_eq!(counter.alive(), 6);
    let start = Instant::now();
    drop(s);
    assert_eq!(counter.alive(), 0);
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn handles_on_several_threads_each_with_its_own_scheduler_hand_work_to_each_other() {
    let (to_main, from_worker) = std::sync::mpsc::channel::<Handle>();
    let worker = std::thread::spawn(move || {
        let s = Scheduler::new();
        to_main.send(s.handle()).unwrap();
        // Runs what the main thread hands over, until it has been given three things.
        let mut ran = 0;
        while ran < 3 {
            s.run();
            ran = RAN.load(Ordering::SeqCst);
            std::thread::yield_now();
        }
    });
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let handle = from_worker.recv().unwrap();
    let tasks: Vec<_> = (0..3)
        .map(|_| handle.queue_to_run(|| RAN.fetch_add(1, Ordering::SeqCst), ()))
        .collect();
    worker.join().unwrap();
    assert!(tasks.iter().all(|t| t.is_finished()));
}

#[cfg(target_os = "linux")]
#[test]
fn an_idle_pool_uses_almost_no_cpu() {
    if !in_child() {
        // Alone in a process of its own, so that no other test's CPU time counts.
        let (ok, stderr) = run_child("an_idle_pool_uses_almost_no_cpu");
        assert!(ok, "{stderr}");
        return;
    }
    fn process_cpu_ticks() -> u64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
            .split_whitespace()
            .collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }
    #[task]
    fn nap() {
        scheduler::sleep(Duration::from_millis(500));
    }
    let s = Scheduler::builder().threads(2).build();
    let before = process_cpu_ticks();
    s.run_until_finished(nap, ());
    let used = process_cpu_ticks() - before;
    // Ticks are 10 ms: two spinning workers would use ~100 of them.
    assert!(used <= 10, "an idle pool used {used} ticks of CPU");
}

#[scheduler::test(threads = 2)]
fn a_test_body_runs_as_a_task_on_a_pool_with_threads_n() {
    let thread = std::thread::current();
    assert!(thread.name().unwrap_or("").starts_with("scheduler-worker-"));
    scheduler::sleep(Duration::from_millis(1));
}

#[test]
fn task_handles_errors_and_sync_primitives_cross_threads_when_their_contents_do() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<scheduler::TaskHandle<u32>>();
    send_sync::<scheduler::TaskError>();
    send_sync::<scheduler::sync::Mutex<u32>>();
    send_sync::<scheduler::sync::Event>();
    send_sync::<scheduler::sync::Semaphore>();
    send_sync::<scheduler::sync::Sender<u32>>();
    send_sync::<scheduler::sync::Receiver<u32>>();
    send_sync::<scheduler::Scheduler<scheduler::MultiThread>>();
}

#[test]
fn once_run_returns_on_a_pool_every_handle_shows_its_task_finished() {
    // A task's end is counted only after its handle shows it finished, or `run()` could
    // return between the two (a race a few instructions wide: hence many rounds).
    let s = Scheduler::builder().threads(2).build();
    for round in 0..2_000 {
        let handle = s.handle();
        let task = std::thread::spawn(move || handle.queue_to_run(|| 7, ()))
            .join()
            .unwrap();
        s.run();
        assert!(task.is_finished(), "round {round}: run() returned first");
    }
}
