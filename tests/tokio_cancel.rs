//! With the `tokio` feature, a task waiting on a tokio future is cancelled like any other:
//! `with_timeout` and `TaskHandle::cancel` drop the tokio future (a drop guard beside it
//! counts it), and a tokio socket the task held is closed by the time they return.

use std::future::Future;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use scheduler::sync::Event;
use scheduler::{Scheduler, TaskError, task};
use scheduler_workspace::{DropCounter, DropToken};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// A tokio future with a drop guard beside it: the guard is dropped with the future.
struct Guarded<F> {
    future: Pin<Box<F>>,
    _token: DropToken,
}

impl<F: Future> Future for Guarded<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.future.as_mut().poll(cx)
    }
}

fn guarded<F: Future>(future: F, token: DropToken) -> Guarded<F> {
    Guarded {
        future: Box::pin(future),
        _token: token,
    }
}

/// Waits on a tokio sleep of an hour.
#[task]
fn sleep_for_an_hour(token: DropToken) {
    scheduler::wait(guarded(
        tokio::time::sleep(Duration::from_secs(3600)),
        token,
    ));
}

/// Whether `with_timeout` timed out, and how many guards were alive when it returned.
#[task]
fn time_out(counter: DropCounter) -> (bool, usize) {
    let token = counter.token();
    let outcome = scheduler::with_timeout(Duration::from_millis(10), sleep_for_an_hour, (token,));
    (outcome.is_err(), counter.alive())
}

#[test]
fn with_timeout_drops_the_tokio_future_a_task_waits_on_on_one_thread() {
    let counter = DropCounter::new();
    let seen = Scheduler::new().run_until_finished(time_out, (counter,));
    assert_eq!(seen, (true, 0), "(timed out, guards alive)");
}

#[test]
fn with_timeout_drops_the_tokio_future_a_task_waits_on_on_two_threads() {
    let counter = DropCounter::new();
    let s = Scheduler::builder().threads(2).build();
    assert_eq!(s.run_until_finished(time_out, (counter,)), (true, 0));
}

/// Says it is reading, then reads from `stream` until it is cancelled.
#[task]
fn read_forever(mut stream: TcpStream, token: DropToken, reading: Arc<Event>) {
    let mut byte = [0; 1];
    reading.set(); // the task goes on to the read without pausing
    let _ = scheduler::wait(guarded(stream.read(&mut byte), token));
}

/// Cancels a task blocked on a tokio socket read. Gives whether its join said `Cancelled`,
/// how many guards were alive then, and what the other end of its socket read next (0: the
/// cancelled task's socket was closed).
#[task]
fn cancel_a_reader(counter: DropCounter) -> (bool, usize, usize) {
    let listener = scheduler::wait(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))).expect("bound");
    let address = listener.local_addr().expect("an address");
    let mut peer = scheduler::wait(TcpStream::connect(address)).expect("connected");
    let (stream, _) = scheduler::wait(listener.accept()).expect("accepted");
    let reading = Arc::new(Event::new());
    let reader = scheduler::queue_to_run(read_forever, (stream, counter.token(), reading.clone()));
    reading.wait();
    reader.cancel();
    let cancelled = matches!(reader.join(), Err(TaskError::Cancelled { .. }));
    let alive = counter.alive();
    let mut byte = [0; 1];
    // A minute only turns a socket left open (a hang) into a failure.
    let next = scheduler::wait(tokio::time::timeout(
        Duration::from_secs(60),
        peer.read(&mut byte),
    ))
    .expect("the cancelled task's socket was closed within a minute")
    .expect("read");
    (cancelled, alive, next)
}

#[test]
fn cancel_drops_the_tokio_socket_a_task_reads_from_on_one_thread() {
    let counter = DropCounter::new();
    let seen = Scheduler::new().run_until_finished(cancel_a_reader, (counter,));
    assert_eq!(seen, (true, 0, 0), "(cancelled, guards alive, bytes read)");
}

#[test]
fn cancel_drops_the_tokio_socket_a_task_reads_from_on_two_threads() {
    let counter = DropCounter::new();
    let s = Scheduler::builder().threads(2).build();
    let seen = s.run_until_finished(cancel_a_reader, (counter,));
    assert_eq!(seen, (true, 0, 0), "(cancelled, guards alive, bytes read)");
}
