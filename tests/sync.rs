//! `scheduler::sync`: waiting on a `Mutex`, `Event`, `Semaphore` or channel pauses the task;
//! cancellation is clean (a guard held by a cancelled task is released, a cancelled
//! receiver loses no value); and a closed channel answers `Err` instead of hanging.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use scheduler::sync::{Event, Mutex, Receiver, RecvError, Semaphore, Sender, channel};
use scheduler::{Scheduler, TaskError, TaskHandle, task};
use scheduler_workspace::{DropCounter, DropToken};

/// Long enough never to fire in a passing test; short enough that a hang fails the test.
const WATCHDOG: Duration = Duration::from_secs(10);

#[test]
fn the_primitives_are_send_and_sync_when_their_contents_are() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Mutex<Vec<u32>>>();
    send_sync::<Event>();
    send_sync::<Semaphore>();
    send_sync::<Sender<String>>();
    send_sync::<Receiver<String>>();
}

#[task]
fn hold_forever(lock: Rc<Mutex<u32>>) {
    let _guard = lock.lock();
    scheduler::sleep(Duration::from_secs(3600));
}

#[test]
fn a_task_cancelled_while_holding_a_mutex_guard_releases_it() {
    #[task]
    fn check() -> u32 {
        let lock = Rc::new(Mutex::new(1));
        let holder = scheduler::queue_to_run(hold_forever, (lock.clone(),));
        scheduler::yield_now(); // it takes the lock and falls asleep
        assert!(lock.try_lock().is_none());
        holder.cancel();
        let result = holder.join();
        assert!(matches!(result, Err(TaskError::Cancelled { .. })));
        *lock
            .try_lock()
            .expect("the cancelled holder released the lock")
    }
    assert_eq!(Scheduler::new().run_until_finished(check, ()), 1);
}

#[test]
fn waiters_take_the_mutex_in_turn_across_pause_points() {
    #[task]
    fn add(lock: Rc<Mutex<Vec<u32>>>, n: u32) {
        let mut guard = lock.lock();
        guard.push(n);
        scheduler::yield_now(); // the others wait: nobody gets between our two pushes
        guard.push(n);
    }
    #[task]
    fn check() -> Vec<u32> {
        let lock = Rc::new(Mutex::new(Vec::new()));
        let handles: Vec<_> = (0..3)
            .map(|n| scheduler::queue_to_run(add, (lock.clone(), n)))
            .collect();
        scheduler::wait_all(handles);
        Rc::try_unwrap(lock).unwrap().into_inner()
    }
    assert_eq!(
        Scheduler::new().run_until_finished(check, ()),
        [0, 0, 1, 1, 2, 2]
    );
}

#[test]
fn an_event_releases_every_waiter_and_stays_set_until_cleared() {
    #[task]
    fn waiter(event: Rc<Event>) -> bool {
        event.wait();
        true
    }
    #[task]
    fn check() {
        let event = Rc::new(Event::new());
        let handles: Vec<_> = (0..3)
            .map(|_| scheduler::queue_to_run(waiter, (event.clone(),)))
            .collect();
        scheduler::yield_now();
        assert!(handles.iter().all(|h| !h.is_finished()), "they wait");
        event.set();
        event.clear(); // cleared before they run: they were released all the same
        assert_eq!(scheduler::wait_all(handles), [true; 3]);
        event.set();
        let late = scheduler::queue_to_run(waiter, (event.clone(),));
        assert!(late.join().unwrap(), "a set event does not pause");
    }
    Scheduler::new().run_until_finished(check, ());
}

#[test]
fn a_semaphore_lets_only_so_many_tasks_in_at_once() {
    #[task]
    fn enter(slots: Arc<Semaphore>, inside: Arc<Mutex<(u32, u32)>>) {
        let _permit = slots.acquire();
        {
            let mut counts = inside.try_lock().unwrap();
            counts.0 += 1;
            counts.1 = counts.1.max(counts.0);
        }
        scheduler::sleep(Duration::from_millis(1));
        inside.try_lock().unwrap().0 -= 1;
    }
    #[task]
    fn check() -> u32 {
        let slots = Arc::new(Semaphore::new(2));
        let inside = Arc::new(Mutex::new((0, 0)));
        let handles: Vec<_> = (0..6)
            .map(|_| scheduler::queue_to_run(enter, (slots.clone(), inside.clone())))
            .collect();
        scheduler::wait_all(handles);
        inside.try_lock().unwrap().1
    }
    assert_eq!(Scheduler::new().run_until_finished(check, ()), 2);
}

#[test]
fn a_closed_channel_gives_a_clear_err_never_a_hang() {
    #[task]
    fn receive(rx: Receiver<u32>) -> Result<u32, RecvError> {
        rx.recv()
    }
    #[task]
    fn check() {
        // A receiver waiting when the last sender goes is woken with `Err`.
        let (tx, rx) = channel::<u32>(1);
        let waiting = scheduler::queue_to_run(receive, (rx.clone(),));
        scheduler::yield_now();
        drop(tx);
        let received = scheduler::with_timeout(WATCHDOG, join, (waiting,));
        let received = received.expect("woken, not hung").unwrap();
        assert_eq!(received, Err(RecvError));
        assert_eq!(
            RecvError.to_string(),
            "receiving from an empty and closed channel"
        );

        // Values in flight are still received after `close`, then `Err`.
        let (tx, rx) = channel(2);
        tx.try_send(1).unwrap();
        tx.close();
        let sent = tx.send(2);
        assert_eq!(sent.unwrap_err().into_inner(), 2, "the value comes back");
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(rx.recv(), Err(RecvError));

        // A sender waiting on a full channel is woken with `Err` when the receivers go.
        let (tx, rx) = channel(1);
        tx.try_send(1).unwrap();
        let blocked = scheduler::queue_to_run(send_one, (tx, 2));
        scheduler::yield_now();
        drop(rx);
        let returned = scheduler::with_timeout(WATCHDOG, join, (blocked,));
        assert_eq!(returned.expect("woken, not hung").unwrap(), Some(2));
    }
    Scheduler::new().run_until_finished(check, ());
}

/// Waits for a task, so that `with_timeout` can bound the wait.
#[task]
fn join<T: 'static>(handle: TaskHandle<T>) -> Result<T, TaskError> {
    handle.join()
}

/// Sends `value`; gives it back if the channel was closed.
#[task]
fn send_one(tx: Sender<u32>, value: u32) -> Option<u32> {
    tx.send(value).err().map(|e| e.into_inner())
}

#[test]
fn a_receiver_dropped_mid_send_loses_nothing_that_was_reported_as_sent() {
    #[task]
    fn receive_one(rx: Receiver<DropToken>, _guard: DropToken) -> bool {
        rx.recv().is_ok()
    }
    #[task]
    fn check(counter: DropCounter) {
        let (tx, rx) = channel(1);
        // A receiver waits; a value is sent to it; it is cancelled before it runs again.
        let doomed = scheduler::queue_to_run(receive_one, (rx.clone(), counter.token()));
        scheduler::yield_now();
        tx.send(counter.token()).unwrap(); // reported as sent
        doomed.cancel();
        let result = doomed.join();
        assert!(matches!(result, Err(TaskError::Cancelled { .. })));
        // The value is not lost with the cancelled receiver: the next one gets it.
        assert_eq!(counter.alive(), 1, "only the sent value is alive");
        assert!(rx.try_recv().is_ok());
        assert_eq!(counter.alive(), 0);
    }
    Scheduler::new().run_until_finished(check, (DropCounter::new(),));
}

#[test]
fn every_value_sent_before_the_senders_go_is_received_in_order() {
    #[task]
    fn produce(tx: Sender<u32>) {
        for n in 0..100 {
            tx.send(n).unwrap();
        }
    }
    #[task]
    fn consume() -> Vec<u32> {
        let (tx, rx) = channel(3);
        scheduler::queue_to_run(produce, (tx.clone(),));
        drop(tx);
        let mut received = Vec::new();
        while let Ok(n) = rx.recv() {
            received.push(n);
        }
        received
    }
    let received = Scheduler::new().run_until_finished(consume, ());
    assert_eq!(received, (0..100).collect::<Vec<_>>());
}
