//! Virtual time with many sleepers (issue 23, B7): `n` tasks each sleep a different time on
//! a clock that jumps to the next deadline, on ours (`virtual_time()`) and tokio
//! (`start_paused`), in one run. Before B7 our loop scanned every started task before each
//! jump (quadratic in sleepers); now it keeps counts.
//!
//! `cargo bench --bench virtual_sleepers -- [n ...]` prints the median of 3 runs per runtime
//! and the ratio; for instruction counts, `valgrind --tool=callgrind
//! target/release/deps/virtual_sleepers-<hash> ours 10000`.

use std::time::{Duration, Instant};

use scheduler::{Scheduler, task};

#[task]
fn sleeper(d: Duration) {
    scheduler::sleep(d);
}

#[task]
fn spawn_all(n: u64) {
    let handles: Vec<_> = (0..n)
        .map(|i| scheduler::queue_to_run(sleeper, (Duration::from_millis(i + 1),)))
        .collect();
    scheduler::wait_all(handles);
}

fn ours(n: u64) {
    Scheduler::builder()
        .virtual_time()
        .slow_poll(None) // queuing 160,000 tasks in one poll is the point here
        .build()
        .run_until_finished(spawn_all, (n,));
}

fn tokio(n: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::spawn(tokio::time::sleep(Duration::from_millis(i + 1))))
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
}

fn median_of_3(f: impl Fn()) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // `valgrind ... virtual_sleepers ours 10000`: one run of one runtime.
    if let [which, n] = args.as_slice()
        && let Ok(n) = n.parse()
    {
        match which.as_str() {
            "ours" => return ours(n),
            "tokio" => return tokio(n),
            _ => {}
        }
    }
    let sizes: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 40_000, 160_000]
    } else {
        sizes
    };
    println!("| sleepers | ours | tokio (start_paused) | ours / tokio |");
    println!("|---|---|---|---|");
    for n in sizes {
        let (a, b) = (median_of_3(|| ours(n)), median_of_3(|| tokio(n)));
        println!(
            "| {n} | {:.1} ms | {:.1} ms | {:.2} |",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
}
