//! `GET /__admin/events`: what changes in the sandbox, as server-sent events, for the dashboard
//! (or `curl -N`). The first event, `hello`, says the subscription is in place; then `request`,
//! `webhook`, `state`, `reset`, `clock` and `faults` as they happen; `lagged` when this client fell behind
//! and missed some (re-read what it shows). A comment every 15 s keeps proxies from closing the
//! stream and tells the server when the client has gone.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::core::events::Subscription;
use crate::core::Sandbox;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One SSE frame. The data is compact JSON: one line, so no `data:` continuation is needed.
pub fn frame(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

struct Stream {
    hello: Option<Bytes>,
    subscription: Subscription,
    keep_alive: tokio::time::Interval,
}

impl Stream {
    async fn next_frame(&mut self) -> Option<Bytes> {
        if let Some(hello) = self.hello.take() {
            return Some(hello);
        }
        tokio::select! {
            next = self.subscription.next() => match next? {
                Ok(event) => Some(frame(event.name(), &event.data())),
                Err(missed) => Some(frame("lagged", &json!({"missed": missed}))),
            },
            _ = self.keep_alive.tick() => Some(Bytes::from_static(b": keep-alive\n\n")),
        }
    }
}

pub(super) async fn stream(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let start = tokio::time::Instant::now() + KEEP_ALIVE;
    let state = Stream {
        hello: Some(frame("hello", &json!({"clock": sandbox.core.clock.view()}))),
        subscription: sandbox.core.events.subscribe(),
        keep_alive: tokio::time::interval_at(start, KEEP_ALIVE),
    };
    let body = futures_util::stream::unfold(state, |mut state| async move {
        let frame = state.next_frame().await?;
        Some((Ok::<_, Infallible>(frame), state))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .streaming(body)
}
