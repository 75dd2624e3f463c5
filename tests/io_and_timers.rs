//! Timers and I/O of `async-io` work inside tasks, and an idle scheduler parks on the
//! reactor instead of spinning.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use async_io::Async;
use futures_lite::AsyncReadExt;
use scheduler::{Scheduler, task};

#[task]
fn read_greeting(stream: Async<TcpStream>) -> String {
    let mut stream = stream;
    let mut text = String::new();
    scheduler::wait(stream.read_to_string(&mut text)).unwrap();
    text
}

#[task]
fn connect_and_read(address: std::net::SocketAddr) -> String {
    let stream = scheduler::wait(Async::<TcpStream>::connect(address)).unwrap();
    read_greeting(stream)
}

#[test]
fn a_task_reads_an_async_io_tcp_stream_with_wait() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut peer, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(20)); // the reader waits on the reactor
        peer.write_all(b"hello from the other side").unwrap();
    });
    let text = Scheduler::new().run_until_finished(connect_and_read, (address,));
    assert_eq!(text, "hello from the other side");
    server.join().unwrap();
}

/// CPU time this thread has used, from `/proc/thread-self/stat` (Linux), in clock ticks.
#[cfg(target_os = "linux")]
fn thread_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn an_idle_sleep_uses_almost_no_cpu() {
    #[task]
    fn nap() {
        scheduler::sleep(Duration::from_millis(500));
    }
    let before = thread_cpu_ticks();
    Scheduler::new().run_until_finished(nap, ());
    let used = thread_cpu_ticks() - before;
    // Ticks are 10 ms: a busy loop would use ~50 of them. Parked on the reactor: ~0.
    assert!(used <= 5, "an idle sleep used {used} ticks of CPU");
}
