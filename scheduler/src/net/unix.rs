//! [`UnixStream`].

use core::future::Future;
use std::io;
use std::net::Shutdown;
use std::path::Path;

use super::registered::{Registered, futures_io_impls, stream_pauses};
use crate::pause::Pause;
use crate::reason::why;

/// A Unix-domain stream socket whose reads and writes are pause points; also
/// `futures-io`'s `AsyncRead` and `AsyncWrite` (for `&UnixStream` too).
///
/// # Examples
///
/// ```
/// use scheduler::net::UnixStream;
///
/// #[scheduler::task]
/// fn talk() -> Vec<u8> {
///     let (a, b) = UnixStream::pair().unwrap();
///     a.write_all(b"over the pair").unwrap();
///     let mut buf = [0; 13];
///     b.read_exact(&mut buf).unwrap(); // pauses until it is all there
///     buf.to_vec()
/// }
///
/// assert_eq!(scheduler::Scheduler::new().run_until_finished(talk, ()), b"over the pair");
/// ```
pub struct UnixStream(Registered<std::os::unix::net::UnixStream>);

impl UnixStream {
    /// Connects to the socket at `path`. A Unix-domain connect completes at once (or fails)
    /// unless the listener's backlog is full, when it blocks the thread until there is room.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("scheduler-doc-{}", std::process::id()));
    /// let _ = std::fs::remove_file(&dir);
    /// let listener = std::os::unix::net::UnixListener::bind(&dir).unwrap();
    /// let stream = scheduler::net::UnixStream::connect(&dir).unwrap();
    /// # drop((stream, listener)); let _ = std::fs::remove_file(&dir);
    /// ```
    pub fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        UnixStream::from_std(std::os::unix::net::UnixStream::connect(path)?)
    }

    /// Two connected streams.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = scheduler::net::UnixStream::pair().unwrap();
    /// # drop((a, b));
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Takes over a stream of the standard library (made non-blocking here).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let stream = scheduler::net::UnixStream::from_std(a).unwrap();
    /// # drop(stream);
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        Ok(UnixStream(Registered::new(stream)?))
    }

    /// Shuts down the reading half, the writing half or both; does not pause.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = scheduler::net::UnixStream::pair().unwrap();
    /// a.shutdown(std::net::Shutdown::Write).unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.0.io.shutdown(how)
    }
}

stream_pauses!(UnixStream);
futures_io_impls!(UnixStream);

impl core::fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("UnixStream").field(&self.0.io).finish()
    }
}
