//! A TCP echo server: one task per connection, written as plain functions.
//!
//! ```sh
//! cargo run --example echo                   # listens on 127.0.0.1:7878
//! cargo run --example echo -- 127.0.0.1:9000
//! nc 127.0.0.1 7878                          # type a line: it comes back
//! ```
//!
//! The sockets are `scheduler::net`'s: `accept`, `read` and `write_all` are pause points,
//! so one thread serves every connection, with no `wait(..)` and no `.await`.
//! `tests/echo.rs` runs this server against 100 clients.

use std::net::SocketAddr;

use scheduler::net::{TcpListener, TcpStream};
use scheduler::task;

/// Accepts connections forever, queuing a task to serve each one.
#[task]
pub fn serve(listener: TcpListener) {
    loop {
        match listener.accept() {
            Ok((stream, _peer)) => {
                scheduler::queue_to_run(echo, (stream,));
            }
            Err(error) => eprintln!("echo: accept failed: {error}"),
        }
    }
}

/// Sends back everything the peer sends, until it closes its side.
#[task]
pub fn echo(stream: TcpStream) {
    let mut buffer = vec![0; 4096];
    loop {
        let n = match stream.read(&mut buffer) {
            Ok(0) => return, // the peer closed: we are done
            Ok(n) => n,
            Err(error) => {
                eprintln!("echo: read failed: {error}");
                return;
            }
        };
        if let Err(error) = stream.write_all(&buffer[..n]) {
            eprintln!("echo: write failed: {error}");
            return;
        }
    }
}

/// Binds `address` (127.0.0.1 only, in this example).
pub fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(address)
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
    println!("echo: listening on {}", listener.local_addr().unwrap());
    serve(listener);
}
