//! A TCP echo server (issue 22): ours (`scheduler::net`), tokio and smol, one thread and
//! two, at 50 and 500 connections with 64 B and 16 KiB messages. What counts is the
//! server's CPU per request: the server runs in a child process of its own, and its CPU
//! time (user + system, every thread) comes from `wait4` when it exits; the load
//! generator (smol, one thread, in this process) is not counted.
//!
//! `cargo bench -p scheduler-benches --bench echo` runs `ECHO_ROUNDS` rounds (3), the
//! runtimes one after another in each, the order rotating; the table gives ours' CPU per
//! request over each peer's, median (lowest–highest) over the rounds. `ECHO_REQUESTS`
//! (per connection, 200) changes the length. See `benches/RESULTS.md`, "Issue 22: echo".

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code, reason = "each bench binary uses a part of what they share")]
mod measure;

use measure::{env_or, median};

const RUNTIMES: [&str; 3] = ["ours", "tokio", "smol"];

mod server {
    use std::net::SocketAddr;

    pub fn ours(threads: usize) {
        use scheduler::net::{TcpListener, TcpStream};

        #[scheduler::task]
        fn echo(stream: TcpStream) {
            let mut buf = vec![0; 16 * 1024];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if stream.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                }
            }
        }

        #[scheduler::task]
        fn serve(listener: TcpListener) {
            while let Ok((stream, _)) = listener.accept() {
                let _ = stream.set_nodelay(true);
                scheduler::queue_to_run(echo, (stream,));
            }
        }

        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        announce(listener.local_addr().unwrap());
        if threads == 1 {
            scheduler::Scheduler::new().run_until_finished(serve, (listener,));
        } else {
            let pool = scheduler::Scheduler::builder().threads(threads).build();
            pool.run_until_finished(serve, (listener,));
        }
    }

    pub fn tokio(threads: usize) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rt = if threads == 1 {
            tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .enable_io()
                .build()
        }
        .unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            announce(listener.local_addr().unwrap());
            while let Ok((mut stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let mut buf = vec![0; 16 * 1024];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if stream.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
    }

    pub fn smol(threads: usize) {
        use smol::io::{AsyncReadExt, AsyncWriteExt};
        use std::sync::Arc;
        let ex = Arc::new(smol::Executor::new());
        for _ in 1..threads {
            let ex = ex.clone();
            std::thread::spawn(move || smol::block_on(ex.run(smol::future::pending::<()>())));
        }
        smol::block_on(ex.run(async {
            let listener = smol::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            announce(listener.local_addr().unwrap());
            while let Ok((mut stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                ex.spawn(async move {
                    let mut buf = vec![0; 16 * 1024];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if stream.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                })
                .detach();
            }
        }));
    }

    /// Tells the parent where to connect, then serves until the parent closes stdin.
    fn announce(address: SocketAddr) {
        println!("{address}");
        std::thread::spawn(|| {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            std::process::exit(0);
        });
    }
}

/// The load: `connections` connections, each sending `size` bytes and reading them back
/// `requests` times, all at once, from one smol thread.
fn load(address: SocketAddr, connections: usize, size: usize, requests: usize) -> Duration {
    use smol::io::{AsyncReadExt, AsyncWriteExt};
    let start = Instant::now();
    let ex = smol::LocalExecutor::new();
    smol::block_on(ex.run(async {
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                ex.spawn(async move {
                    let mut stream = smol::net::TcpStream::connect(address).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let message = vec![7u8; size];
                    let mut back = vec![0u8; size];
                    for _ in 0..requests {
                        stream.write_all(&message).await.unwrap();
                        stream.read_exact(&mut back).await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
    }));
    start.elapsed()
}

/// Runs the server `runtime` on `threads` in a child process under the load; gives its
/// CPU time.
fn measure(
    runtime: &str,
    threads: usize,
    connections: usize,
    size: usize,
    requests: usize,
) -> Duration {
    #[allow(
        clippy::zombie_processes,
        reason = "reaped by `wait4` below, which also gives its CPU time"
    )]
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--server", runtime, &threads.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address: SocketAddr = line.trim().parse().unwrap();
    load(address, connections, size, requests);
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(b"stop\n");
    drop(stdin);
    let pid = child.id() as libc::pid_t;
    // SAFETY: `wait4` writes the status and the rusage of our child `pid` into the two
    // zeroed values we pass; the child is not waited for anywhere else.
    let usage = unsafe {
        let mut status = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        usage
    };
    measure::cpu_time(&usage)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--server") {
        let threads: usize = args[3].parse().unwrap();
        match args[2].as_str() {
            "ours" => server::ours(threads),
            "tokio" => server::tokio(threads),
            _ => server::smol(threads),
        }
        return;
    }
    let rounds = env_or("ECHO_ROUNDS", 3);
    let requests = env_or("ECHO_REQUESTS", 200);
    println!(
        "| threads | connections | size | ours µs/request | tokio | smol | ours / tokio | ours / smol |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for threads in [1, 2] {
        for (connections, size) in [(50, 64), (500, 64), (50, 16 * 1024), (500, 16 * 1024)] {
            let total = (connections * requests) as f64;
            let mut per_request = [Vec::new(), Vec::new(), Vec::new()];
            for round in 0..rounds {
                for offset in 0..RUNTIMES.len() {
                    let index = (offset + round) % RUNTIMES.len();
                    let cpu = measure(RUNTIMES[index], threads, connections, size, requests);
                    per_request[index].push(cpu.as_secs_f64() * 1e6 / total);
                }
            }
            let ratio = |peer: usize| {
                let ratios: Vec<f64> = per_request[0]
                    .iter()
                    .zip(&per_request[peer])
                    .map(|(o, p)| o / p)
                    .collect();
                let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
                let high = ratios.iter().copied().fold(0.0, f64::max);
                format!("{:.2} ({low:.2}–{high:.2})", median(ratios.clone()))
            };
            println!(
                "| {threads} | {connections} | {size} | {:.2} | {:.2} | {:.2} | {} | {} |",
                median(per_request[0].clone()),
                median(per_request[1].clone()),
                median(per_request[2].clone()),
                ratio(1),
                ratio(2),
            );
        }
    }
}
