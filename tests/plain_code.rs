//! Issue 10's plain code, at run time: a direct call of a `#[task]` fn or method in a task
//! body is a pause point where other tasks run, and a pause value made in plain code (which
//! cannot pause) panics naming its call site instead of doing nothing.

use std::cell::RefCell;
use std::rc::Rc;

use scheduler::sync::{Event, Receiver, Sender, channel};
use scheduler::{Scheduler, task};
use scheduler_workspace::panic_message;

type Log = Rc<RefCell<Vec<&'static str>>>;

#[task]
fn turn_on_tv(log: Log) {
    log.borrow_mut().push("tv: warming up");
    let (other, warm) = (log.clone(), Rc::new(Event::new()));
    let warmed = warm.clone();
    scheduler::queue_to_run(
        move || {
            other.borrow_mut().push("other task");
            warmed.set();
        },
        (),
    );
    warm.wait(); // only the other task can set it: it runs while this one waits
    log.borrow_mut().push("tv: on");
}

#[task]
fn set_tv_channel(log: Log, channel: u32) -> u32 {
    log.borrow_mut().push("tv: channel set");
    channel
}

#[task]
fn do_both(log: Log) -> u32 {
    turn_on_tv(log.clone()); // a direct call: pauses until it returns
    set_tv_channel(log, 7)
}

#[test]
fn a_direct_call_of_a_task_fn_is_a_pause_point_where_other_tasks_run() {
    let log = Log::default();
    let s = Scheduler::new();
    s.run_until_finished(do_both, (log.clone(),));
    assert_eq!(
        *log.borrow(),
        ["tv: warming up", "other task", "tv: on", "tv: channel set"],
        "in order, with the other task run while turn_on_tv paused"
    );
}

struct Mailbox {
    rx: Receiver<u32>,
}

impl Mailbox {
    #[task]
    fn next(&self) -> u32 {
        self.rx.recv().unwrap()
    }
}

#[task]
fn read_two(mailbox: Rc<Mailbox>, log: Log) -> u32 {
    let first = mailbox.next(); // a #[task] method: pauses until a value comes
    log.borrow_mut().push("reader: got one");
    first + mailbox.next()
}

#[task]
fn write_two(tx: Sender<u32>, log: Log) {
    log.borrow_mut().push("writer: sending");
    tx.send(1).unwrap();
    scheduler::yield_now();
    tx.send(2).unwrap();
}

#[test]
fn a_task_method_pauses_until_what_it_waits_for_comes() {
    let log = Log::default();
    let (tx, rx) = channel(1);
    let s = Scheduler::new();
    let reader = s.queue_to_run(read_two, (Rc::new(Mailbox { rx }), log.clone()));
    s.queue_to_run(write_two, (tx, log.clone()));
    s.run();
    assert_eq!(futures_lite::future::block_on(reader), Ok(3));
    assert_eq!(*log.borrow(), ["writer: sending", "reader: got one"]);
}

#[allow(unused_must_use)]
fn plain_helper(tx: &Sender<u32>) {
    tx.send(1); // made where it cannot pause: dropped unpaused
}

#[task]
fn calls_a_plain_helper(tx: Sender<u32>) {
    plain_helper(&tx);
}

#[test]
fn a_send_dropped_in_a_plain_helper_panics_naming_its_line_and_the_fix() {
    let line = line!() - 10;
    let (tx, rx) = channel(1);
    let message =
        panic_message(|| Scheduler::new().run_until_finished(calls_a_plain_helper, (tx,)));
    assert!(
        message.contains(&format!(
            "a pause point was called at tests/plain_code.rs:{line}"
        )),
        "{message}"
    );
    assert!(message.contains("`#[task]`"), "{message}");
    assert!(rx.try_recv().is_err(), "the value was never sent");
}

#[allow(unused_must_use)]
fn plain_reader(mailbox: &Mailbox) {
    mailbox.next();
}

#[test]
fn a_task_method_called_from_plain_code_panics_naming_it() {
    let line = line!() - 5;
    let (_tx, rx) = channel(1);
    let mailbox = Mailbox { rx };
    let message = panic_message(|| plain_reader(&mailbox));
    assert!(message.contains("plain_code::Mailbox::next"), "{message}");
    assert!(
        message.contains(&format!("tests/plain_code.rs:{line}")),
        "{message}"
    );
}
