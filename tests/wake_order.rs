//! Tasks run in the order they became ready, wherever the wake-up came from: a task woken
//! from another thread (a timer fired by another thread's reactor, a `Handle`, a plain
//! thread) is not overtaken by one woken later on the scheduler's own thread.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use scheduler::Scheduler;
use scheduler::sync::Event;

type Log = Rc<RefCell<Vec<&'static str>>>;

/// Pending until `done` is set; hands its first waker to another thread.
struct WokenElsewhere {
    done: Arc<AtomicBool>,
    waker_to: Option<mpsc::Sender<Waker>>,
}

impl Future for WokenElsewhere {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        if let Some(to) = self.waker_to.take() {
            to.send(cx.waker().clone()).unwrap();
        }
        Poll::Pending
    }
}

#[scheduler::task]
fn woken_from_a_thread(log: Log, future: WokenElsewhere) {
    scheduler::wait(future);
    log.borrow_mut().push("woken from a thread first");
}

#[scheduler::task]
fn woken_here(log: Log, event: Rc<Event>) {
    event.wait();
    log.borrow_mut().push("woken here later");
}

/// Has the plain thread wake the first task, waits until it did, then wakes the second.
fn wake_both(go: mpsc::Sender<()>, woke: mpsc::Receiver<()>, event: Rc<Event>) {
    go.send(()).unwrap();
    woke.recv().unwrap();
    event.set();
}

#[test]
fn a_task_woken_from_another_thread_runs_before_one_woken_here_after_it() {
    let s = Scheduler::new();
    let log: Log = Rc::default();
    let event = Rc::new(Event::new());
    let done = Arc::new(AtomicBool::new(false));
    let (waker_tx, waker_rx) = mpsc::channel::<Waker>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (woke_tx, woke_rx) = mpsc::channel::<()>();
    let flag = done.clone();
    let waker_thread = std::thread::spawn(move || {
        let waker = waker_rx.recv().unwrap();
        go_rx.recv().unwrap();
        flag.store(true, Ordering::SeqCst);
        waker.wake();
        woke_tx.send(()).unwrap();
    });
    let future = WokenElsewhere {
        done,
        waker_to: Some(waker_tx),
    };
    s.queue_to_run(woken_from_a_thread, (log.clone(), future));
    s.queue_to_run(woken_here, (log.clone(), event.clone()));
    s.queue_to_run(wake_both, (go_tx, woke_rx, event));
    s.run();
    waker_thread.join().unwrap();
    assert_eq!(
        *log.borrow(),
        ["woken from a thread first", "woken here later"]
    );
}
