//! What the `tokio` feature costs (issue 19): the same loopback exchanges on tokio itself,
//! on ours with tokio's sockets (the feature on), and on ours with `async-io`'s sockets (the
//! feature off or on), plus `yield_many` on ours, which shows the context's cost per poll.
//!
//! ```sh
//! cargo bench --bench tokio_io                      # feature off: tokio and ours_async_io
//! cargo bench --bench tokio_io --features tokio     # feature on: every row
//! cargo bench --bench tokio_io --features tokio -- profile ours_tokio_io ping_pong 3
//! ```
//!
//! The last form runs one row `n` times without criterion, for
//! `valgrind --tool=callgrind` (`benches/RESULTS.md`, issue 19, has the commands).
//!
//! Workloads, each on one thread and from inside a task on a runtime made once:
//! - `ping_pong`: one TCP connection over 127.0.0.1, [`ROUND_TRIPS`] round trips of 64 bytes
//!   between a client task and an echo task.
//! - `hyper_get`: a hyper 1.x server and client over one keep-alive connection, [`GETS`]
//!   GETs one after another (feature on, or tokio).
//! - `yield_many`: [`YIELD_TASKS`] tasks yielding [`YIELDS`] times each (ours only): its id
//!   says whether the feature was on, so the two builds' rows compare.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::time::Duration;

use async_io::Async;
use criterion::Criterion;
use futures_lite::{AsyncReadExt as _, AsyncWriteExt as _};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use scheduler::{Scheduler, task};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// `ping_pong`: round trips per iteration.
const ROUND_TRIPS: usize = 1_000;
/// `hyper_get`: GETs per iteration.
const GETS: usize = 200;
/// `yield_many`: tasks ...
const YIELD_TASKS: usize = 200;
/// ... each yielding this many times.
const YIELDS: usize = 1_000;
/// Bytes per message of `ping_pong`.
const MESSAGE: usize = 64;

const LOCALHOST: (Ipv4Addr, u16) = (Ipv4Addr::LOCALHOST, 0);

// ---- ours, async-io's sockets (works with the feature off and on) ----

/// Echoes `rounds` messages back.
#[task]
fn echo_async_io(listener: Async<StdListener>, rounds: usize) {
    let (stream, _) = scheduler::wait(listener.accept()).unwrap();
    let mut buffer = [0; MESSAGE];
    for _ in 0..rounds {
        scheduler::wait((&stream).read_exact(&mut buffer)).unwrap();
        scheduler::wait((&stream).write_all(&buffer)).unwrap();
    }
}

#[task]
fn ping_pong_async_io(rounds: usize) {
    let listener = Async::<StdListener>::bind(LOCALHOST).unwrap();
    let address = listener.get_ref().local_addr().unwrap();
    let server = scheduler::queue_to_run(echo_async_io, (listener, rounds));
    let stream = scheduler::wait(Async::<StdStream>::connect(address)).unwrap();
    let mut buffer = [7; MESSAGE];
    for _ in 0..rounds {
        scheduler::wait((&stream).write_all(&buffer)).unwrap();
        scheduler::wait((&stream).read_exact(&mut buffer)).unwrap();
    }
    server.join().unwrap();
}

#[task]
fn yield_many(tasks: usize, yields: usize) {
    #[task]
    fn yielder(yields: usize) {
        for _ in 0..yields {
            scheduler::yield_now();
        }
    }
    let handles: Vec<_> = (0..tasks)
        .map(|_| scheduler::queue_to_run(yielder, (yields,)))
        .collect();
    scheduler::wait_all(handles);
}

// ---- the answer of every hyper server ----

fn answer(_: Request<Incoming>) -> Ready<Result<Response<Full<Bytes>>, Infallible>> {
    ready(Ok(Response::new(Full::new(Bytes::from_static(b"hello")))))
}

fn get(address: SocketAddr) -> Request<Empty<Bytes>> {
    Request::get(format!("http://{address}/"))
        .header(hyper::header::HOST, address.to_string())
        .body(Empty::new())
        .unwrap()
}

// ---- ours, tokio's sockets (the feature on) ----

#[cfg(feature = "tokio")]
mod ours_tokio {
    use super::*;
    use hyper::client::conn::http1::Connection;
    use tokio::net::{TcpListener, TcpStream};

    #[task]
    fn echo(listener: TcpListener, rounds: usize) {
        let (mut stream, _) = scheduler::wait(listener.accept()).unwrap();
        let mut buffer = [0; MESSAGE];
        for _ in 0..rounds {
            scheduler::wait(stream.read_exact(&mut buffer)).unwrap();
            scheduler::wait(stream.write_all(&buffer)).unwrap();
        }
    }

    #[task]
    pub fn ping_pong(rounds: usize) {
        let listener = scheduler::wait(TcpListener::bind(LOCALHOST)).unwrap();
        let address = listener.local_addr().unwrap();
        let server = scheduler::queue_to_run(echo, (listener, rounds));
        let mut stream = scheduler::wait(TcpStream::connect(address)).unwrap();
        let mut buffer = [7; MESSAGE];
        for _ in 0..rounds {
            scheduler::wait(stream.write_all(&buffer)).unwrap();
            scheduler::wait(stream.read_exact(&mut buffer)).unwrap();
        }
        server.join().unwrap();
    }

    #[task]
    fn serve_one(listener: TcpListener) {
        let (stream, _) = scheduler::wait(listener.accept()).unwrap();
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service_fn(answer));
        scheduler::wait(connection).unwrap();
    }

    #[task]
    fn drive(connection: Connection<TokioIo<TcpStream>, Empty<Bytes>>) {
        scheduler::wait(connection).unwrap();
    }

    #[task]
    pub fn hyper_get(gets: usize) {
        let listener = scheduler::wait(TcpListener::bind(LOCALHOST)).unwrap();
        let address = listener.local_addr().unwrap();
        let server = scheduler::queue_to_run(serve_one, (listener,));
        let stream = scheduler::wait(TcpStream::connect(address)).unwrap();
        let (mut sender, connection) =
            scheduler::wait(hyper::client::conn::http1::handshake(TokioIo::new(stream))).unwrap();
        let client = scheduler::queue_to_run(drive, (connection,));
        for _ in 0..gets {
            let response = scheduler::wait(sender.send_request(get(address))).unwrap();
            scheduler::wait(response.into_body().collect()).unwrap();
        }
        drop(sender); // the connection ends, and so does the server's
        client.join().unwrap();
        server.join().unwrap();
    }
}

// ---- tokio itself ----

mod on_tokio {
    use super::*;
    use tokio::net::{TcpListener, TcpStream};

    pub async fn ping_pong(rounds: usize) {
        let listener = TcpListener::bind(LOCALHOST).await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buffer = [0; MESSAGE];
            for _ in 0..rounds {
                stream.read_exact(&mut buffer).await.unwrap();
                stream.write_all(&buffer).await.unwrap();
            }
        });
        let mut stream = TcpStream::connect(address).await.unwrap();
        let mut buffer = [7; MESSAGE];
        for _ in 0..rounds {
            stream.write_all(&buffer).await.unwrap();
            stream.read_exact(&mut buffer).await.unwrap();
        }
        server.await.unwrap();
    }

    pub async fn hyper_get(gets: usize) {
        let listener = TcpListener::bind(LOCALHOST).await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await
                .unwrap();
        });
        let stream = TcpStream::connect(address).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        let client = tokio::spawn(connection);
        for _ in 0..gets {
            let response = sender.send_request(get(address)).await.unwrap();
            response.into_body().collect().await.unwrap();
        }
        drop(sender);
        client.await.unwrap().unwrap();
        server.await.unwrap();
    }
}

// ---- the rows ----

/// Where a row runs: a scheduler of ours or a tokio runtime, made once.
struct Runtimes {
    ours: Scheduler,
    tokio: tokio::runtime::Runtime,
}

impl Runtimes {
    fn new() -> Self {
        Runtimes {
            ours: Scheduler::new(),
            tokio: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// Runs one row once; `false` if this build has no such row.
    fn run(&self, row: &str, workload: &str) -> bool {
        match (row, workload) {
            ("tokio_current_thread", "ping_pong") => {
                self.tokio.block_on(on_tokio::ping_pong(ROUND_TRIPS));
            }
            ("tokio_current_thread", "hyper_get") => {
                self.tokio.block_on(on_tokio::hyper_get(GETS));
            }
            ("ours_async_io", "ping_pong") => {
                self.ours
                    .run_until_finished(ping_pong_async_io, (ROUND_TRIPS,));
            }
            (FEATURE_ROW, "yield_many") => {
                self.ours
                    .run_until_finished(yield_many, (YIELD_TASKS, YIELDS));
            }
            #[cfg(feature = "tokio")]
            ("ours_tokio_io", "ping_pong") => {
                self.ours
                    .run_until_finished(ours_tokio::ping_pong, (ROUND_TRIPS,));
            }
            #[cfg(feature = "tokio")]
            ("ours_tokio_io", "hyper_get") => {
                self.ours.run_until_finished(ours_tokio::hyper_get, (GETS,));
            }
            _ => return false,
        }
        true
    }
}

/// The `yield_many` row's name: which build it ran in.
const FEATURE_ROW: &str = if cfg!(feature = "tokio") {
    "ours_feature_on"
} else {
    "ours_feature_off"
};

/// Every row, by workload.
const ROWS: [(&str, &[&str]); 3] = [
    (
        "ping_pong",
        &["tokio_current_thread", "ours_tokio_io", "ours_async_io"],
    ),
    ("hyper_get", &["tokio_current_thread", "ours_tokio_io"]),
    ("yield_many", &["ours_feature_off", "ours_feature_on"]),
];

fn main() {
    // `cargo bench` passes `--bench`: flags are criterion's.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runtimes = Runtimes::new();
    if let [profile, row, workload, rest @ ..] = args.as_slice()
        && profile == "profile"
    {
        let times: usize = rest.first().map_or(1, |n| n.parse().expect("a count"));
        for _ in 0..times {
            assert!(runtimes.run(row, workload), "no row {row} {workload} here");
        }
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    for (workload, rows) in ROWS {
        let mut group = criterion.benchmark_group(workload);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        for &row in rows {
            if runtimes.run(row, workload) {
                group.bench_function(row, |b| b.iter(|| runtimes.run(row, workload)));
            }
        }
        group.finish();
    }
    criterion.final_summary();
}
