//! [`UdpSocket`].

use core::future::Future;
use std::io;
use std::net::SocketAddr;

use super::driver::Direction;
use super::registered::Registered;
use crate::pause::Pause;
use crate::reason::why;

/// A UDP socket whose sends and receives are pause points.
///
/// # Examples
///
/// ```
/// use scheduler::net::UdpSocket;
///
/// #[scheduler::task]
/// fn round_trip() -> Vec<u8> {
///     let a = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let b = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     a.send_to(b"ping", b.local_addr().unwrap()).unwrap();
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).unwrap(); // pauses until it comes
///     assert_eq!(from, a.local_addr().unwrap());
///     buf[..n].to_vec()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(round_trip, ()), b"ping");
/// ```
pub struct UdpSocket(Registered<std::net::UdpSocket>);

impl UdpSocket {
    /// Binds a socket to `address` (port 0: one the system picks); does not pause.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = scheduler::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(socket.local_addr().unwrap().port() > 0);
    /// ```
    pub fn bind(address: SocketAddr) -> io::Result<UdpSocket> {
        UdpSocket::from_std(std::net::UdpSocket::bind(address)?)
    }

    /// Takes over a socket of the standard library (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// let std = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let socket = scheduler::net::UdpSocket::from_std(std).unwrap();
    /// # drop(socket);
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket(Registered::new(socket)?))
    }

    /// ⏸ Sends `buf` as one datagram to `target`; gives how many bytes went.
    #[track_caller]
    pub fn send_to<'a>(
        &'a self,
        buf: &'a [u8],
        target: SocketAddr,
    ) -> Pause<impl Future<Output = io::Result<usize>> + 'a> {
        Pause::because(
            why::SocketWrite,
            self.0.io(Direction::Write, move |s| s.send_to(buf, target)),
        )
    }

    /// ⏸ Waits for a datagram; gives its length (cut to `buf.len()`) and sender.
    #[track_caller]
    pub fn recv_from<'a>(
        &'a self,
        buf: &'a mut [u8],
    ) -> Pause<impl Future<Output = io::Result<(usize, SocketAddr)>> + 'a> {
        Pause::because(
            why::SocketRead,
            self.0.io(Direction::Read, move |s| s.recv_from(buf)),
        )
    }

    /// Sets the one peer [`send`](UdpSocket::send) sends to and [`recv`](UdpSocket::recv)
    /// receives from; does not pause.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = scheduler::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let b = scheduler::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// a.connect(b.local_addr().unwrap()).unwrap();
    /// assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    /// ```
    pub fn connect(&self, address: SocketAddr) -> io::Result<()> {
        self.0.io.connect(address)
    }

    /// ⏸ Sends `buf` to the connected peer.
    #[track_caller]
    pub fn send<'a>(
        &'a self,
        buf: &'a [u8],
    ) -> Pause<impl Future<Output = io::Result<usize>> + 'a> {
        Pause::because(
            why::SocketWrite,
            self.0.io(Direction::Write, move |s| s.send(buf)),
        )
    }

    /// ⏸ Waits for a datagram from the connected peer.
    #[track_caller]
    pub fn recv<'a>(
        &'a self,
        buf: &'a mut [u8],
    ) -> Pause<impl Future<Output = io::Result<usize>> + 'a> {
        Pause::because(
            why::SocketRead,
            self.0.io(Direction::Read, move |s| s.recv(buf)),
        )
    }

    /// This socket's address.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = scheduler::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(socket.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.io.local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Examples
    ///
    /// ```
    /// let socket = scheduler::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// assert!(socket.peer_addr().is_err(), "not connected");
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.io.peer_addr()
    }
}

impl core::fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("UdpSocket").field(&self.0.io).finish()
    }
}
