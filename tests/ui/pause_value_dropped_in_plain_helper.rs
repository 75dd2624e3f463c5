#![deny(unused_must_use)]

use scheduler::sync::{Sender, channel};

fn plain_helper(tx: &Sender<u32>) {
    tx.send(1);
}

fn main() {
    let (tx, _rx) = channel(1);
    plain_helper(&tx);
}
