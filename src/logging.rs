//! The server log, written off the request path: a log line is appended to a shared buffer (a
//! memcpy under a short lock) and a background thread writes whole batches to stderr. Writing each
//! access-log line to stderr from the worker cost a `write` system call per request, about a tenth
//! of a stored resource's GET; batched, the log costs little and can stay on by default.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::{Condvar, Mutex};

/// How long the writer lets lines gather once the first one of a batch arrives; a person reading
/// the log sees each line at most this late.
const GATHER: Duration = Duration::from_millis(20);

#[derive(Default)]
struct Shared {
    pending: Mutex<Vec<u8>>,
    arrived: Condvar,
}

/// The `Write` end handed to env_logger; clones share one buffer and one writer thread.
#[derive(Clone)]
pub struct BatchedStderr {
    shared: Arc<Shared>,
}

impl BatchedStderr {
    /// Starts the writer thread; it sleeps while nothing is logged.
    pub fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let writer = shared.clone();
        thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_batches(&writer))
            .expect("the log writer thread starts");
        BatchedStderr { shared }
    }

    /// Writes what is pending now (at exit, so the last lines are not lost).
    pub fn flush_now(&self) {
        let batch = std::mem::take(&mut *self.shared.pending.lock());
        write_out(&batch);
    }
}

/// A batch buffer larger than this (after a burst) is not kept for the next batch.
const KEPT_CAPACITY: usize = 1 << 20;

fn write_batches(shared: &Shared) {
    // Swapped with the shared buffer, so both keep their capacity and appending never regrows one.
    let mut batch = Vec::new();
    loop {
        {
            let mut pending = shared.pending.lock();
            while pending.is_empty() {
                shared.arrived.wait(&mut pending);
            }
        }
        thread::sleep(GATHER);
        std::mem::swap(&mut batch, &mut *shared.pending.lock());
        write_out(&batch);
        batch.clear();
        batch.shrink_to(KEPT_CAPACITY);
    }
}

fn write_out(batch: &[u8]) {
    if !batch.is_empty() {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(batch);
        let _ = stderr.flush();
    }
}

impl BatchedStderr {
    fn append(&self, buf: &[u8]) {
        let mut pending = self.shared.pending.lock();
        let first_of_batch = pending.is_empty();
        pending.extend_from_slice(buf);
        drop(pending);
        // Only the first line of a batch wakes the writer; the rest ride along.
        if first_of_batch {
            self.shared.arrived.notify_one();
        }
    }
}

impl Write for BatchedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log target of the one-line-per-request access log (`RUST_LOG=info,kyc_sandbox::access=off`
/// silences it alone).
pub const ACCESS_TARGET: &str = "kyc_sandbox::access";

/// Where `init` sends the log, for the access log's direct path.
static SINK: OnceLock<BatchedStderr> = OnceLock::new();

/// Logs one access-log line, which `write` writes, at `info` under [`ACCESS_TARGET`], as
/// `RUST_LOG` allows. With the server's own logger it is written here, in env_logger's layout,
/// straight into the batch: going through env_logger's formatter cost about 4% of a stored
/// resource's GET.
pub fn access(write: impl FnOnce(&mut String)) {
    if !log::log_enabled!(target: ACCESS_TARGET, log::Level::Info) {
        return;
    }
    match SINK.get() {
        Some(sink) => sink.write_access(write),
        None => {
            let mut line = String::new();
            write(&mut line);
            log::info!(target: ACCESS_TARGET, "{line}");
        }
    }
}

thread_local! {
    /// The worker's line buffer and the header of the second it was last used in.
    static ACCESS_LINE: RefCell<(String, u64, String)> = RefCell::default();
}

impl BatchedStderr {
    fn write_access(&self, write: impl FnOnce(&mut String)) {
        ACCESS_LINE.with_borrow_mut(|(buf, second, header)| {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            if header.is_empty() || *second != now {
                *second = now;
                header.clear();
                let stamp = chrono::DateTime::from_timestamp(now as i64, 0).unwrap_or_default();
                let _ = write!(
                    header,
                    "[{} INFO  {ACCESS_TARGET}] ",
                    crate::core::time_text::seconds_text(stamp, b'T', "Z")
                );
            }
            buf.clear();
            buf.push_str(header);
            write(buf);
            buf.push('\n');
            self.append(buf.as_bytes());
        });
    }
}

/// env_logger (`RUST_LOG`, default `info`) writing through a `BatchedStderr`, coloured when
/// stderr is a terminal. Returns the writer so `main` can flush it at exit.
pub fn init() -> BatchedStderr {
    let out = BatchedStderr::start();
    let _ = SINK.set(out.clone());
    let style = if std::io::stderr().is_terminal() {
        env_logger::WriteStyle::Auto
    } else {
        env_logger::WriteStyle::Never
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .target(env_logger::Target::Pipe(Box::new(out.clone())))
        .write_style(style)
        .init();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_gather_in_order_until_written() {
        let shared = Arc::new(Shared::default());
        let mut out = BatchedStderr {
            shared: shared.clone(),
        };
        out.write_all(b"one\n").unwrap();
        out.write_all(b"two\n").unwrap();
        assert_eq!(&*shared.pending.lock(), b"one\ntwo\n");
        out.flush_now();
        assert!(shared.pending.lock().is_empty());
    }
}
