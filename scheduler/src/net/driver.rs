//! The sockets' reactor: one `polling::Poller` for the process, every socket registered in
//! edge-triggered mode (never re-armed: an operation that finds a socket not ready just
//! waits for the next edge), driven by a thread of its own that wakes the tasks whose
//! sockets became ready.
//!
//! Readiness is a counter per direction (read, write) that the driver bumps at each edge.
//! An operation reads the counter, tries the system call, and if that would block, stores
//! its waker only if the counter has not moved since: an edge between the attempt and the
//! store makes it try again, so none is lost.

use core::task::{Context, Poll, Waker};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use polling::{Event, Events, PollMode, Poller};
use slab::Slab;

/// The two directions a socket waits in.
#[derive(Clone, Copy)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

/// What a socket's waiters share with the driver.
#[derive(Default)]
struct Readiness {
    /// Edges seen, per direction.
    ticks: [u64; 2],
    /// The task waiting in each direction.
    wakers: [Option<Waker>; 2],
}

/// One registered socket's readiness.
pub(crate) struct Source {
    key: usize,
    readiness: Mutex<Readiness>,
}

impl Source {
    fn lock(&self) -> MutexGuard<'_, Readiness> {
        // Nothing panics while holding it (wakers are woken after it is released).
        crate::lock::lock(&self.readiness)
    }

    /// Runs `op` (a non-blocking system call) until it does not return `WouldBlock`; when
    /// it does, waits for the next edge in `direction` with `cx`'s waker.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let d = direction as usize;
        loop {
            let tick = self.lock().ticks[d];
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let mut readiness = self.lock();
                    if readiness.ticks[d] != tick {
                        continue; // an edge came since the attempt: try again
                    }
                    match &mut readiness.wakers[d] {
                        Some(waker) if waker.will_wake(cx.waker()) => {}
                        slot => *slot = Some(cx.waker().clone()),
                    }
                    return Poll::Pending;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => return Poll::Ready(result),
            }
        }
    }
}

/// The process's reactor for `scheduler::net`.
struct Driver {
    poller: Poller,
    sources: Mutex<Slab<Arc<Source>>>,
}

fn driver() -> io::Result<&'static Driver> {
    static DRIVER: OnceLock<Driver> = OnceLock::new();
    if let Some(driver) = DRIVER.get() {
        return Ok(driver);
    }
    let poller = Poller::new()?;
    let mut started = false;
    let driver = DRIVER.get_or_init(|| {
        started = true;
        Driver {
            poller,
            sources: Mutex::new(Slab::new()),
        }
    });
    if started {
        std::thread::Builder::new()
            .name("scheduler-net".to_string())
            .spawn(move || drive(driver))?;
    }
    Ok(driver)
}

/// The driver thread: waits for edges and wakes the tasks waiting on them.
fn drive(driver: &'static Driver) {
    let mut events = Events::new();
    let mut woken = Vec::new();
    loop {
        events.clear();
        if driver.poller.wait(&mut events, None).is_err() {
            continue; // interrupted: wait again
        }
        {
            let sources = crate::lock::lock(&driver.sources);
            for event in events.iter() {
                let Some(source) = sources.get(event.key) else {
                    continue; // deregistered since
                };
                let mut readiness = source.lock();
                for (ready, d) in [(event.readable, 0), (event.writable, 1)] {
                    if ready {
                        readiness.ticks[d] += 1;
                        woken.extend(readiness.wakers[d].take());
                    }
                }
            }
        }
        woken.drain(..).for_each(Waker::wake);
    }
}

/// A socket registered with the driver: deregistered when dropped, before the socket is
/// closed (it is declared before the socket in the types that hold both).
pub(crate) struct Registration {
    source: Arc<Source>,
    fd: std::os::fd::RawFd,
}

impl Registration {
    /// Registers `socket` (already non-blocking) for both directions, edge-triggered.
    pub(crate) fn new(socket: BorrowedFd<'_>) -> io::Result<Registration> {
        let driver = driver()?;
        let source = {
            let mut sources = crate::lock::lock(&driver.sources);
            let entry = sources.vacant_entry();
            let source = Arc::new(Source {
                key: entry.key(),
                readiness: Mutex::new(Readiness::default()),
            });
            entry.insert(source.clone());
            source
        };
        // SAFETY: `add_with_mode` needs the socket to be deleted from the poller before it
        // is closed. The socket is owned by the type that owns this `Registration`, which
        // is declared before the socket there, so this one's `drop` (which deletes it) runs
        // first; nothing else closes it.
        let added = unsafe {
            driver
                .poller
                .add_with_mode(&socket, Event::all(source.key), PollMode::Edge)
        };
        if let Err(error) = added {
            crate::lock::lock(&driver.sources).remove(source.key);
            return Err(error);
        }
        Ok(Registration {
            source,
            fd: socket.as_raw_fd(),
        })
    }

    pub(crate) fn source(&self) -> &Source {
        &self.source
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Ok(driver) = driver() else { return };
        // SAFETY: the socket is still open: its owner drops it after this registration.
        let socket = unsafe { BorrowedFd::borrow_raw(self.fd) };
        let _ = driver.poller.delete(socket.as_fd());
        let wakers = {
            let mut sources = crate::lock::lock(&driver.sources);
            sources.try_remove(self.source.key);
            core::mem::take(&mut self.source.lock().wakers)
        };
        drop(wakers); // outside the locks
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
        self.poll_io(Direction::Read, cx, |mut io| io::Read::read(&mut io, buf))
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_io(Direction::Write, cx, |mut io| {
            io::Write::write(&mut io, buf)
        })
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
