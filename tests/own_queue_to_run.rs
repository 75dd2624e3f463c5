//! A fn of the user's named `queue_to_run` (a project-wide wrapper that counts, say) is
//! called when a `#[task]` body calls it: the rewrite dispatches only the crate's own path,
//! `scheduler::queue_to_run`.

use std::sync::atomic::{AtomicU32, Ordering};

use scheduler::{Schedulable, TaskHandle, task};

static MINE_CALLED: AtomicU32 = AtomicU32::new(0);

fn queue_to_run<F, Args, Kind>(f: F, args: Args) -> TaskHandle<F::Output>
where
    F: Schedulable<Args, Kind> + 'static,
    F::Future: 'static,
    F::Output: 'static,
    Args: 'static,
{
    MINE_CALLED.fetch_add(1, Ordering::SeqCst);
    scheduler::queue_to_run(f, args)
}

#[task]
fn work(x: u32) -> u32 {
    x + 1
}

#[task]
fn body() -> u32 {
    queue_to_run(work, (1,)).join().unwrap() + self::queue_to_run(work, (2,)).join().unwrap()
}

#[test]
fn a_users_own_queue_to_run_is_the_one_called() {
    assert_eq!(scheduler::Scheduler::new().run_until_finished(body, ()), 5);
    assert_eq!(MINE_CALLED.load(Ordering::SeqCst), 2);
}
