//! Carrying out a hit on a live request: waiting, answering in the provider's envelope, or
//! cutting the connection so the client reads no answer at all.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse};
use serde::Serialize;

use super::{Action, Hit};
use crate::core::Provider;

/// Response header naming the rule that shaped a response (latency or error).
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// What the journal says about a request a rule hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultNote {
    pub rule: String,
    pub effect: &'static str,
    /// Whether the client got an answer (not for `drop` and `timeout`).
    pub answered: bool,
}

/// The connection's socket, remembered when it is accepted, so that a `drop` or `timeout` fault
/// can close it from inside a handler: actix offers no other way to end a connection without
/// writing a response first.
#[derive(Debug, Clone, Copy)]
struct Socket(#[cfg(unix)] std::os::fd::RawFd);

/// `HttpServer::on_connect` hook: remembers each TCP connection's socket (one small insert per
/// connection, none per request).
#[cfg(unix)]
pub fn remember_socket(connection: &impl std::os::fd::AsRawFd, data: &mut Extensions) {
    data.insert(Socket(connection.as_raw_fd()));
}

#[cfg(not(unix))]
pub fn remember_socket<T>(_: &T, _: &mut Extensions) {}

/// Shuts the request's connection down both ways: the client reads end of stream before any
/// status line. Returns whether the socket was known.
fn cut_connection(req: &HttpRequest) -> bool {
    #[cfg(unix)]
    if let Some(Socket(fd)) = req.conn_data::<Socket>().copied() {
        use std::os::fd::BorrowedFd;
        // SAFETY: the descriptor belongs to the connection this request is being served on,
        // which actix keeps open at least until the request's response is written; it is only
        // borrowed here to duplicate it.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        if let Ok(owned) = borrowed.try_clone_to_owned() {
            let _ = std::net::TcpStream::from(owned).shutdown(std::net::Shutdown::Both);
            return true;
        }
    }
    #[cfg(not(unix))]
    let _ = req;
    false
}

/// Serves a request a rule hit: after a delay as usual, or with the provider's error answer,
/// or without any answer. Also returns what the journal should note.
pub async fn serve_faulted(
    hit: Hit,
    req: ServiceRequest,
    provider: &dyn Provider,
    next: Next<impl MessageBody + 'static>,
) -> Result<(ServiceResponse<BoxBody>, FaultNote), Error> {
    let mut note = FaultNote {
        rule: hit.rule,
        effect: hit.effect,
        answered: true,
    };
    let marker = HeaderValue::from_str(&note.rule).ok();
    let mark = |res: &mut HttpResponse| {
        if let Some(marker) = &marker {
            res.headers_mut()
                .insert(HeaderName::from_static(FAULT_HEADER), marker.clone());
        }
    };
    let res = match hit.action {
        Action::Delay(delay) => {
            tokio::time::sleep(delay).await;
            let res = next.call(req).await?.map_into_boxed_body();
            let (req, mut response) = res.into_parts();
            mark(&mut response);
            ServiceResponse::new(req, response)
        }
        Action::Answer {
            status,
            retry_after,
            message,
        } => {
            let mut response = provider.fault(status, &message, req.path());
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(seconds));
            }
            mark(&mut response);
            req.into_response(response)
        }
        Action::Drop => {
            note.answered = false;
            unanswered(req)
        }
        Action::Hold(hold) => {
            note.answered = false;
            tokio::time::sleep(hold).await;
            unanswered(req)
        }
    };
    Ok((res, note))
}

/// Cuts the connection; the response handed back to actix is never read by the client (sending
/// it fails on the closed socket), and says so should the socket be unknown.
fn unanswered(req: ServiceRequest) -> ServiceResponse<BoxBody> {
    let cut = cut_connection(req.request());
    if !cut {
        log::warn!("fault: could not close the connection of {}", req.path());
    }
    let mut response = HttpResponse::BadGateway().finish();
    response
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    req.into_response(response)
}
