//! The access log: one line per request, in the layout actix-web's `Logger` gave it
//! (`%a "%r" %s %b %Dms`) plus the sandbox clock, written by the request guard instead of a
//! middleware of its own (that layer, its string formatting and env_logger's cost about a tenth
//! of a stored resource's GET).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use actix_web::body::BodySize;
use actix_web::http::{header, StatusCode, Version};
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};

use crate::core::time_text::put_digits;

/// Logs `req` answered with `status` and a body of `size`, `took` after it arrived; `at` is the
/// sandbox clock's time then. Written piece by piece: through `format_args!` the line cost more
/// than the journal entry.
pub fn log_access(
    req: &HttpRequest,
    status: StatusCode,
    size: BodySize,
    took: Duration,
    at: DateTime<Utc>,
) {
    crate::logging::access(|line| {
        push_client(line, req);
        line.push_str(" \"");
        line.push_str(req.method().as_str());
        line.push(' ');
        line.push_str(
            req.uri()
                .path_and_query()
                .map_or_else(|| req.path(), |pq| pq.as_str()),
        );
        line.push(' ');
        push_version(line, req.version());
        line.push_str("\" ");
        line.push_str(itoa::Buffer::new().format(status.as_u16()));
        line.push(' ');
        match size {
            BodySize::None => line.push('0'),
            BodySize::Sized(n) => line.push_str(itoa::Buffer::new().format(n)),
            BodySize::Stream => line.push('-'),
        }
        line.push(' ');
        push_millis(line, took);
        line.push_str("ms sandbox=");
        push_sandbox_time(line, at);
    });
}

thread_local! {
    /// The last sandbox time a worker wrote, formatted: a frozen clock (what tests use) shows
    /// the same time on every line.
    static LAST_SANDBOX_TIME: RefCell<(DateTime<Utc>, String)> = RefCell::default();
}

/// The sandbox clock's time, in RFC 3339.
fn push_sandbox_time(line: &mut String, at: DateTime<Utc>) {
    LAST_SANDBOX_TIME.with_borrow_mut(|(last, text)| {
        if text.is_empty() || *last != at {
            *last = at;
            *text = at.to_rfc3339();
        }
        line.push_str(text);
    });
}

/// The client's address as actix's `%a` shows it: the one a proxy forwarded for, else the peer's.
fn push_client(line: &mut String, req: &HttpRequest) {
    let forwarded = req.headers().contains_key(header::FORWARDED)
        || req.headers().contains_key(header::X_FORWARDED_FOR);
    if forwarded {
        if let Some(client) = req.connection_info().realip_remote_addr() {
            line.push_str(client);
            return;
        }
    }
    match req.peer_addr() {
        Some(peer) => push_ip(line, peer.ip()),
        None => line.push('-'),
    }
}

thread_local! {
    /// The last peer address a worker wrote, formatted: clients nearly always come from the same
    /// one or two.
    static LAST_PEER: RefCell<Option<(IpAddr, String)>> = const { RefCell::new(None) };
}

fn push_ip(line: &mut String, ip: IpAddr) {
    LAST_PEER.with_borrow_mut(|last| {
        let text = match last {
            Some((known, text)) if *known == ip => text,
            _ => &mut last.insert((ip, ip.to_string())).1,
        };
        line.push_str(text);
    });
}

/// The protocol as actix's `%r` shows it (`HTTP/1.1`).
fn push_version(line: &mut String, version: Version) {
    match version {
        Version::HTTP_10 => line.push_str("HTTP/1.0"),
        Version::HTTP_11 => line.push_str("HTTP/1.1"),
        Version::HTTP_2 => line.push_str("HTTP/2.0"),
        other => {
            let _ = write!(line, "{other:?}");
        }
    }
}

/// A duration in milliseconds with six decimals (`0.297874`), as actix's `%D` writes it, from
/// integers.
fn push_millis(line: &mut String, took: Duration) {
    let nanos = took.as_nanos();
    line.push_str(itoa::Buffer::new().format(nanos / 1_000_000));
    line.push('.');
    let mut fraction = *b"000000";
    put_digits(&mut fraction, (nanos % 1_000_000) as u32);
    line.push_str(std::str::from_utf8(&fraction).unwrap_or("000000"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_show_six_decimals_like_actix() {
        for nanos in [0, 1, 297_874, 1_000_000, 12_345_678_901] {
            let took = Duration::from_nanos(nanos);
            let mut line = String::new();
            push_millis(&mut line, took);
            assert_eq!(line, format!("{:.6}", took.as_secs_f64() * 1000.0));
        }
    }

    #[test]
    fn peer_addresses_read_as_displayed_whichever_came_before() {
        let addresses: [IpAddr; 4] = [
            "127.0.0.1".parse().unwrap(),
            "127.0.0.1".parse().unwrap(),
            "::1".parse().unwrap(),
            "10.0.0.7".parse().unwrap(),
        ];
        for ip in addresses {
            let mut line = String::new();
            push_ip(&mut line, ip);
            assert_eq!(line, ip.to_string());
        }
    }

    #[test]
    fn versions_read_as_actix_shows_them() {
        for version in [
            Version::HTTP_09,
            Version::HTTP_10,
            Version::HTTP_11,
            Version::HTTP_2,
        ] {
            let mut line = String::new();
            push_version(&mut line, version);
            assert_eq!(line, format!("{version:?}"));
        }
    }
}
