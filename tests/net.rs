//! `scheduler::net` (issue 22): sockets whose waiting methods are pause points, over an
//! edge-triggered reactor, on both flavours. Every test is synchronised by what goes over
//! the sockets; a watchdog fails a test that would hang (a lost edge).

use std::net::SocketAddr;
use std::time::Duration;

use scheduler::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};
use scheduler::{Scheduler, task};
use scheduler_workspace::Watchdog;

const LIMIT: Duration = Duration::from_secs(60);

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// Runs `f(args)` on one thread and on a pool of two, and gives both results.
macro_rules! on_both {
    ($f:expr, $args:expr) => {{
        let one = Scheduler::new().run_until_finished($f, $args);
        let pool = Scheduler::builder().threads(2).build();
        let two = pool.run_until_finished($f, $args);
        [one, two]
    }};
}

#[task]
fn echo(stream: TcpStream) {
    let mut buf = vec![0; 4096];
    loop {
        match stream.read(&mut buf).unwrap() {
            0 => return,
            n => stream.write_all(&buf[..n]).unwrap(),
        }
    }
}

#[task]
fn serve(listener: TcpListener, connections: usize) {
    for _ in 0..connections {
        let (stream, _) = listener.accept().unwrap();
        scheduler::queue_to_run(echo, (stream,));
    }
}

#[task]
fn client(address: SocketAddr, id: usize) -> bool {
    let stream = TcpStream::connect(address).unwrap();
    let mut all_back = true;
    for round in 0..20 {
        let sent: Vec<u8> = (0..512).map(|i| (id * 7 + round * 3 + i) as u8).collect();
        stream.write_all(&sent).unwrap();
        let mut back = vec![0; sent.len()];
        stream.read_exact(&mut back).unwrap();
        all_back &= back == sent;
    }
    all_back
}

#[task]
fn echo_many(clients: usize) -> usize {
    let listener = TcpListener::bind(localhost()).unwrap();
    let address = listener.local_addr().unwrap();
    scheduler::queue_to_run(serve, (listener, clients));
    let handles: Vec<_> = (0..clients)
        .map(|id| scheduler::queue_to_run(client, (address, id)))
        .collect();
    scheduler::wait_all(handles)
        .into_iter()
        .filter(|&ok| ok)
        .count()
}

#[test]
fn an_echo_server_serves_every_client_on_both_flavours() {
    let _watchdog = Watchdog::new(LIMIT, "the echo server");
    assert_eq!(on_both!(echo_many, (50,)), [50, 50]);
}

#[task]
fn pump(stream: UnixStream, bytes: usize) {
    let chunk = vec![0xAB; 64 * 1024];
    let mut left = bytes;
    while left > 0 {
        let n = stream.write(&chunk[..left.min(chunk.len())]).unwrap();
        left -= n;
    }
}

#[task]
fn drain(stream: UnixStream) -> usize {
    let mut buf = [0; 1000]; // small reads: many edges, many waits on both sides
    let mut total = 0;
    loop {
        match stream.read(&mut buf).unwrap() {
            0 => return total,
            n => total += n,
        }
    }
}

#[task]
fn big_transfer(bytes: usize) -> usize {
    let (a, b) = UnixStream::pair().unwrap();
    let reader = scheduler::queue_to_run(drain, (b,));
    scheduler::run_until_finished(pump, (a, bytes)); // `a` is dropped at its end: EOF
    reader.join().unwrap()
}

#[test]
fn a_transfer_larger_than_the_socket_buffers_loses_no_edge() {
    let _watchdog = Watchdog::new(LIMIT, "a 16 MiB transfer");
    let bytes = 16 << 20;
    assert_eq!(on_both!(big_transfer, (bytes,)), [bytes, bytes]);
}

#[task]
fn ponger(socket: UdpSocket, rounds: usize) {
    let mut buf = [0; 64];
    for _ in 0..rounds {
        let (n, from) = socket.recv_from(&mut buf).unwrap();
        socket.send_to(&buf[..n], from).unwrap();
    }
}

#[task]
fn udp_ping_pong(rounds: usize) -> usize {
    let server = UdpSocket::bind(localhost()).unwrap();
    let address = server.local_addr().unwrap();
    let pong = scheduler::queue_to_run(ponger, (server, rounds));
    let socket = UdpSocket::bind(localhost()).unwrap();
    socket.connect(address).unwrap();
    let mut back = 0;
    for round in 0..rounds {
        let sent = (round as u32).to_be_bytes();
        socket.send(&sent).unwrap();
        let mut buf = [0; 64];
        let n = socket.recv(&mut buf).unwrap();
        back += usize::from(buf[..n] == sent);
    }
    pong.join().unwrap();
    back
}

#[test]
fn udp_datagrams_go_back_and_forth_on_both_flavours() {
    let _watchdog = Watchdog::new(LIMIT, "UDP ping-pong");
    assert_eq!(on_both!(udp_ping_pong, (200,)), [200, 200]);
}

#[task]
fn read_one(stream: UnixStream) -> Vec<u8> {
    let mut buf = [0; 5];
    stream.read_exact(&mut buf).unwrap();
    buf.to_vec()
}

#[task]
fn reader_first() -> Vec<u8> {
    let (a, b) = UnixStream::pair().unwrap();
    let reader = scheduler::queue_to_run(read_one, (b,));
    scheduler::yield_now(); // the reader runs first, finds nothing and pauses in `read`
    a.write_all(b"later").unwrap();
    reader.join().unwrap()
}

#[test]
fn a_read_pauses_until_data_comes() {
    let _watchdog = Watchdog::new(LIMIT, "a paused read");
    assert_eq!(
        on_both!(reader_first, ()),
        [b"later".to_vec(), b"later".to_vec()]
    );
}

#[task]
fn through_futures_io() -> Vec<u8> {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    let (mut a, b) = UnixStream::pair().unwrap();
    // The traits' methods, named as such: the inherent `write_all` is the pause point.
    scheduler::wait(AsyncWriteExt::write_all(&mut a, b"by the traits")).unwrap();
    scheduler::wait(AsyncWriteExt::close(&mut a)).unwrap(); // `b` reads the end
    let mut all = Vec::new();
    scheduler::wait(AsyncReadExt::read_to_end(&mut &b, &mut all)).unwrap();
    all
}

#[test]
fn the_streams_work_through_futures_io() {
    let _watchdog = Watchdog::new(LIMIT, "futures-io adapters");
    assert_eq!(
        on_both!(through_futures_io, ()),
        [b"by the traits".to_vec(), b"by the traits".to_vec()]
    );
}

#[task]
fn async_io_client(address: SocketAddr) -> Vec<u8> {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    let mut stream =
        scheduler::wait(async_io::Async::<std::net::TcpStream>::connect(address)).unwrap();
    scheduler::wait(stream.write_all(b"mixed")).unwrap();
    let mut back = [0; 5];
    scheduler::wait(stream.read_exact(&mut back)).unwrap();
    back.to_vec()
}

#[task]
fn beside_async_io() -> Vec<u8> {
    let listener = TcpListener::bind(localhost()).unwrap();
    let address = listener.local_addr().unwrap();
    scheduler::queue_to_run(serve, (listener, 1));
    scheduler::run_until_finished(async_io_client, (address,))
}

#[test]
fn async_io_futures_keep_working_in_wait_beside_these_sockets() {
    let _watchdog = Watchdog::new(LIMIT, "async-io beside scheduler::net");
    assert_eq!(
        on_both!(beside_async_io, ()),
        [b"mixed".to_vec(), b"mixed".to_vec()]
    );
}

#[task]
fn connect_refused() -> bool {
    // A port just freed: nothing listens there.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    TcpStream::connect(address).is_err()
}

#[test]
fn a_refused_connection_is_an_error_not_a_hang() {
    let _watchdog = Watchdog::new(LIMIT, "a refused connect");
    assert_eq!(on_both!(connect_refused, ()), [true, true]);
}

#[task]
fn echo_unix(stream: UnixStream) {
    let mut buf = [0; 64];
    loop {
        match stream.read(&mut buf).unwrap() {
            0 => return,
            n => stream.write_all(&buf[..n]).unwrap(),
        }
    }
}

#[task]
fn serve_unix(listener: UnixListener, connections: usize) {
    for _ in 0..connections {
        let (stream, _peer) = listener.accept().unwrap();
        scheduler::queue_to_run(echo_unix, (stream,));
    }
}

#[task]
fn unix_client(path: std::path::PathBuf, id: u8) -> bool {
    let stream = UnixStream::connect(&path).unwrap();
    let sent = [id; 32];
    stream.write_all(&sent).unwrap();
    let mut back = [0; 32];
    stream.read_exact(&mut back).unwrap();
    back == sent
}

#[task]
fn unix_echo_many(path: std::path::PathBuf, clients: u8) -> usize {
    let listener = UnixListener::bind(&path).unwrap();
    assert_eq!(
        listener.local_addr().unwrap().as_pathname(),
        Some(path.as_path())
    );
    scheduler::queue_to_run(serve_unix, (listener, usize::from(clients)));
    let handles: Vec<_> = (0..clients)
        .map(|id| scheduler::queue_to_run(unix_client, (path.clone(), id)))
        .collect();
    scheduler::wait_all(handles)
        .into_iter()
        .filter(|&ok| ok)
        .count()
}

#[test]
fn a_unix_listener_accepts_every_client_on_both_flavours() {
    let _watchdog = Watchdog::new(LIMIT, "the Unix echo server");
    let path = |flavour: &str| {
        let path = std::env::temp_dir().join(format!(
            "scheduler-test-unix-{flavour}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        path
    };
    let (one, two) = (path("one"), path("two"));
    let served = [
        Scheduler::new().run_until_finished(unix_echo_many, (one.clone(), 20)),
        Scheduler::builder()
            .threads(2)
            .build()
            .run_until_finished(unix_echo_many, (two.clone(), 20)),
    ];
    let _ = (std::fs::remove_file(one), std::fs::remove_file(two));
    assert_eq!(served, [20, 20]);
}

#[task]
fn connect_by_name() -> [bool; 3] {
    let listener = TcpListener::bind(localhost()).unwrap();
    let port = listener.local_addr().unwrap().port();
    scheduler::queue_to_run(serve, (listener, 2));
    // Looked up off the loop; "localhost" may name ::1 first, where nothing listens: the
    // next address is tried.
    let by_string = TcpStream::connect(format!("localhost:{port}")).is_ok();
    let by_host_and_port = TcpStream::connect(("localhost", port)).is_ok();
    // Not an address and no port: an error at once, no hang.
    let unparsable = TcpStream::connect("no port here").is_err();
    [by_string, by_host_and_port, unparsable]
}

#[test]
fn a_stream_connects_to_a_name_on_both_flavours() {
    let _watchdog = Watchdog::new(LIMIT, "a connect by name");
    assert_eq!(on_both!(connect_by_name, ()), [[true; 3], [true; 3]]);
}
