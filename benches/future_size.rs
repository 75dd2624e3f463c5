//! `future_size` (issue 14): the bytes of a task's future against the same body written as
//! an `async fn` with `.await` on its pause points only, for a few real bodies. Sizes are
//! exact and the same on every run: `cargo bench --bench future_size` prints the table, and
//! fails if a body is bigger than its `async fn` (by more than one word in a debug build).
//!
//! Ours is measured as users get it: the `Pause` a call of the `#[task]` fn returns, which
//! carries the task's name and call site (`size_of::<Pause<()>>()` bytes) beside the body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_channel::{Receiver, Sender};
use scheduler::task;

/// A request/response "fetch": send a request, wait for the reply, parse it.
mod fetch {
    use super::*;

    #[task]
    pub fn ours(requests: Sender<(String, Sender<Vec<u8>>)>, url: String) -> Option<usize> {
        let (reply_to, reply) = async_channel::bounded(1);
        scheduler::wait(requests.send((url.clone(), reply_to))).ok()?;
        let body = scheduler::wait(reply.recv()).ok()?;
        let text = String::from_utf8_lossy(&body);
        let words = text.split_whitespace().count();
        scheduler::sleep(Duration::from_millis(1));
        Some(words + url.len())
    }

    pub async fn theirs(requests: Sender<(String, Sender<Vec<u8>>)>, url: String) -> Option<usize> {
        let (reply_to, reply) = async_channel::bounded(1);
        requests.send((url.clone(), reply_to)).await.ok()?;
        let body = reply.recv().await.ok()?;
        let text = String::from_utf8_lossy(&body);
        let words = text.split_whitespace().count();
        scheduler::sleep(Duration::from_millis(1)).await;
        Some(words + url.len())
    }
}

/// A chat server's peer loop: lines in from the peer, out to every other peer.
mod chat_peer {
    use super::*;

    pub type Peers = Arc<Mutex<HashMap<u32, Sender<String>>>>;

    #[task]
    pub fn ours(id: u32, lines: Receiver<String>, peers: Peers) -> usize {
        let mut sent = 0;
        while let Ok(line) = scheduler::wait(lines.recv()) {
            let targets: Vec<Sender<String>> = {
                let peers = peers.lock().unwrap();
                peers
                    .iter()
                    .filter(|(peer, _)| **peer != id)
                    .map(|(_, tx)| tx.clone())
                    .collect()
            };
            for tx in targets {
                if scheduler::wait(tx.send(format!("{id}: {line}"))).is_ok() {
                    sent += 1;
                }
            }
        }
        peers.lock().unwrap().remove(&id);
        sent
    }

    pub async fn theirs(id: u32, lines: Receiver<String>, peers: Peers) -> usize {
        let mut sent = 0;
        while let Ok(line) = lines.recv().await {
            let targets: Vec<Sender<String>> = {
                let peers = peers.lock().unwrap();
                peers
                    .iter()
                    .filter(|(peer, _)| **peer != id)
                    .map(|(_, tx)| tx.clone())
                    .collect()
            };
            for tx in targets {
                if tx.send(format!("{id}: {line}")).await.is_ok() {
                    sent += 1;
                }
            }
        }
        peers.lock().unwrap().remove(&id);
        sent
    }
}

/// A worker that takes jobs and keeps a tally under a std lock.
mod locked_worker {
    use super::*;

    #[task]
    pub fn ours(jobs: Receiver<u64>, tally: Arc<Mutex<Vec<u64>>>) -> u64 {
        let mut done = 0;
        while let Ok(job) = scheduler::wait(jobs.recv()) {
            let squared = job * job;
            {
                let mut tally = tally.lock().unwrap();
                tally.push(squared);
                tally.sort_unstable();
            }
            scheduler::yield_now();
            done += 1;
        }
        done
    }

    pub async fn theirs(jobs: Receiver<u64>, tally: Arc<Mutex<Vec<u64>>>) -> u64 {
        let mut done = 0;
        while let Ok(job) = jobs.recv().await {
            let squared = job * job;
            {
                let mut tally = tally.lock().unwrap();
                tally.push(squared);
                tally.sort_unstable();
            }
            scheduler::yield_now().await;
            done += 1;
        }
        done
    }
}

fn is_send<T: Send>(_: &T) -> &'static str {
    "yes"
}

fn main() {
    let (requests, _r) = async_channel::bounded(1);
    let (_tx, lines) = async_channel::bounded::<String>(1);
    let (_jtx, jobs) = async_channel::bounded::<u64>(1);
    let peers = chat_peer::Peers::default();
    let tally = Arc::new(Mutex::new(Vec::new()));
    let header = std::mem::size_of::<scheduler::Pause<()>>();
    println!("| body | #[task] | async fn | task / async fn | task `Send` |");
    println!("|---|---:|---:|---:|---|");
    // What a body may hold beyond its `async fn`'s: nothing in an optimized build; in a
    // debug build its awaited pause point's site address, one word (`Locate`, `stack.rs`).
    let allowance = if cfg!(debug_assertions) {
        size_of::<usize>()
    } else {
        0
    };
    let row = |name: &str, ours: usize, theirs: usize, send: &str| {
        assert!(
            ours - header <= theirs + allowance,
            "{name}: the task's body is {} B, its async fn {theirs} B",
            ours - header
        );
        println!(
            "| {name} | {ours} B | {theirs} B | {:.2}x (body alone: {:.2}x) | {send} |",
            ours as f64 / theirs as f64,
            (ours - header) as f64 / theirs as f64
        );
    };
    let (ours, theirs) = (
        fetch::ours(requests.clone(), "a".into()),
        fetch::theirs(requests, "a".into()),
    );
    row(
        "fetch",
        size_of_val(&ours),
        size_of_val(&theirs),
        is_send(&ours),
    );
    std::mem::forget(ours);
    let (ours, theirs) = (
        chat_peer::ours(1, lines.clone(), peers.clone()),
        chat_peer::theirs(1, lines, peers),
    );
    row(
        "chat peer loop",
        size_of_val(&ours),
        size_of_val(&theirs),
        is_send(&ours),
    );
    std::mem::forget(ours);
    let (ours, theirs) = (
        locked_worker::ours(jobs.clone(), tally.clone()),
        locked_worker::theirs(jobs, tally),
    );
    row(
        "worker with a std lock",
        size_of_val(&ours),
        size_of_val(&theirs),
        is_send(&ours),
    );
    std::mem::forget(ours);
    println!("\n(`Pause` header: {header} B: the task's name and call site.)");
}
