//! [`TcpListener`] and [`TcpStream`].

use core::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};

use super::addrs::{self, ToSocketAddrs};
use super::driver::Direction;
use super::registered::{Registered, futures_io_impls, stream_pauses};
use crate::pause::Pause;
use crate::reason::why;

/// A TCP socket listening for connections, whose [`accept`](TcpListener::accept) is a
/// pause point.
///
/// # Examples
///
/// ```
/// let listener = scheduler::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
/// assert!(listener.local_addr().unwrap().port() > 0);
/// ```
pub struct TcpListener(Registered<std::net::TcpListener>);

impl TcpListener {
    /// Binds a listener to `address` (port 0: one the system picks). It does not pause:
    /// plain code may call it too.
    ///
    /// # Examples
    ///
    /// ```
    /// use scheduler::net::TcpListener;
    /// let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// # drop(listener);
    /// ```
    pub fn bind(address: SocketAddr) -> io::Result<TcpListener> {
        let listener = std::net::TcpListener::bind(address)?;
        TcpListener::from_std(listener)
    }

    /// Takes over a listener of the standard library (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let listener = scheduler::net::TcpListener::from_std(std).unwrap();
    /// # drop(listener);
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener(Registered::new(listener)?))
    }

    /// ⏸ Waits for the next connection; gives its stream and the peer's address. See the
    /// example of [`scheduler::net`](crate::net).
    #[track_caller]
    pub fn accept(&self) -> Pause<impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + '_> {
        Pause::because(why::Accept, async move {
            let (stream, peer) = self.0.io(Direction::Read, |l| l.accept()).await?;
            Ok((TcpStream::from_std(stream)?, peer))
        })
    }

    /// The address it listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = scheduler::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(listener.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.io.local_addr()
    }
}

/// A TCP connection whose reads and writes are pause points; also `futures-io`'s
/// `AsyncRead` and `AsyncWrite` (for `&TcpStream` too). See [`scheduler::net`](crate::net)
/// for an example.
pub struct TcpStream(Registered<std::net::TcpStream>);

impl TcpStream {
    /// ⏸ Connects to `address` (see [`ToSocketAddrs`]: an address, or a name looked up
    /// off the loop), without blocking the thread while the handshake goes on. A name may
    /// stand for several addresses: each is tried in turn, and the error of the last is
    /// given if none connects.
    ///
    /// # Examples
    ///
    /// ```
    /// use scheduler::net::{TcpListener, TcpStream};
    ///
    /// #[scheduler::task]
    /// fn connect_to_self() -> bool {
    ///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    ///     let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    ///     let (_accepted, peer) = listener.accept().unwrap();
    ///     peer == stream.local_addr().unwrap()
    /// }
    ///
    /// assert!(scheduler::Scheduler::new().run_until_finished(connect_to_self, ()));
    /// ```
    #[track_caller]
    pub fn connect(
        address: impl ToSocketAddrs,
    ) -> Pause<impl Future<Output = io::Result<TcpStream>>> {
        let target = addrs::resolve(address);
        Pause::because(why::Connect, async move {
            let mut last = None;
            for address in target.await? {
                match TcpStream::connect_one(address).await {
                    Ok(stream) => return Ok(stream),
                    Err(error) => last = Some(error),
                }
            }
            Err(last.unwrap_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the name given to `TcpStream::connect` stands for no address",
                )
            }))
        })
    }

    /// Connects to one address.
    async fn connect_one(address: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::new(
            Domain::for_address(address),
            Type::STREAM,
            Some(Protocol::TCP),
        )?;
        socket.set_nonblocking(true)?;
        match socket.connect(&address.into()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        let stream = TcpStream(Registered::new(std::net::TcpStream::from(socket))?);
        // Writable once the handshake is over, one way or the other.
        stream
            .0
            .io(Direction::Write, |s| {
                if let Some(error) = s.take_error()? {
                    return Err(error);
                }
                match s.peer_addr() {
                    Ok(_) => Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        Err(io::ErrorKind::WouldBlock.into())
                    }
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(stream)
    }

    /// Takes over a connected stream of the standard library (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream = scheduler::net::TcpStream::from_std(std).unwrap();
    /// # drop(stream);
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(TcpStream(Registered::new(stream)?))
    }

    /// Shuts down the reading half, the writing half or both; does not pause.
    ///
    /// # Examples
    ///
    /// ```
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// # let std = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream = scheduler::net::TcpStream::from_std(std).unwrap();
    /// stream.shutdown(std::net::Shutdown::Write).unwrap(); // the peer reads the end
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.0.io.shutdown(how)
    }

    /// The peer's address.
    ///
    /// # Examples
    ///
    /// ```
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// # let std = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream = scheduler::net::TcpStream::from_std(std).unwrap();
    /// assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.io.peer_addr()
    }

    /// This end's address.
    ///
    /// # Examples
    ///
    /// ```
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// # let std = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream = scheduler::net::TcpStream::from_std(std).unwrap();
    /// assert!(stream.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.io.local_addr()
    }

    /// Turns Nagle's algorithm off (`true`: small writes go out at once) or on.
    ///
    /// # Examples
    ///
    /// ```
    /// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// # let std = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let stream = scheduler::net::TcpStream::from_std(std).unwrap();
    /// stream.set_nodelay(true).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.0.io.set_nodelay(nodelay)
    }
}

stream_pauses!(TcpStream);
futures_io_impls!(TcpStream);

impl core::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("TcpStream").field(&self.0.io).finish()
    }
}

impl core::fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("TcpListener").field(&self.0.io).finish()
    }
}
