//! Each worker's sender: the task that writes out what the worker's connections hold.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::{remember, Conn};

/// How long the bytes of a connection actix has let go of wait for a client that reads
/// nothing, before the socket closes with them unsent.
pub const ABANDONED_FOR: Duration = Duration::from_secs(60);

/// [`ABANDONED_FOR`], or a unit test's own cut-off for the sender of its thread.
fn cut_off() -> Duration {
    #[cfg(test)]
    if let Some(cut_off) = super::tests::CUT_OFF.get() {
        return cut_off;
    }
    ABANDONED_FOR
}

/// The connections with something held, and how to wake the task that sends them.
#[derive(Default)]
pub(super) struct Sender {
    queued: Vec<Rc<RefCell<Conn>>>,
    task: Option<Waker>,
    /// The task running on this thread, by generation; `None` until a connection first writes.
    running: Option<u64>,
    generations: u64,
}

thread_local! {
    static SENDER: RefCell<Sender> = RefCell::default();
}

impl Sender {
    /// Wakes the task to look at what it holds again.
    pub(super) fn nudge() {
        let task = SENDER
            .try_with(|sender| sender.try_borrow_mut().ok()?.task.take())
            .ok()
            .flatten();
        if let Some(task) = task {
            task.wake();
        }
    }

    pub(super) fn queue(conn: Rc<RefCell<Conn>>) {
        let start = SENDER.with_borrow_mut(|sender| {
            sender.queued.push(conn);
            if let Some(task) = sender.task.take() {
                task.wake();
            }
            if sender.running.is_some() {
                return None;
            }
            sender.generations += 1;
            sender.running = Some(sender.generations);
            Some(sender.generations)
        });
        if let Some(generation) = start {
            actix_web::rt::spawn(SendTask {
                generation,
                sending: Vec::new(),
                stalled: Vec::new(),
                abandoned: None,
            });
        }
    }
}

/// Sends what the connections queued. A connection whose socket is full waits in `stalled`
/// until the socket can take more; one actix has let go of waits at most [`ABANDONED_FOR`].
struct SendTask {
    generation: u64,
    sending: Vec<Rc<RefCell<Conn>>>,
    stalled: Vec<Rc<RefCell<Conn>>>,
    /// Wakes the task when the oldest abandoned connection's time is up.
    abandoned: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// A worker whose runtime stops drops its sender; a connection that writes later on the same
/// thread starts another.
impl Drop for SendTask {
    fn drop(&mut self) {
        let _ = SENDER.try_with(|sender| {
            if let Ok(mut sender) = sender.try_borrow_mut() {
                if sender.running == Some(self.generation) {
                    sender.queued.clear();
                    sender.task = None;
                    sender.running = None;
                }
            }
        });
    }
}

impl SendTask {
    /// Sends what `shared` holds, and says whether it must wait for its socket.
    fn send(shared: &Rc<RefCell<Conn>>, cx: &mut Context<'_>, now: &mut Option<Instant>) -> bool {
        let mut conn = shared.borrow_mut();
        let before = conn.held.len();
        if conn.send_held(cx).is_ready() {
            conn.sent();
            return false;
        }
        conn.blocked = true;
        if conn.held.len() < before {
            conn.progressed();
        }
        if Rc::strong_count(shared) > 1 {
            return true;
        }
        let now = *now.get_or_insert_with(Instant::now);
        let since = *conn.abandoned_at.get_or_insert(now);
        now.duration_since(since) < cut_off()
    }

    /// Arms the timer for the oldest abandoned connection among the stalled ones.
    fn watch_abandoned(&mut self, cx: &mut Context<'_>) {
        let oldest = self
            .stalled
            .iter()
            .filter_map(|conn| conn.borrow().abandoned_at)
            .min();
        let Some(oldest) = oldest else {
            self.abandoned = None;
            return;
        };
        let due = tokio::time::Instant::from_std(oldest + cut_off());
        let timer = self
            .abandoned
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
        if timer.deadline() != due {
            timer.as_mut().reset(due);
        }
        // Ready only once the time is up; the next turn then closes the connection.
        if timer.as_mut().poll(cx).is_ready() {
            cx.waker().wake_by_ref();
        }
    }
}

impl Future for SendTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut now = None;
        loop {
            SENDER.with_borrow_mut(|sender| std::mem::swap(&mut sender.queued, &mut this.sending));
            this.sending.append(&mut this.stalled);
            let mut sending = std::mem::take(&mut this.sending);
            for shared in sending.drain(..) {
                if Self::send(&shared, cx, &mut now) {
                    this.stalled.push(shared);
                } else if shared.borrow().blocked {
                    // Abandoned and out of time: closes with what is left unsent.
                    shared.borrow_mut().sent();
                }
            }
            this.sending = sending;
            let nothing_new = SENDER.with_borrow_mut(|sender| {
                let empty = sender.queued.is_empty();
                if empty {
                    remember(&mut sender.task, cx);
                }
                empty
            });
            if nothing_new {
                // The stalled sockets wake this task when they can take more.
                this.watch_abandoned(cx);
                return Poll::Pending;
            }
        }
    }
}
