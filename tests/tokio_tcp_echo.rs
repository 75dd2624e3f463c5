//! With the `tokio` feature, tokio's `TcpListener` and `TcpStream` work in tasks on both
//! flavours: an echo server over loopback serves many clients at once, each connection in a
//! task of its own, and every byte each client sends comes back to it.

use std::net::{Ipv4Addr, SocketAddr};

use scheduler::{Scheduler, task};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CLIENTS: usize = 20;
const CHUNKS: usize = 8;
const CHUNK: usize = 1024;

/// Sends back everything it reads until the client closes.
#[task]
fn echo(mut stream: TcpStream) {
    let mut buffer = vec![0; CHUNK];
    loop {
        let read = scheduler::wait(stream.read(&mut buffer)).expect("read");
        if read == 0 {
            return;
        }
        scheduler::wait(stream.write_all(&buffer[..read])).expect("written");
    }
}

/// Accepts connections forever, each served by its own task.
#[task]
fn serve(listener: TcpListener) {
    loop {
        let (stream, _) = scheduler::wait(listener.accept()).expect("accepted");
        scheduler::queue_to_run(echo, (stream,));
    }
}

/// Connects, sends `CHUNKS` chunks of a pattern of its own, reading each back, and gives
/// how many bytes came back equal to what it sent.
#[task]
fn client(address: SocketAddr, id: usize) -> usize {
    let mut stream = scheduler::wait(TcpStream::connect(address)).expect("connected");
    let mut back = vec![0; CHUNK];
    let mut matched = 0;
    for chunk in 0..CHUNKS {
        let sent: Vec<u8> = (0..CHUNK)
            .map(|i| (id * 31 + chunk * 7 + i) as u8)
            .collect();
        scheduler::wait(stream.write_all(&sent)).expect("sent");
        scheduler::wait(stream.read_exact(&mut back)).expect("echoed");
        matched += sent.iter().zip(&back).filter(|(a, b)| a == b).count();
    }
    matched
}

/// Starts the server, runs every client at once, then stops the server.
#[task]
fn serve_and_connect() -> Vec<usize> {
    let listener = scheduler::wait(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))).expect("bound");
    let address = listener.local_addr().expect("an address");
    let server = scheduler::queue_to_run(serve, (listener,));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| scheduler::queue_to_run(client, (address, id)))
        .collect();
    let matched = scheduler::wait_all(clients);
    server.cancel(); // it would accept forever
    let _ = server.join(); // `Cancelled`, once its listener is closed
    matched
}

fn assert_all_came_back(matched: Vec<usize>) {
    assert_eq!(matched.len(), CLIENTS);
    assert!(matched.iter().all(|&m| m == CHUNKS * CHUNK), "{matched:?}");
}

#[test]
fn every_byte_sent_over_tokio_sockets_comes_back_on_one_thread() {
    assert_all_came_back(Scheduler::new().run_until_finished(serve_and_connect, ()));
}

#[test]
fn every_byte_sent_over_tokio_sockets_comes_back_on_two_threads() {
    let s = Scheduler::builder().threads(2).build();
    assert_all_came_back(s.run_until_finished(serve_and_connect, ()));
}
