//! The code paths that go through `unsafe` (taking a `Pause` apart, polling it pinned,
//! spawning `!Send` tasks with `async_task::spawn_unchecked`, cancelling and dropping them),
//! written so that miri can run them: no timers or I/O.
//!
//! `cargo +nightly miri test -p scheduler --test unsafe_paths`

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use futures_lite::future;
use scheduler::{Scheduler, TaskError, task};

/// Sets its flag when dropped.
struct Guard(Rc<Cell<bool>>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[task]
fn add(a: u32, b: u32) -> u32 {
    scheduler::yield_now();
    a + b
}

#[task]
fn add_twice(a: u32) -> u32 {
    let once = add(a, a); // a Pause taken apart and awaited in place
    add(once, once)
}

#[test]
fn task_fns_called_in_task_bodies_run_in_place() {
    assert_eq!(Scheduler::new().run_until_finished(add_twice, (1,)), 4);
}

#[test]
fn a_pause_value_is_a_future_for_other_executors() {
    assert_eq!(future::block_on(add(2, 3)), 5);
}

#[test]
#[should_panic(expected = "where it cannot pause")]
fn a_pause_value_dropped_unrun_panics() {
    drop(add(1, 2));
}

#[test]
fn not_send_tasks_run_and_join() {
    #[task]
    fn shared_sum(values: Rc<RefCell<Vec<u32>>>) -> u32 {
        let handles: Vec<_> = (0..10)
            .map(|i| {
                let values = values.clone();
                scheduler::queue_to_run(move || values.borrow_mut().push(i), ())
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        values.borrow().iter().sum()
    }
    let values = Rc::new(RefCell::new(Vec::new()));
    assert_eq!(
        Scheduler::new().run_until_finished(shared_sum, (values,)),
        45
    );
}

#[task]
fn wait_forever(_guard: Guard) {
    scheduler::wait(future::pending::<()>());
}

#[test]
fn a_cancelled_waiting_task_drops_its_state() {
    #[task]
    fn check(dropped: Rc<Cell<bool>>) -> bool {
        let handle = scheduler::queue_to_run(wait_forever, (Guard(dropped.clone()),));
        scheduler::yield_now();
        assert!(!dropped.get());
        handle.cancel();
        let result = handle.join();
        matches!(result, Err(TaskError::Cancelled { .. })) && dropped.get()
    }
    let dropped = Rc::new(Cell::new(false));
    assert!(Scheduler::new().run_until_finished(check, (dropped,)));
}

#[test]
fn a_dropped_scheduler_drops_queued_and_waiting_tasks() {
    let waiting = Rc::new(Cell::new(false));
    let queued = Rc::new(Cell::new(false));
    let s = Scheduler::new();
    let first = s.queue_to_run(wait_forever, (Guard(waiting.clone()),));
    s.run_until_finished(scheduler::yield_now, ());
    let second = s.queue_to_run(wait_forever, (Guard(queued.clone()),));
    drop(s);
    assert!(waiting.get() && queued.get());
    assert!(future::block_on(first).is_err());
    assert!(future::block_on(second).is_err());
}

#[test]
fn a_panicking_task_is_caught_and_reported() {
    let s = Scheduler::new();
    let handle = s.queue_to_run(|| -> u32 { panic!("boom") }, ());
    s.run();
    let result = future::block_on(handle);
    assert!(matches!(result, Err(TaskError::Panicked { message, .. }) if message == "boom"));
}

#[test]
fn send_tasks_arrive_through_a_handle_from_another_thread() {
    let s = Scheduler::new();
    let handle = s.handle();
    let task = std::thread::spawn(move || handle.queue_to_run(|x: u32| x * 2, (21,)))
        .join()
        .unwrap();
    s.run();
    assert_eq!(future::block_on(task).unwrap(), 42);
}

#[task]
fn not_send_on_a_worker() -> u32 {
    let local = Rc::new(Cell::new(0)); // `!Send`: this task stays pinned to its worker
    let pinned = {
        let local = local.clone();
        scheduler::queue_to_run(move || local.set(1), ())
    };
    pinned.join().unwrap();
    local.get()
}

#[task]
fn sum_on_a_pool(values: &[u32]) -> u32 {
    let pinned = scheduler::queue_to_run(not_send_on_a_worker, ());
    let stealable = scheduler::current().queue_to_run(|| 2, ());
    values.iter().sum::<u32>() + pinned.join().unwrap() + stealable.join().unwrap()
}

#[task]
fn pinned_waiter() {
    wait_forever(Guard(Rc::new(Cell::new(false))));
}

#[task]
fn leave_one_waiting() {
    scheduler::queue_to_run(pinned_waiter, ());
    scheduler::yield_now();
}

/// Waits for a value sent from a plain thread: the wake-up comes from a thread that runs
/// no scheduler (the path where the waker holds its scheduler alive on its own).
#[task]
fn woken_from_a_plain_thread() -> u32 {
    let (tx, rx) = async_channel::bounded(1);
    let sender = std::thread::spawn(move || tx.send_blocking(7).unwrap());
    let value = scheduler::wait(rx.recv()).unwrap();
    sender.join().unwrap();
    value
}

#[task]
fn pinned_woken_from_a_plain_thread() -> u32 {
    let here = Rc::new(Cell::new(0)); // `!Send`: pinned to this worker
    let pinned = {
        let here = here.clone();
        scheduler::queue_to_run(move || here.get(), ())
    };
    let value = woken_from_a_plain_thread();
    pinned.join().unwrap() + value
}

#[test]
fn tasks_woken_from_plain_threads_are_queued_on_their_scheduler() {
    let one = Scheduler::new();
    assert_eq!(one.run_until_finished(woken_from_a_plain_thread, ()), 7);
    let pool = Scheduler::builder().threads(2).build();
    assert_eq!(pool.run_until_finished(woken_from_a_plain_thread, ()), 7);
    assert_eq!(pool.run_until_finished(queue_the_pinned_one, ()), 7);
}

#[task]
fn queue_the_pinned_one() -> u32 {
    scheduler::queue_to_run(pinned_woken_from_a_plain_thread, ())
        .join()
        .unwrap()
}

#[test]
fn a_pool_runs_borrowed_roots_send_tasks_and_pinned_not_send_tasks() {
    let s = Scheduler::builder().threads(2).build();
    let values = vec![1, 2, 3];
    assert_eq!(s.run_until_finished(sum_on_a_pool, (values.as_slice(),)), 9);
    // A pinned task left waiting is cancelled on its own worker when the pool is dropped.
    s.run_until_finished(leave_one_waiting, ());
    drop(s);
}

/// The watchdog thread reads a blocked task's name back from raw parts: this runs that
/// read (under miri, it is checked for undefined behaviour); that the report names the
/// task is checked by `tests/slow_poll.rs`, which reads a child process's stderr (miri
/// cannot start one).
#[test]
fn the_watchdog_reads_a_blocking_tasks_name_from_raw_parts() {
    #[task]
    fn blocks() {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let s = Scheduler::builder()
        .slow_poll(std::time::Duration::from_millis(20))
        .build();
    s.run_until_finished(blocks, ());
    s.queue_to_run(
        || std::thread::sleep(std::time::Duration::from_millis(200)),
        (),
    ); // a site name
    s.run();
}

/// Counts its drops.
struct Counted(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[task]
fn returns_counted(drops: std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Counted {
    scheduler::yield_now();
    Counted(drops)
}

#[task]
fn detach_and_join(drops: std::sync::Arc<std::sync::atomic::AtomicUsize>) -> usize {
    drop(scheduler::queue_to_run(returns_counted, (drops.clone(),)));
    let joined = scheduler::queue_to_run(returns_counted, (drops.clone(),)).join();
    drop(joined);
    // The detached task may be on another thread, still paused: its value is dropped when
    // it returns, which the scheduler's drop would otherwise cancel first.
    let mut seen = drops.load(std::sync::atomic::Ordering::SeqCst);
    while seen < 2 {
        scheduler::yield_now();
        seen = drops.load(std::sync::atomic::Ordering::SeqCst);
    }
    seen
}

#[test]
fn a_tasks_value_is_dropped_once_whether_joined_or_detached() {
    // `Finished` takes the value out of its `ManuallyDrop` exactly once on either path.
    let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    assert_eq!(
        Scheduler::new().run_until_finished(detach_and_join, (drops.clone(),)),
        2
    );
    assert_eq!(drops.load(std::sync::atomic::Ordering::SeqCst), 2);
    let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let pool = Scheduler::builder().threads(2).build();
    assert_eq!(
        pool.run_until_finished(detach_and_join, (drops.clone(),)),
        2
    );
    drop(pool);
    assert_eq!(drops.load(std::sync::atomic::Ordering::SeqCst), 2);
}

type PoolSlot =
    std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<Scheduler<scheduler::MultiThread>>>>>;

fn take_pool(slot: &PoolSlot) -> Option<std::sync::Arc<Scheduler<scheduler::MultiThread>>> {
    slot.lock().unwrap().take()
}

#[task]
fn drop_own_pool(slot: PoolSlot, go: std::sync::Arc<scheduler::sync::Event>) {
    go.wait();
    drop(take_pool(&slot));
}

#[task]
fn waits_on(never: std::sync::Arc<scheduler::sync::Event>) {
    never.wait();
}

#[test]
fn a_pool_dropped_by_its_own_task_never_joins_its_own_thread() {
    let go = std::sync::Arc::new(scheduler::sync::Event::new());
    let never = std::sync::Arc::new(scheduler::sync::Event::new());
    let pool = std::sync::Arc::new(Scheduler::builder().threads(2).build());
    let slot: PoolSlot = std::sync::Arc::new(std::sync::Mutex::new(Some(pool.clone())));
    let other = pool.queue_to_run(waits_on, (never,));
    let dropper = pool.queue_to_run(drop_own_pool, (slot, go.clone()));
    drop(pool);
    go.set();
    assert_eq!(future::block_on(dropper), Ok(()));
    assert!(matches!(
        future::block_on(other),
        Err(TaskError::Cancelled { .. })
    ));
}

#[task]
fn wait_here(event: Arc<scheduler::sync::Event>) {
    event.wait();
}

#[task]
fn one_level_up(event: Arc<scheduler::sync::Event>) {
    wait_here(event);
}

#[task]
fn two_levels_up(event: Arc<scheduler::sync::Event>) {
    one_level_up(event);
}

#[task]
fn three_levels_up(event: Arc<scheduler::sync::Event>) {
    two_levels_up(event);
}

#[task]
fn joins_a_stuck_task(event: Arc<scheduler::sync::Event>) {
    let stuck = scheduler::queue_to_run(three_levels_up, (event,));
    stuck.join().unwrap();
}

/// Checks the dump of `joins_a_stuck_task`'s tasks on `flavour`, then lets them end.
fn check_stacks(dump: scheduler::Dump, flavour: &str) {
    let deep = dump
        .tasks()
        .iter()
        .find(|t| t.name().to_string().ends_with("::three_levels_up"))
        .unwrap_or_else(|| panic!("{flavour}: the stuck task is in the dump:\n{dump}"));
    let functions: Vec<&str> = deep.stack().iter().map(|f| f.function()).collect();
    assert_eq!(functions.len(), 4, "{flavour}: {dump}");
    assert!(functions[3].ends_with("::wait_here"), "{flavour}: {dump}");
    assert!(
        dump.to_string().contains("[paused: join of `"),
        "{flavour}: {dump}"
    );
}

#[test]
fn pause_stacks_are_stored_in_the_header_and_read_back_deeper_than_inline() {
    // Four levels (more than the three a pause compares inline), and a `join` of another
    // task (a reason that holds a name): each is interned and read back through the task's
    // cell, on one thread and on a pool (which keeps the reason in the stack too).
    let s = Scheduler::new();
    let event = Arc::new(scheduler::sync::Event::new());
    let joining = s.queue_to_run(joins_a_stuck_task, (event.clone(),));
    s.run_until_finished(|| scheduler::yield_now(), ());
    s.run_until_finished(|| scheduler::yield_now(), ());
    check_stacks(s.dump(), "one thread");
    event.set();
    s.run();
    assert!(joining.is_finished());

    let pool = Scheduler::builder().threads(2).build();
    let event = Arc::new(scheduler::sync::Event::new());
    let joining = pool.queue_to_run(joins_a_stuck_task, (event.clone(),));
    // Until both have paused and their workers are out of their polls (the dump says
    // `running` until then, though `stats` counts them paused).
    while pool
        .dump()
        .tasks()
        .iter()
        .filter(|t| t.state() == scheduler::TaskState::Paused)
        .count()
        < 2
    {
        std::thread::yield_now();
    }
    check_stacks(pool.dump(), "pool");
    event.set();
    pool.run();
    assert!(joining.is_finished());
}

#[task]
fn pauses_then_blocks() {
    scheduler::yield_now();
    std::thread::sleep(std::time::Duration::from_millis(200)); // seen by the watchdog
}

#[test]
fn the_slow_poll_watchdog_reads_the_blocking_task_s_stack() {
    // The watchdog thread reads the stack of a task in its poll (the interned stack it
    // was resumed from, through the address its lane carries), also after the task ended.
    let s = Scheduler::builder()
        .slow_poll(std::time::Duration::from_millis(20))
        .build();
    for _ in 0..2 {
        let task = s.queue_to_run(pauses_then_blocks, ());
        s.run();
        assert!(task.is_finished());
    }
}
