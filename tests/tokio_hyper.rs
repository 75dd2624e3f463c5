//! With the `tokio` feature, hyper 1.x works in tasks on both flavours: a hyper server
//! over loopback, each connection served by a task, answers the GETs of hyper clients that run
//! in tasks too, several requests per connection and several connections at once.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::{Ipv4Addr, SocketAddr};

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::{Connection, handshake};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use scheduler::{Scheduler, task};
use tokio::net::{TcpListener, TcpStream};

const CLIENTS: usize = 8;
const REQUESTS: usize = 4;

/// The server's answer: the path it was asked for.
fn answer(request: Request<Incoming>) -> Ready<Result<Response<Full<Bytes>>, Infallible>> {
    let body = format!("you asked for {}", request.uri().path());
    ready(Ok(Response::new(Full::new(Bytes::from(body)))))
}

/// Serves one connection until the client closes it.
#[task]
fn serve_connection(stream: TcpStream) {
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service_fn(answer));
    scheduler::wait(connection).expect("the connection was served");
}

/// Accepts connections forever, each served by its own task.
#[task]
fn serve(listener: TcpListener) {
    loop {
        let (stream, _) = scheduler::wait(listener.accept()).expect("accepted");
        scheduler::queue_to_run(serve_connection, (stream,));
    }
}

/// Drives a client connection's I/O until its sender is dropped.
#[task]
fn drive(connection: Connection<TokioIo<TcpStream>, Empty<Bytes>>) {
    scheduler::wait(connection).expect("the client connection ran");
}

/// Sends `REQUESTS` GETs over one connection; gives each status and body.
#[task]
fn client(address: SocketAddr, id: usize) -> Vec<(StatusCode, String)> {
    let stream = scheduler::wait(TcpStream::connect(address)).expect("connected");
    let (mut sender, connection) =
        scheduler::wait(handshake(TokioIo::new(stream))).expect("handshake");
    scheduler::queue_to_run(drive, (connection,));
    let mut answers = Vec::new();
    for n in 0..REQUESTS {
        let request = Request::get(format!("http://{address}/page/{id}/{n}"))
            .header(hyper::header::HOST, address.to_string())
            .body(Empty::<Bytes>::new())
            .expect("a request");
        // The connection takes the next request once it is done with the last one (its
        // task may still be reading the last response's end, on another worker).
        scheduler::wait(sender.ready()).expect("the connection is ready");
        let response = scheduler::wait(sender.send_request(request)).expect("a response");
        let status = response.status();
        let body = scheduler::wait(response.into_body().collect()).expect("a body");
        let text = String::from_utf8(body.to_bytes().to_vec()).expect("text");
        answers.push((status, text));
    }
    answers
}

/// Starts the server, runs every client at once, then stops the server.
#[task]
fn serve_and_get() -> Vec<Vec<(StatusCode, String)>> {
    let listener = scheduler::wait(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))).expect("bound");
    let address = listener.local_addr().expect("an address");
    let server = scheduler::queue_to_run(serve, (listener,));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| scheduler::queue_to_run(client, (address, id)))
        .collect();
    let answers = scheduler::wait_all(clients);
    server.cancel(); // it would accept forever
    let _ = server.join(); // `Cancelled`, once its listener is closed
    answers
}

fn assert_every_page_came(answers: Vec<Vec<(StatusCode, String)>>) {
    assert_eq!(answers.len(), CLIENTS);
    for (id, pages) in answers.into_iter().enumerate() {
        let expected: Vec<_> = (0..REQUESTS)
            .map(|n| (StatusCode::OK, format!("you asked for /page/{id}/{n}")))
            .collect();
        assert_eq!(pages, expected);
    }
}

#[test]
fn a_hyper_server_answers_hyper_clients_in_tasks_on_one_thread() {
    assert_every_page_came(Scheduler::new().run_until_finished(serve_and_get, ()));
}

#[test]
fn a_hyper_server_answers_hyper_clients_in_tasks_on_two_threads() {
    let s = Scheduler::builder().threads(2).build();
    assert_every_page_came(s.run_until_finished(serve_and_get, ()));
}
