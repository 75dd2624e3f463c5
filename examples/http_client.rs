//! A hyper 1.x client fetching many pages from a local hyper server, at most a few at a
//! time, in plain `#[task]` functions: tokio-based libraries through the `tokio` feature.
//!
//! ```sh
//! cargo run --features tokio --example http_client             # 200 pages, 8 at a time
//! cargo run --features tokio --example http_client -- 1000 32  # 1000 pages, 32 at a time
//! ```
//!
//! The server and the client both run on one scheduler of two threads, each connection in
//! a task of its own; every wait on hyper or on a tokio socket goes through
//! `scheduler::wait(..)`, a pause point. A `scheduler::sync::Semaphore` bounds how many pages
//! are fetched at once, and the program checks that the bound held.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{Connection, handshake};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use scheduler::sync::Semaphore;
use scheduler::task;
use tokio::net::{TcpListener, TcpStream};

/// A page of the local server: its path, said back.
fn page(request: Request<Incoming>) -> Ready<Result<Response<Full<Bytes>>, Infallible>> {
    let body = format!("<h1>page {}</h1>", request.uri().path());
    ready(Ok(Response::new(Full::new(Bytes::from(body)))))
}

/// Serves one connection until the client closes it.
#[task]
fn serve_connection(stream: TcpStream) {
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service_fn(page));
    if let Err(error) = scheduler::wait(connection) {
        eprintln!("http_client: a server connection failed: {error}");
    }
}

/// Accepts connections forever, each served by its own task.
#[task]
fn serve(listener: TcpListener) {
    loop {
        match scheduler::wait(listener.accept()) {
            Ok((stream, _)) => {
                scheduler::queue_to_run(serve_connection, (stream,));
            }
            Err(error) => eprintln!("http_client: accept failed: {error}"),
        }
    }
}

/// Drives a client connection's I/O until its sender is dropped.
#[task]
fn drive(connection: Connection<TokioIo<TcpStream>, Empty<Bytes>>) {
    if let Err(error) = scheduler::wait(connection) {
        eprintln!("http_client: a client connection failed: {error}");
    }
}

/// How many fetches run now, and the most that ever ran at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// GETs `path` from `address` once a permit of `permits` is free; gives the body's length.
#[task]
fn fetch(address: SocketAddr, path: String, permits: Arc<Semaphore>, seen: Arc<InFlight>) -> usize {
    let _permit = permits.acquire(); // held until this task returns
    let now = seen.now.fetch_add(1, Ordering::SeqCst) + 1;
    seen.most.fetch_max(now, Ordering::SeqCst);
    let stream = scheduler::wait(TcpStream::connect(address)).expect("connected");
    let (mut sender, connection) =
        scheduler::wait(handshake(TokioIo::new(stream))).expect("an HTTP/1 handshake");
    scheduler::queue_to_run(drive, (connection,));
    let request = Request::get(format!("http://{address}{path}"))
        .header(hyper::header::HOST, address.to_string())
        .body(Empty::<Bytes>::new())
        .expect("a request");
    let response = scheduler::wait(sender.send_request(request)).expect("a response");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let body = scheduler::wait(response.into_body().collect()).expect("a body");
    seen.now.fetch_sub(1, Ordering::SeqCst);
    body.to_bytes().len()
}

/// The command line's number of pages and fetches at once (200 and 8 by default).
fn pages_and_bound() -> (usize, usize) {
    let mut args = std::env::args().skip(1);
    let pages = args
        .next()
        .map_or(200, |a| a.parse().expect("a number of pages"));
    let at_once = args
        .next()
        .map_or(8, |a| a.parse().expect("a number of fetches"));
    (pages, at_once)
}

#[scheduler::main(threads = 2)]
fn main() {
    let (pages, at_once) = pages_and_bound();

    let listener = scheduler::wait(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))).expect("bound");
    let address = listener.local_addr().expect("an address");
    let server = scheduler::queue_to_run(serve, (listener,));

    let permits = Arc::new(Semaphore::new(at_once));
    let seen = Arc::new(InFlight::default());
    let fetches: Vec<_> = (0..pages)
        .map(|n| {
            let path = format!("/{n}");
            scheduler::queue_to_run(fetch, (address, path, permits.clone(), seen.clone()))
        })
        .collect();
    let bytes: usize = scheduler::wait_all(fetches).into_iter().sum();
    server.cancel(); // it would accept forever
    let _ = server.join(); // `Cancelled`, once its listener is closed

    let most = seen.most.load(Ordering::SeqCst);
    println!("fetched {pages} pages ({bytes} bytes) from {address}, at most {most} at once");
    assert!(
        most <= at_once,
        "the semaphore let {most} fetches run at once"
    );
}
