//! A socket and its registration with the reactor (`driver.rs`): the operations every
//! socket type shares (read, write, waiting for an edge), and `futures-io`'s traits for the
//! stream types.

use core::task::{Context, Poll};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;

use super::driver::{Direction, Source, driver};

/// A socket registered with the driver: deregistered when dropped, before the socket is
/// closed (it is declared before the socket in the types that hold both).
pub(crate) struct Registration {
    source: Arc<Source>,
    /// Its token in the reactor.
    key: usize,
    fd: std::os::fd::RawFd,
}

impl Registration {
    /// Registers `socket` (already non-blocking) for both directions, edge-triggered.
    pub(crate) fn new(socket: BorrowedFd<'_>) -> io::Result<Registration> {
        let fd = socket.as_raw_fd();
        let (key, source) = driver()?.register(fd)?;
        Ok(Registration { source, key, fd })
    }

    pub(crate) fn source(&self) -> &Source {
        &self.source
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // The socket is still open: its owner drops it after this registration.
        if let Ok(driver) = driver() {
            driver.deregister(self.key, self.fd);
        }
    }
}

/// A non-blocking socket and its registration (dropped first: see [`Registration`]).
pub(crate) struct Registered<T: AsFd> {
    registration: Registration,
    pub(crate) io: T,
}

impl<T: AsFd> Registered<T> {
    /// Registers `io`, which must be non-blocking already.
    pub(crate) fn new(io: T) -> io::Result<Self> {
        Ok(Registered {
            registration: Registration::new(io.as_fd())?,
            io,
        })
    }

    /// Runs `op` until it does not block, waiting for edges in `direction`.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let mut op = op;
        self.registration
            .source()
            .poll_io(direction, cx, || op(&self.io))
    }

    /// Waits until `op` does not block.
    pub(crate) async fn io<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        core::future::poll_fn(|cx| self.poll_io(direction, cx, &mut op)).await
    }
}

impl<T: AsFd> Registered<T>
where
    for<'a> &'a T: io::Read + io::Write,
{
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.registration.source().poll_io_until_drained(
            Direction::Read,
            cx,
            || io::Read::read(&mut &self.io, buf),
            |&n| n > 0 && n < len,
        )
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.registration.source().poll_io_until_drained(
            Direction::Write,
            cx,
            || io::Write::write(&mut &self.io, buf),
            |&n| n > 0 && n < len,
        )
    }

    pub(crate) async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        core::future::poll_fn(|cx| self.poll_read(cx, buf)).await
    }

    pub(crate) async fn read_exact(&self, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read(buf).await? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => buf = &mut buf[n..],
            }
        }
        Ok(())
    }

    pub(crate) async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        core::future::poll_fn(|cx| self.poll_write(cx, buf)).await
    }

    pub(crate) async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }
}

/// The pausing reads and writes of a stream type `$ty` holding a `Registered` in `.0`
/// (`read`, `read_exact`, `write`, `write_all`): one set of methods for every stream.
macro_rules! stream_pauses {
    ($ty:ty) => {
        impl $ty {
            /// ⏸ Reads what has come, at most `buf.len()` bytes, waiting until some
            /// has; `Ok(0)` once the peer closed its side.
            #[track_caller]
            pub fn read<'a>(
                &'a self,
                buf: &'a mut [u8],
            ) -> Pause<impl Future<Output = io::Result<usize>> + 'a> {
                Pause::because(why::SocketRead, self.0.read(buf))
            }

            /// ⏸ Reads exactly `buf.len()` bytes; `UnexpectedEof` if the peer closes first.
            #[track_caller]
            pub fn read_exact<'a>(
                &'a self,
                buf: &'a mut [u8],
            ) -> Pause<impl Future<Output = io::Result<()>> + 'a> {
                Pause::because(why::SocketRead, self.0.read_exact(buf))
            }

            /// ⏸ Writes some of `buf`, waiting until the socket takes some; gives how much.
            #[track_caller]
            pub fn write<'a>(
                &'a self,
                buf: &'a [u8],
            ) -> Pause<impl Future<Output = io::Result<usize>> + 'a> {
                Pause::because(why::SocketWrite, self.0.write(buf))
            }

            /// ⏸ Writes all of `buf`.
            #[track_caller]
            pub fn write_all<'a>(
                &'a self,
                buf: &'a [u8],
            ) -> Pause<impl Future<Output = io::Result<()>> + 'a> {
                Pause::because(why::SocketWrite, self.0.write_all(buf))
            }
        }
    };
}
pub(crate) use stream_pauses;

/// `futures-io`'s traits for a stream type `$ty` holding a `Registered` in `.0`, and for
/// `&$ty`; `$shutdown` closes the writing half.
macro_rules! futures_io_impls {
    ($ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
                buf: &mut [u8],
            ) -> core::task::Poll<std::io::Result<usize>> {
                self.0.poll_read(cx, buf)
            }
        }

        impl futures_io::AsyncRead for &$ty {
            fn poll_read(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
                buf: &mut [u8],
            ) -> core::task::Poll<std::io::Result<usize>> {
                self.0.poll_read(cx, buf)
            }
        }

        // The owned stream writes as its shared reference does (below).
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
                buf: &[u8],
            ) -> core::task::Poll<std::io::Result<usize>> {
                core::pin::Pin::new(&mut &*self).poll_write(cx, buf)
            }

            fn poll_flush(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
            ) -> core::task::Poll<std::io::Result<()>> {
                core::pin::Pin::new(&mut &*self).poll_flush(cx)
            }

            fn poll_close(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
            ) -> core::task::Poll<std::io::Result<()>> {
                core::pin::Pin::new(&mut &*self).poll_close(cx)
            }
        }

        impl futures_io::AsyncWrite for &$ty {
            fn poll_write(
                self: core::pin::Pin<&mut Self>,
                cx: &mut core::task::Context<'_>,
                buf: &[u8],
            ) -> core::task::Poll<std::io::Result<usize>> {
                self.0.poll_write(cx, buf)
            }

            fn poll_flush(
                self: core::pin::Pin<&mut Self>,
                _: &mut core::task::Context<'_>,
            ) -> core::task::Poll<std::io::Result<()>> {
                core::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: core::pin::Pin<&mut Self>,
                _: &mut core::task::Context<'_>,
            ) -> core::task::Poll<std::io::Result<()>> {
                core::task::Poll::Ready(self.shutdown(std::net::Shutdown::Write))
            }
        }
    };
}
pub(crate) use futures_io_impls;
