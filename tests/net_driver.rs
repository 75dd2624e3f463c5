//! Who drives the sockets' reactor (issue 22): the run loops themselves, parking in it, and
//! a thread of its own for waiters outside every loop. Each test is a situation where only
//! one of these can deliver an edge: a socket used from a plain thread, or while the only
//! loop is blocked in a poll, or between loops on different threads. Synchronised by
//! handshakes (a read reports that it waits before the data is written); a watchdog fails
//! a test whose edge is never delivered.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use scheduler::net::UnixStream;
use scheduler::{Scheduler, task};
use scheduler_workspace::Watchdog;

const LIMIT: Duration = Duration::from_secs(60);

/// No slow-poll report for the tasks below that block their thread on purpose.
const QUIET: Duration = Duration::from_secs(3600);

/// Polls `inner`, and calls `waiting` when it first finds it pending (it waits for an edge
/// then).
struct SaysWhenWaiting<F> {
    inner: Pin<Box<F>>,
    waiting: Option<Box<dyn FnOnce() + Send>>,
}

impl<F: Future> Future for SaysWhenWaiting<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let polled = self.inner.as_mut().poll(cx);
        if polled.is_pending()
            && let Some(waiting) = self.waiting.take()
        {
            waiting();
        }
        polled
    }
}

fn says_when_waiting<F: Future>(inner: F, waiting: mpsc::Sender<()>) -> SaysWhenWaiting<F> {
    SaysWhenWaiting {
        inner: Box::pin(inner),
        waiting: Some(Box::new(move || {
            let _ = waiting.send(());
        })),
    }
}

/// A pair: ours to read from, a std stream to write into from anywhere.
fn pair() -> (UnixStream, std::os::unix::net::UnixStream) {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    (UnixStream::from_std(ours).unwrap(), theirs)
}

/// A plain thread reads from one of our streams (through `futures_lite::future::block_on`)
/// after saying it waits; gives what it read.
fn read_on_a_plain_thread(
    stream: UnixStream,
    waiting: mpsc::Sender<()>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = [0; 16];
        let n = futures_lite::future::block_on(says_when_waiting(stream.read(&mut buf), waiting))
            .unwrap();
        buf[..n].to_vec()
    })
}

#[test]
fn a_socket_works_on_a_plain_thread_with_no_scheduler_running() {
    let _watchdog = Watchdog::new(LIMIT, "a plain thread's read");
    let (ours, mut theirs) = pair();
    let (waiting, waits) = mpsc::channel();
    let reader = read_on_a_plain_thread(ours, waiting);
    waits.recv().unwrap();
    theirs.write_all(b"plain").unwrap();
    assert_eq!(reader.join().unwrap(), b"plain");
}

/// In a task: a plain thread waits on a socket, and this task blocks its loop's thread
/// until that read is done, so no loop can deliver the edge.
#[task]
fn block_the_loop_while_a_plain_thread_reads() -> Vec<u8> {
    let (ours, mut theirs) = pair();
    let (waiting, waits) = mpsc::channel();
    let reader = read_on_a_plain_thread(ours, waiting);
    waits.recv().unwrap(); // the plain thread waits for the edge
    theirs.write_all(b"blocked").unwrap();
    reader.join().unwrap() // blocks this loop until it got the data
}

#[test]
fn a_plain_threads_socket_is_served_while_the_only_loop_is_blocked_in_a_poll() {
    let _watchdog = Watchdog::new(LIMIT, "a plain thread's read beside a blocked loop");
    let one = Scheduler::builder()
        .slow_poll(QUIET)
        .build()
        .run_until_finished(block_the_loop_while_a_plain_thread_reads, ());
    let pool = Scheduler::builder().threads(2).slow_poll(QUIET).build();
    let two = pool.run_until_finished(block_the_loop_while_a_plain_thread_reads, ());
    assert_eq!([one, two], [b"blocked".to_vec(), b"blocked".to_vec()]);
}

/// Reads once from `stream`, saying on `waiting` when it waits (made in plain code: in a
/// `#[task]` body, `stream.read(..)` would pause there).
async fn read_saying_when_waiting(stream: UnixStream, waiting: mpsc::Sender<()>) -> Vec<u8> {
    let mut buf = [0; 16];
    let n = says_when_waiting(stream.read(&mut buf), waiting)
        .await
        .unwrap();
    buf[..n].to_vec()
}

#[task]
fn read_after_saying_it_waits(stream: UnixStream, waiting: mpsc::Sender<()>) -> Vec<u8> {
    scheduler::wait(read_saying_when_waiting(stream, waiting))
}

/// On a pool of two: one task waits on a socket on one worker while another blocks the
/// other worker until that read is done.
#[task]
fn block_one_worker_while_a_task_reads() -> Vec<u8> {
    let (ours, mut theirs) = pair();
    let (waiting, waits) = mpsc::channel();
    let (done, finished) = mpsc::channel();
    let reader = scheduler::queue_to_run(read_after_saying_it_waits, (ours, waiting));
    scheduler::queue_to_run(
        move || {
            waits.recv().unwrap(); // blocks this worker until the read waits
            theirs.write_all(b"worker").unwrap();
            let _ = done.send(());
        },
        (),
    );
    let read = reader.join().unwrap();
    finished.recv().unwrap();
    read
}

#[test]
fn a_task_on_a_pool_gets_its_edge_while_another_worker_is_blocked_in_a_poll() {
    let _watchdog = Watchdog::new(LIMIT, "a read beside a blocked worker");
    let pool = Scheduler::builder().threads(2).slow_poll(QUIET).build();
    assert_eq!(
        pool.run_until_finished(block_one_worker_while_a_task_reads, ()),
        b"worker"
    );
}

#[task]
fn echo_rounds(stream: UnixStream, rounds: usize) {
    let mut buf = [0; 8];
    for _ in 0..rounds {
        stream.read_exact(&mut buf).unwrap();
        stream.write_all(&buf).unwrap();
    }
}

#[task]
fn ping_rounds(stream: UnixStream, rounds: usize) -> usize {
    let mut back = [0; 8];
    let mut same = 0;
    for round in 0..rounds {
        let sent = (round as u64).to_le_bytes();
        stream.write_all(&sent).unwrap();
        stream.read_exact(&mut back).unwrap();
        same += usize::from(back == sent);
    }
    same
}

#[test]
fn two_schedulers_on_two_threads_take_turns_with_the_reactor() {
    let _watchdog = Watchdog::new(LIMIT, "ping-pong between two schedulers");
    let rounds = 2_000;
    let (a, b) = UnixStream::pair().unwrap();
    let echo = std::thread::spawn(move || {
        Scheduler::new().run_until_finished(echo_rounds, (b, rounds));
    });
    let same = Scheduler::new().run_until_finished(ping_rounds, (a, rounds));
    echo.join().unwrap();
    assert_eq!(same, rounds);
}

/// One scheduler's loop blocks in a poll until the other scheduler's task, which waits on a
/// socket, has read: the other loop must hold the reactor, whichever held it before.
#[test]
fn a_loop_blocked_in_a_poll_keeps_no_other_loop_from_its_edges() {
    let _watchdog = Watchdog::new(LIMIT, "a read beside another blocked scheduler");
    for _ in 0..20 {
        let (ours, mut theirs) = pair();
        let (waiting, waits) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            Scheduler::new().run_until_finished(read_after_saying_it_waits, (ours, waiting))
        });
        let blocked = Scheduler::builder().slow_poll(QUIET).build();
        let read = blocked.run_until_finished(
            move || {
                waits.recv().unwrap();
                theirs.write_all(b"turns").unwrap();
                reader.join().unwrap() // blocks this loop until the other one read
            },
            (),
        );
        assert_eq!(read, b"turns");
    }
}

/// Reads from `reader` until the end, saying on `waiting` when its first read waits; gives
/// the length of each read.
async fn read_to_the_end(reader: UnixStream, waiting: scheduler::sync::Sender<()>) -> Vec<usize> {
    let mut buf = [0; 100];
    let first = SaysWhenWaiting {
        inner: Box::pin(reader.read(&mut buf)),
        waiting: Some(Box::new(move || {
            let _ = waiting.try_send(());
        })),
    };
    let mut lengths = vec![first.await.unwrap()];
    loop {
        match reader.read(&mut buf).await.unwrap() {
            0 => return lengths,
            n => lengths.push(n),
        }
    }
}

#[task]
fn read_to_the_end_in_a_task(
    reader: UnixStream,
    waiting: scheduler::sync::Sender<()>,
) -> Vec<usize> {
    scheduler::wait(read_to_the_end(reader, waiting))
}

#[task]
fn the_end_comes_with_the_data() -> Vec<usize> {
    let (reader, writer) = UnixStream::pair().unwrap();
    let (waiting, first_read_waits) = scheduler::sync::channel(1);
    let reading = scheduler::queue_to_run(read_to_the_end_in_a_task, (reader, waiting));
    first_read_waits.recv().unwrap();
    // Data and the end in one edge, which wakes the reader: its read is shorter than asked
    // (the buffer is drained), and no edge comes after the end, so its next read must try
    // rather than wait.
    writer.write_all(b"0123456789").unwrap();
    drop(writer);
    reading.join().unwrap()
}

#[test]
fn a_read_after_a_short_read_still_finds_the_end_of_the_stream() {
    let _watchdog = Watchdog::new(LIMIT, "a read at the end of a stream");
    let one = Scheduler::new().run_until_finished(the_end_comes_with_the_data, ());
    let pool = Scheduler::builder().threads(2).build();
    let two = pool.run_until_finished(the_end_comes_with_the_data, ());
    assert_eq!([one, two], [vec![10], vec![10]]);
}

/// How many times the reactor's own thread ("scheduler-net") has gone to sleep and been
/// woken so far (Linux's count of its voluntary context switches).
#[cfg(target_os = "linux")]
fn net_thread_wake_ups() -> u64 {
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let dir = task.unwrap().path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim() == "scheduler-net" {
            let status = std::fs::read_to_string(dir.join("status")).unwrap();
            let line = status
                .lines()
                .find(|line| line.starts_with("voluntary_ctxt_switches:"))
                .unwrap();
            return line.split_whitespace().nth(1).unwrap().parse().unwrap();
        }
    }
    panic!("no scheduler-net thread")
}

/// A pool whose tasks all wait on sockets wakes no thread: the worker parked in the
/// reactor sees the edges, so the reactor's own thread sleeps (it used to look every 20 ms
/// while the other worker waited for the reactor). In a child process: the reactor is the
/// process's, and the other tests' loops would use it.
#[cfg(target_os = "linux")]
#[test]
fn an_idle_pool_waiting_on_sockets_wakes_no_thread() {
    if !scheduler_workspace::in_child() {
        let (ok, output) =
            scheduler_workspace::run_child("an_idle_pool_waiting_on_sockets_wakes_no_thread");
        assert!(ok, "{output}");
        return;
    }
    let _watchdog = Watchdog::new(LIMIT, "an idle pool's read");
    let pool = Scheduler::builder().threads(2).build();
    let (ours, mut theirs) = pair();
    let (waiting, waits) = mpsc::channel();
    let reader = pool.queue_to_run(read_after_saying_it_waits, (ours, waiting));
    waits.recv().unwrap();
    // Not a synchronisation but the window measured: the pool has nothing to do in it.
    std::thread::sleep(Duration::from_millis(50)); // its workers park
    let before = net_thread_wake_ups();
    std::thread::sleep(Duration::from_millis(400));
    let woken = net_thread_wake_ups() - before;
    theirs.write_all(b"idle").unwrap();
    assert_eq!(
        pool.run_until_finished(move || reader.join(), ()).unwrap(),
        b"idle"
    );
    assert!(
        woken <= 2,
        "the reactor's thread woke {woken} times in 400 ms of an idle pool"
    );
}
