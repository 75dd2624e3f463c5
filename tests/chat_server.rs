//! tokio's chat server example, ported: every peer's task races, with `select!`, the lines
//! other peers broadcast to it (its channel) against the next line from its own socket,
//! and the server waits in a scope for every peer to leave. On both flavours, over loopback.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use async_io::Async;
use futures_lite::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use scheduler::sync::{self, Sender};
use scheduler::task;

type Peers = Arc<Mutex<HashMap<usize, Sender<String>>>>;

/// Sends `line` to every peer but `from`, without pausing (the channels are unbounded, so
/// the std lock is never held across a pause).
fn broadcast(peers: &Peers, from: usize, line: &str) {
    for (id, tx) in peers.lock().unwrap().iter() {
        if *id != from {
            let _ = tx.try_send(format!("peer {from}: {line}"));
        }
    }
}

#[task]
fn peer(id: usize, stream: Async<TcpStream>, peers: Peers) {
    let (tx, rx) = sync::unbounded();
    peers.lock().unwrap().insert(id, tx);
    let mut reader = AsyncBufReader::new(&stream);
    let mut writer = &stream;
    scheduler::wait(writer.write_all(format!("welcome, peer {id}\n").as_bytes())).unwrap();
    // Kept across races: a `read_line` that lost one may have read part of a line into it
    // (it is not cancel-safe), which the next one completes.
    let mut line = String::new();
    loop {
        let done = scheduler::select! {
            Ok(message) = rx.recv() => {
                scheduler::wait(writer.write_all(format!("{message}\n").as_bytes())).is_err()
            }
            read = scheduler::wait(reader.read_line(&mut line)) => match read {
                Ok(0) | Err(_) => true,
                Ok(_) => {
                    broadcast(&peers, id, line.trim_end());
                    line.clear();
                    false
                }
            },
        };
        if done {
            break;
        }
    }
    peers.lock().unwrap().remove(&id);
}

#[task]
fn serve(listener: Async<TcpListener>, peers: Peers, expected: usize) {
    scheduler::scope(|s| {
        for id in 0..expected {
            let (stream, _) = scheduler::wait(listener.accept()).unwrap();
            s.queue_to_run(peer, (id, stream, peers.clone()));
        }
    });
}

fn read_line(reader: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.trim_end().to_string()
}

/// Two clients: each is welcomed, a line from one reaches the other, and the server's
/// scope ends once both have left.
fn chat(threads: usize) {
    let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], 0)).unwrap();
    let address = listener.get_ref().local_addr().unwrap();
    let peers = Peers::default();
    let server = std::thread::spawn(move || {
        if threads == 1 {
            scheduler::Scheduler::new().run_until_finished(serve, (listener, peers, 2));
        } else {
            scheduler::Scheduler::builder()
                .threads(threads)
                .build()
                .run_until_finished(serve, (listener, peers, 2));
        }
    });
    let connect = || {
        let stream = TcpStream::connect(address).unwrap();
        (BufReader::new(stream.try_clone().unwrap()), stream)
    };
    let (mut a_in, mut a_out) = connect();
    assert_eq!(read_line(&mut a_in), "welcome, peer 0");
    let (mut b_in, b_out) = connect();
    assert_eq!(read_line(&mut b_in), "welcome, peer 1");
    a_out.write_all(b"hello\n").unwrap();
    assert_eq!(read_line(&mut b_in), "peer 0: hello");
    drop((a_in, a_out, b_in, b_out));
    server.join().unwrap();
}

#[test]
fn the_chat_server_relays_lines_between_peers_on_one_thread() {
    chat(1);
}

#[test]
fn the_chat_server_relays_lines_between_peers_on_two_threads() {
    chat(2);
}
