//! A TCP echo server: one task per connection, written as plain functions.
//!
//! ```sh
//! cargo run --example echo                   # listens on 127.0.0.1:7878
//! cargo run --example echo -- 127.0.0.1:9000
//! nc 127.0.0.1 7878                          # type a line: it comes back
//! ```
//!
//! The sockets are `async-io`'s `Async<TcpListener>` and `Async<TcpStream>`; every wait on
//! them goes through `scheduler::wait(..)`, a pause point, so one thread serves every
//! connection. `tests/echo.rs` runs this server against 100 clients.

use std::net::{SocketAddr, TcpListener, TcpStream};

use async_io::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use scheduler::task;

/// Accepts connections forever, queuing a task to serve each one.
#[task]
pub fn serve(listener: Async<TcpListener>) {
    loop {
        match scheduler::wait(listener.accept()) {
            Ok((stream, _peer)) => {
                scheduler::queue_to_run(echo, (stream,));
            }
            Err(error) => eprintln!("echo: accept failed: {error}"),
        }
    }
}

/// Sends back everything the peer sends, until it closes its side.
#[task]
pub fn echo(stream: Async<TcpStream>) {
    let mut buffer = vec![0; 4096];
    loop {
        let read = scheduler::wait((&stream).read(&mut buffer));
        let n = match read {
            Ok(0) => return, // the peer closed: we are done
            Ok(n) => n,
            Err(error) => {
                eprintln!("echo: read failed: {error}");
                return;
            }
        };
        let written = scheduler::wait((&stream).write_all(&buffer[..n]));
        if let Err(error) = written {
            eprintln!("echo: write failed: {error}");
            return;
        }
    }
}

/// Binds `address` (127.0.0.1 only, in this example).
pub fn bind(address: SocketAddr) -> std::io::Result<Async<TcpListener>> {
    Async::<TcpListener>::bind(address)
}

#[allow(dead_code)] // `tests/echo.rs` includes this file for `serve`, not for `main`.
#[scheduler::main]
fn main() {
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".to_string())
        .parse()
        .expect("an address such as 127.0.0.1:7878");
    let listener = bind(address).expect("the address is free");
    println!(
        "echo: listening on {}",
        listener.get_ref().local_addr().unwrap()
    );
    serve(listener);
}
