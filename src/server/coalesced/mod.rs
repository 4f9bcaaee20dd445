//! Answers sent at the end of the worker's turn rather than one by one as they are rendered.
//!
//! Under load a worker finds many connections ready at once and serves them one after another.
//! An answer written the moment it is rendered often reaches a client that has meanwhile gone
//! to sleep waiting, and waking a sleeping reader is the dearest step of delivering a small
//! answer over loopback: `perf` put it at 9 % of a create's time, against 4 % for a bare actix
//! server, whose quicker answers find the client still awake. Held until the worker has served
//! every connection that was ready, the answers leave together and wake the client once.
//!
//! A connection's writes go into its own buffer; the worker's sender (`sender.rs`, a task run
//! after the connections that were ready before it) writes every buffer out. A write of
//! [`WRITE_THROUGH_FROM`] bytes or more with nothing held goes straight to the socket. Once the
//! socket has taken less than was held, or [`MAX_HELD`] bytes are held, the connection's writes
//! wait until the sender has sent everything: what the socket cannot take stays in actix's own
//! buffer, where actix's checks see it unsent, as they would without this layer. A connection
//! is shut down only once its buffer is out. When actix lets go of a connection with bytes
//! still held, the sender goes on sending them, as the kernel does with bytes it has accepted,
//! for at most [`sender::ABANDONED_FOR`] if the client reads nothing; then the socket closes.

mod sender;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use sender::Sender;

/// A write at least this long, with nothing held before it, goes to the socket at once.
const WRITE_THROUGH_FROM: usize = 16 * 1024;
/// The most a connection holds for the sender before its writes wait.
const MAX_HELD: usize = 64 * 1024;
/// A buffer grown past this by a burst is let go once sent, so an idle connection keeps little.
const KEEP_CAPACITY: usize = 16 * 1024;

/// A TCP connection whose writes the worker's sender delivers at the end of the turn.
pub struct Coalesced {
    conn: Rc<RefCell<Conn>>,
    #[cfg(unix)]
    fd: std::os::fd::RawFd,
}

struct Conn {
    stream: TcpStream,
    held: Vec<u8>,
    /// In the sender's queue, or waiting with it for the socket to take more.
    queued: bool,
    /// The socket took less than was held: writes wait until the sender has sent it all.
    blocked: bool,
    /// A send by the sender failed; the connection's next write or shutdown reports it.
    failed: Option<io::ErrorKind>,
    /// The connection's task, waiting for the sender (to write more or to shut down).
    waiting: Option<Waker>,
    /// The connection's task as of its last write, woken when a send fails so that it learns
    /// of it without writing again (an event stream otherwise notices a gone client one event
    /// late).
    writer: Option<Waker>,
    /// When the sender found actix had let go of the connection with bytes still held.
    abandoned_at: Option<Instant>,
}

impl Coalesced {
    pub fn new(stream: TcpStream) -> Self {
        #[cfg(unix)]
        let fd = std::os::fd::AsRawFd::as_raw_fd(&stream);
        Coalesced {
            conn: Rc::new(RefCell::new(Conn {
                stream,
                held: Vec::new(),
                queued: false,
                blocked: false,
                failed: None,
                waiting: None,
                writer: None,
                abandoned_at: None,
            })),
            #[cfg(unix)]
            fd,
        }
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Coalesced {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.fd
    }
}

/// Letting go with bytes held leaves them to the sender, which may be waiting on a full socket
/// and would otherwise notice only when something else wakes it.
impl Drop for Coalesced {
    fn drop(&mut self) {
        if self.conn.borrow().queued {
            Sender::nudge();
        }
    }
}

impl Conn {
    fn check(&self) -> io::Result<()> {
        self.failed.map_or(Ok(()), |kind| Err(kind.into()))
    }

    /// Writes out what is held. `Pending` (with the socket's readiness tied to `cx`) when the
    /// socket takes no more for now.
    fn send_held(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut sent = 0;
        while sent < self.held.len() {
            match self.stream.try_write(&self.held[sent..]) {
                Ok(0) => {
                    self.fail(io::ErrorKind::WriteZero);
                    return Poll::Ready(());
                }
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    match self.stream.poll_write_ready(cx) {
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(e)) => {
                            self.fail(e.kind());
                            return Poll::Ready(());
                        }
                        Poll::Pending => {
                            self.held.drain(..sent);
                            return Poll::Pending;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.fail(e.kind());
                    return Poll::Ready(());
                }
            }
        }
        self.held.clear();
        if self.held.capacity() > KEEP_CAPACITY {
            self.held = Vec::new();
        }
        Poll::Ready(())
    }

    fn fail(&mut self, kind: io::ErrorKind) {
        self.failed = Some(kind);
        self.held = Vec::new();
        for task in [self.writer.take(), self.waiting.take()]
            .into_iter()
            .flatten()
        {
            task.wake();
        }
    }

    fn wait(&mut self, cx: &Context<'_>) {
        remember(&mut self.waiting, cx);
    }

    /// The sender has sent everything held (or given up on it): the connection may write again.
    fn sent(&mut self) {
        self.queued = false;
        self.blocked = false;
        if let Some(waiting) = self.waiting.take() {
            waiting.wake();
        }
    }

    /// The socket took part of what was held: a connection waiting to write is polled again, as
    /// a plain socket's progress would poll it (actix's timers count from such polls).
    fn progressed(&mut self) {
        if let Some(waiting) = self.waiting.take() {
            waiting.wake();
        }
    }
}

fn remember(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

impl AsyncRead for Coalesced {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.conn.borrow_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Coalesced {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut conn = self.conn.borrow_mut();
        conn.check()?;
        remember(&mut conn.writer, cx);
        if conn.blocked || conn.held.len() >= MAX_HELD {
            conn.wait(cx);
            return Poll::Pending;
        }
        if conn.held.is_empty() && !conn.queued && buf.len() >= WRITE_THROUGH_FROM {
            return Pin::new(&mut conn.stream).poll_write(cx, buf);
        }
        let taken = buf.len().min(MAX_HELD - conn.held.len());
        conn.held.extend_from_slice(&buf[..taken]);
        if !conn.queued {
            conn.queued = true;
            drop(conn);
            Sender::queue(self.conn.clone());
        }
        Poll::Ready(Ok(taken))
    }

    /// What is held counts as flushed: the sender writes it out before the worker waits for
    /// anything else, and a socket that cannot take it all makes the next write wait.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.conn.borrow().check())
    }

    /// Sends what is held first, here rather than by waiting for the sender: a connection that
    /// shuts down is polled again, and actix polls its timers first, so a request-head timeout
    /// that already answered 408 (its timer is never cleared) would answer a second time. When
    /// the socket is full the sender may finish the sending instead (a socket wakes only the
    /// last task that asked), so either wakes this one.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut conn = self.conn.borrow_mut();
        if conn.send_held(cx).is_pending() {
            conn.wait(cx);
            return Poll::Pending;
        }
        if conn.queued {
            // Sent here while the sender still counts it as waiting: let it know.
            Sender::nudge();
        }
        conn.check()?;
        Pin::new(&mut conn.stream).poll_shutdown(cx)
    }
}
