//! Sockets whose waiting methods are pause points: [`TcpListener`], [`TcpStream`],
//! [`UdpSocket`] and, on Unix, [`UnixStream`] and [`UnixListener`]. In a `#[task]` body,
//! `stream.read(&mut buf)` pauses the task until data comes (other tasks run meanwhile),
//! with no [`wait`](crate::wait) around it; each waiting method says ⏸.
//!
//! The streams also implement `futures-io`'s `AsyncRead` and `AsyncWrite` (for `&` too),
//! so the adapters of `futures-lite`/`futures` and libraries written against those traits
//! take them as they are.
//!
//! Every socket is registered once, edge-triggered, with one reactor (a `mio::Poll`,
//! `net/driver.rs`): an operation that finds a socket not ready waits for the next edge,
//! with no system call to re-arm it. The run loops drive that reactor themselves: a loop
//! with nothing to run parks in it, so an edge wakes a task on the thread that sees it.
//! Futures of `async-io` (its `Async<TcpStream>`, timers) keep working in `wait(..)` beside
//! these.
//!
//! One task at a time reads, and one writes, a given socket (two may share it, one reading
//! and one writing, through `&` or an `Arc`): a second task reading while one waits to
//! read takes its place, and the first waits for the next edge after that.
//!
//! # Examples
//!
//! ```
//! use scheduler::net::{TcpListener, TcpStream};
//! use scheduler::task;
//!
//! #[task]
//! fn echo_once(listener: TcpListener) {
//!     let (stream, _peer) = listener.accept().unwrap(); // pauses until a client comes
//!     let mut buf = [0; 64];
//!     let n = stream.read(&mut buf).unwrap(); // pauses until it sends
//!     stream.write_all(&buf[..n]).unwrap();
//! }
//!
//! #[task]
//! fn ask() -> Vec<u8> {
//!     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
//!     let address = listener.local_addr().unwrap();
//!     scheduler::queue_to_run(echo_once, (listener,));
//!     let stream = TcpStream::connect(address).unwrap();
//!     stream.write_all(b"hello").unwrap();
//!     let mut back = [0; 5];
//!     stream.read_exact(&mut back).unwrap();
//!     back.to_vec()
//! }
//!
//! assert_eq!(scheduler::Scheduler::new().run_until_finished(ask, ()), b"hello");
//! ```

mod addrs;
pub(crate) mod driver;
mod registered;
mod tcp;
mod udp;
#[cfg(unix)]
mod unix;
#[cfg(unix)]
mod unix_listener;

pub use addrs::ToSocketAddrs;
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::UnixStream;
#[cfg(unix)]
pub use unix_listener::UnixListener;
