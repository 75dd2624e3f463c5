//! The notes' "waiting for multiple things", in tokio:
//! `cargo run --example side_by_side_waiting_tokio`.
//!
//! Side by side with `waiting.py` (asyncio) and `waiting.rs` (scheduler); see README.md.
//! Three downloads are waited for all together (asyncio's `gather`), the first of two
//! mirrors wins (`wait(FIRST_COMPLETED)`), a slow call is given up on (`wait_for`), and a
//! group of tasks is waited for as one (`TaskGroup`: tokio's `JoinSet`).

use std::time::Duration;

async fn download(page: u32, millis: u64) -> String {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    format!("page {page}")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // All of them, in the order asked (gather): join the spawned tasks in order.
    let handles = [(1, 30), (2, 10), (3, 20)].map(|(page, ms)| tokio::spawn(download(page, ms)));
    let mut pages = Vec::new();
    for handle in handles {
        pages.push(handle.await.unwrap());
    }
    println!("all: {pages:?}");

    // The first to finish; cancel the other (select!).
    let mut slow = tokio::spawn(download(1, 50));
    let mut fast = tokio::spawn(download(2, 10));
    let first = tokio::select! {
        page = &mut slow => { fast.abort(); page }
        page = &mut fast => { slow.abort(); page }
    };
    println!("first: {}", first.unwrap());

    // Give up after a while (timeout).
    if tokio::time::timeout(Duration::from_millis(20), download(4, 3_600_000))
        .await
        .is_err()
    {
        println!("timeout: page 4 did not come within 20ms");
    }

    // A group: wait for every task in it (JoinSet; aborts the rest when dropped).
    let mut group = tokio::task::JoinSet::new();
    group.spawn(download(5, 10));
    group.spawn(download(6, 20));
    let mut done = Vec::new();
    while let Some(page) = group.join_next().await {
        done.push(page.unwrap());
    }
    println!("group: {done:?}");
}
