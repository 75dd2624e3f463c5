//! Racing two waits (select), with this crate: `cargo run --example side_by_side_racing`.
//!
//! Side by side with `racing.py` (asyncio) and `racing_tokio.rs` (tokio); see README.md. A
//! consumer races its next message against a 40 ms quiet period, until the channel closes.
//! No `async`, no `.await`: `select!` races pause points in a `#[task]` body.

use std::time::Duration;

use scheduler::sleep;
use scheduler::sync::{self, Receiver, Sender};

#[scheduler::task]
fn producer(tx: Sender<u32>) {
    for (n, millis) in [(1, 10), (2, 10), (3, 80)] {
        sleep(Duration::from_millis(millis));
        tx.send(n).unwrap();
    }
}

#[scheduler::task]
fn consumer(rx: Receiver<u32>) {
    loop {
        scheduler::select! {
            message = rx.recv() => match message {
                Ok(n) => println!("got {n}"),
                Err(_) => {
                    println!("closed");
                    return;
                }
            },
            _ = sleep(Duration::from_millis(40)) => println!("quiet"),
        }
    }
}

#[scheduler::main]
fn main() {
    let (tx, rx) = sync::channel(1);
    let producing = scheduler::queue_to_run(producer, (tx,));
    consumer(rx);
    producing.join().unwrap();
}
