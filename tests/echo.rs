//! The echo server of `examples/echo.rs` serves 100 clients at once over loopback, on one
//! thread, and every byte each client sends comes back to it.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use async_io::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use scheduler::{Scheduler, task};

#[path = "../examples/echo.rs"]
#[allow(dead_code)]
mod echo_example;

const CLIENTS: usize = 100;
const CHUNKS: usize = 16;
const CHUNK: usize = 1024;

/// Connects, sends `CHUNKS` chunks of a pattern of its own, reading each back, and gives
/// back how many bytes came back equal to what it sent.
#[task]
fn client(address: SocketAddr, id: usize) -> usize {
    let stream = scheduler::wait(Async::<TcpStream>::connect(address)).expect("connected");
    let mut matched = 0;
    let mut back = vec![0; CHUNK];
    for chunk in 0..CHUNKS {
        let sent: Vec<u8> = (0..CHUNK)
            .map(|i| (id * 31 + chunk * 7 + i) as u8)
            .collect();
        scheduler::wait((&stream).write_all(&sent)).expect("sent");
        scheduler::wait((&stream).read_exact(&mut back)).expect("echoed");
        matched += sent.iter().zip(&back).filter(|(a, b)| a == b).count();
    }
    matched
}

#[task]
fn serve_and_connect() -> Vec<usize> {
    let listener = echo_example::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    let address = listener.local_addr().unwrap();
    let server = scheduler::queue_to_run(echo_example::serve, (listener,));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| scheduler::queue_to_run(client, (address, id)))
        .collect();
    let matched = scheduler::wait_all(clients);
    server.cancel(); // the server would accept forever: stop it
    matched
}

#[test]
fn every_byte_of_a_hundred_clients_comes_back() {
    #[task]
    fn bounded() -> Vec<usize> {
        scheduler::with_timeout(Duration::from_secs(60), serve_and_connect, ())
            .expect("the echo exchange finished within a minute")
    }
    let matched = Scheduler::new().run_until_finished(bounded, ());
    assert_eq!(matched.len(), CLIENTS);
    assert!(matched.iter().all(|&m| m == CHUNKS * CHUNK), "{matched:?}");
}
