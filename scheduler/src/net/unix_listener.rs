//! [`UnixListener`].

use core::future::Future;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use super::driver::Direction;
use super::registered::Registered;
use super::unix::UnixStream;
use crate::pause::Pause;
use crate::reason::why;

/// A Unix-domain socket listening for connections, whose [`accept`](UnixListener::accept)
/// is a pause point.
///
/// # Examples
///
/// ```
/// use scheduler::net::{UnixListener, UnixStream};
/// use scheduler::task;
///
/// #[task]
/// fn greet(listener: UnixListener) {
///     let (stream, _peer) = listener.accept().unwrap(); // pauses until a client comes
///     stream.write_all(b"hello").unwrap();
/// }
///
/// #[task]
/// fn visit(path: std::path::PathBuf) -> Vec<u8> {
///     let listener = UnixListener::bind(&path).unwrap();
///     scheduler::queue_to_run(greet, (listener,));
///     let stream = UnixStream::connect(&path).unwrap();
///     let mut buf = [0; 5];
///     stream.read_exact(&mut buf).unwrap();
///     buf.to_vec()
/// }
///
/// let path = std::env::temp_dir().join(format!("scheduler-listen-doc-{}", std::process::id()));
/// let _ = std::fs::remove_file(&path);
/// let greeting = scheduler::Scheduler::new().run_until_finished(visit, (path.clone(),));
/// assert_eq!(greeting, b"hello");
/// let _ = std::fs::remove_file(&path);
/// ```
pub struct UnixListener(Registered<std::os::unix::net::UnixListener>);

impl UnixListener {
    /// Binds a listener to the socket file at `path` (which must not exist yet). It does not
    /// pause: plain code may call it too.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("scheduler-bind-doc-{}", std::process::id()));
    /// let _ = std::fs::remove_file(&path);
    /// let listener = scheduler::net::UnixListener::bind(&path).unwrap();
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_std(std::os::unix::net::UnixListener::bind(path)?)
    }

    /// Takes over a listener of the standard library (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("scheduler-std-doc-{}", std::process::id()));
    /// let _ = std::fs::remove_file(&path);
    /// let std = std::os::unix::net::UnixListener::bind(&path).unwrap();
    /// let listener = scheduler::net::UnixListener::from_std(std).unwrap();
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener(Registered::new(listener)?))
    }

    /// ⏸ Waits for the next connection; gives its stream and the peer's address. See the
    /// example of [`UnixListener`].
    #[track_caller]
    pub fn accept(&self) -> Pause<impl Future<Output = io::Result<(UnixStream, SocketAddr)>> + '_> {
        Pause::because(why::Accept, async move {
            let (stream, peer) = self.0.io(Direction::Read, |l| l.accept()).await?;
            Ok((UnixStream::from_std(stream)?, peer))
        })
    }

    /// The address it listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("scheduler-addr-doc-{}", std::process::id()));
    /// let _ = std::fs::remove_file(&path);
    /// let listener = scheduler::net::UnixListener::bind(&path).unwrap();
    /// assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    /// # drop(listener); let _ = std::fs::remove_file(&path);
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.io.local_addr()
    }
}
