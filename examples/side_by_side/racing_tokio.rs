//! Racing two waits (select), with tokio: `cargo run --example side_by_side_racing_tokio`.
//!
//! Side by side with `racing.py` (asyncio) and `racing.rs` (scheduler); see README.md. A
//! consumer races its next message against a 40 ms quiet period, until the channel closes.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::sleep;

async fn producer(tx: mpsc::Sender<u32>) {
    for (n, millis) in [(1, 10), (2, 10), (3, 80)] {
        sleep(Duration::from_millis(millis)).await;
        tx.send(n).await.unwrap();
    }
}

async fn consumer(mut rx: mpsc::Receiver<u32>) {
    loop {
        tokio::select! {
            message = rx.recv() => match message {
                Some(n) => println!("got {n}"),
                None => {
                    println!("closed");
                    return;
                }
            },
            _ = sleep(Duration::from_millis(40)) => println!("quiet"),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (tx, rx) = mpsc::channel(1);
    tokio::join!(producer(tx), consumer(rx));
}
