//! The access log: one line per request, in the layout actix-web's `Logger` gave it
//! (`%a "%r" %s %b %Dms`) plus the sandbox clock, written by the request guard instead of a
//! middleware of its own (that layer, its string formatting and env_logger's cost about a tenth
//! of a stored resource's GET).

use std::cell::RefCell;
use std::fmt;
use std::time::Duration;

use actix_web::body::BodySize;
use actix_web::http::{header, StatusCode};
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};

/// Logs `req` answered with `status` and a body of `size`, `took` after it arrived; `at` is the
/// sandbox clock's time then.
pub fn log_access(
    req: &HttpRequest,
    status: StatusCode,
    size: BodySize,
    took: Duration,
    at: DateTime<Utc>,
) {
    crate::logging::access(format_args!(
        "{} \"{} {} {:?}\" {} {} {}ms sandbox={}",
        Client(req),
        req.method(),
        req.uri()
            .path_and_query()
            .map_or_else(|| req.path(), |pq| pq.as_str()),
        req.version(),
        status.as_u16(),
        Size(size),
        Millis(took),
        SandboxTime(at),
    ));
}

thread_local! {
    /// The last sandbox time a worker wrote, formatted: a frozen clock (what tests use) shows
    /// the same time on every line.
    static LAST_SANDBOX_TIME: RefCell<(DateTime<Utc>, String)> = RefCell::default();
}

/// The sandbox clock's time, in RFC 3339.
struct SandboxTime(DateTime<Utc>);

impl fmt::Display for SandboxTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        LAST_SANDBOX_TIME.with_borrow_mut(|(at, text)| {
            if text.is_empty() || *at != self.0 {
                *at = self.0;
                *text = self.0.to_rfc3339();
            }
            f.write_str(text)
        })
    }
}

/// The client's address as actix's `%a` shows it: the one a proxy forwarded for, else the peer's.
struct Client<'a>(&'a HttpRequest);

impl fmt::Display for Client<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let req = self.0;
        let forwarded = req.headers().contains_key(header::FORWARDED)
            || req.headers().contains_key("x-forwarded-for");
        if forwarded {
            if let Some(client) = req.connection_info().realip_remote_addr() {
                return f.write_str(client);
            }
        }
        match req.peer_addr() {
            Some(peer) => write!(f, "{}", peer.ip()),
            None => f.write_str("-"),
        }
    }
}

/// A duration in milliseconds with six decimals (`0.297874`), as actix's `%D` writes it, from
/// integers: formatting a float cost more than the rest of the line.
struct Millis(Duration);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        write!(f, "{}.{:06}", nanos / 1_000_000, nanos % 1_000_000)
    }
}

/// The body's length in bytes, `-` for a stream of unknown length.
struct Size(BodySize);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            BodySize::None => f.write_str("0"),
            BodySize::Sized(n) => write!(f, "{n}"),
            BodySize::Stream => f.write_str("-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_show_six_decimals_like_actix() {
        for nanos in [0, 1, 297_874, 1_000_000, 12_345_678_901] {
            let took = Duration::from_nanos(nanos);
            assert_eq!(
                Millis(took).to_string(),
                format!("{:.6}", took.as_secs_f64() * 1000.0)
            );
        }
    }
}
