//! [`ToSocketAddrs`]: what [`TcpStream::connect`](super::TcpStream::connect) takes. Names
//! (`"localhost:8080"`, `("example.com", 443)`) are looked up on the `blocking` crate's
//! threads, so no run loop waits for the system's resolver; addresses are used as they are.

use std::io;
use std::net::{IpAddr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// An address to connect to, or a name to look up first: a [`SocketAddr`] (or its V4 / V6
/// kinds), `(IpAddr, u16)`, a `&[SocketAddr]`, or a `"host:port"` string (`&str` or
/// `String`) and `(host, port)` (`&str` or `String` with a `u16`), as the standard
/// library's `ToSocketAddrs` takes them. Sealed: the crate implements it, users pass these.
///
/// # Examples
///
/// ```
/// use scheduler::net::{TcpListener, TcpStream};
///
/// #[scheduler::task]
/// fn by_name() -> bool {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let port = listener.local_addr().unwrap().port();
///     // "localhost" is looked up off the loop; each address it names is tried in turn.
///     TcpStream::connect(format!("localhost:{port}")).is_ok()
/// }
///
/// assert!(scheduler::Scheduler::new().run_until_finished(by_name, ()));
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

mod sealed {
    /// What an address argument becomes: addresses, or a name to look up.
    pub enum Target {
        Addresses(Vec<std::net::SocketAddr>),
        /// A `"host:port"` string.
        Name(String),
        /// A host and a port.
        HostPort(String, u16),
    }

    pub trait Sealed {
        fn target(self) -> Target;
    }
}

use sealed::{Sealed, Target};

macro_rules! addresses {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl Sealed for $ty {
            fn target(self) -> Target {
                Target::Addresses(vec![SocketAddr::from(self)])
            }
        }
    )*};
}

addresses!(SocketAddr, SocketAddrV4, SocketAddrV6, (IpAddr, u16));

impl ToSocketAddrs for &[SocketAddr] {}
impl Sealed for &[SocketAddr] {
    fn target(self) -> Target {
        Target::Addresses(self.to_vec())
    }
}

impl ToSocketAddrs for &str {}
impl Sealed for &str {
    fn target(self) -> Target {
        match self.parse() {
            Ok(address) => Target::Addresses(vec![address]),
            Err(_) => Target::Name(self.to_string()),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn target(self) -> Target {
        match self.parse() {
            Ok(address) => Target::Addresses(vec![address]),
            Err(_) => Target::Name(self),
        }
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn target(self) -> Target {
        (self.0.to_string(), self.1).target()
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn target(self) -> Target {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => Target::Addresses(vec![SocketAddr::new(ip, self.1)]),
            Err(_) => Target::HostPort(self.0, self.1),
        }
    }
}

/// The addresses `address` stands for: at once for addresses, through a lookup on the
/// `blocking` crate's threads for names.
pub(crate) async fn resolve(address: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    use std::net::ToSocketAddrs as _;
    match address.target() {
        Target::Addresses(addresses) => Ok(addresses),
        Target::Name(name) => {
            blocking::unblock(move || Ok(name.to_socket_addrs()?.collect())).await
        }
        Target::HostPort(host, port) => {
            blocking::unblock(move || Ok((host.as_str(), port).to_socket_addrs()?.collect())).await
        }
    }
}
