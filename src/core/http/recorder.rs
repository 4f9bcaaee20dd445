//! Middleware that writes every provider request and its response into the journal.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, Error, HttpMessage};
use futures_util::StreamExt;
use std::future::Future;

use super::access_log::log_access;
use super::{declared_length, instance_of, BodyError, ViaPort};
use crate::core::faults::{serve_faulted, Faults, Hit, RequestFacts};
use crate::core::journal::{Journal, Record};
use crate::core::tenant::TenantId;
use crate::core::{Clock, Provider};

/// Response header naming the tenant a provider request was served for.
pub const TENANT_HEADER: &str = "x-sandbox-tenant";
const TENANT_HEADER_NAME: HeaderName = HeaderName::from_static(TENANT_HEADER);

/// Which provider lives under which path prefix, for labelling journal entries and for answering
/// a refused body in that provider's envelope.
pub struct Mounts {
    pub providers: Vec<Arc<dyn Provider>>,
    pub journal: Arc<Journal>,
    pub clock: Arc<Clock>,
    pub max_body: usize,
    /// Paths outside the provider mounts that take a body larger than `max_body`, with their
    /// limit (the admin API's snapshot restore).
    pub larger_bodies: Vec<(&'static str, usize)>,
    pub body_timeout: std::time::Duration,
    /// Renders a refused body on paths no provider is mounted at (the admin API's envelope).
    pub refuse_other: fn(BodyError, &str) -> actix_web::HttpResponse,
    /// Fault rules, applied to provider requests here (after the body is read, before any
    /// handler runs).
    pub faults: Arc<Faults>,
}

impl Mounts {
    /// The largest body a request to `path` may carry (`provider`: the mount it hit, if any).
    pub fn body_limit(&self, path: &str, provider: Option<&Arc<dyn Provider>>) -> usize {
        match provider {
            Some(_) => self.max_body,
            None => self
                .larger_bodies
                .iter()
                .find(|(larger, _)| *larger == path)
                .map_or(self.max_body, |(_, limit)| *limit),
        }
    }

    fn provider_of(&self, path: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.iter().find(|p| {
            path.strip_prefix(p.mount())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

/// Reads every request body first, within `--max-body` and `--body-timeout`: an oversized or
/// stalled body is answered here, in the envelope of the mount it hit (the provider's, else
/// `Mounts::refuse_other`'s), and never reaches a handler. Then runs the handler and, for provider
/// paths, records both bodies in the journal. A provider request a fault rule hits is delayed,
/// answered or cut here instead (and journaled with the rule).
pub async fn guard_and_record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let Some(mounts) = req.app_data::<web::Data<Mounts>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let at = mounts.clock.now();
    let res = guard_and_journal(req, next, &mounts, started, at).await?;
    log_access(
        res.request(),
        res.status(),
        res.response().body().size(),
        started.elapsed(),
        at,
    );
    Ok(res)
}

async fn guard_and_journal(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    mounts: &Mounts,
    started: Instant,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let provider = match req.app_data::<ViaPort>() {
        Some(ViaPort(name)) => mounts.providers.iter().find(|p| p.name() == *name),
        None => mounts.provider_of(req.path()),
    };
    let (http_req, payload) = req.into_parts();
    let limit = mounts.body_limit(http_req.path(), provider);
    let buffered = if matches!(payload, Payload::None) {
        Ok((Bytes::new(), None))
    } else if declared_length(&http_req).is_some_and(|n| n > limit) {
        Err(BodyError::TooLarge { limit })
    } else {
        let expected = declared_length(&http_req).unwrap_or(0);
        buffer_body(payload, expected, limit, started, mounts.body_timeout).await
    };
    let (res, request_capture, fault) = match buffered {
        Ok((body, failure)) => {
            // Shared until the journal copies it, after the response.
            let capture = provider.as_ref().map(|_| body.clone());
            let req = ServiceRequest::from_parts(http_req, replay(body, failure));
            // Boxed, like what serves it: rare, and a `Hit` held across the handler's await
            // would enlarge every request's future, which actix moves whole.
            let hit = match &provider {
                Some(provider) if mounts.faults.is_active() => {
                    fault_for(&mounts.faults, provider.as_ref(), &req).map(Box::new)
                }
                _ => None,
            };
            match (hit, &provider) {
                (Some(hit), Some(provider)) => {
                    let (res, note) =
                        Box::pin(serve_faulted(*hit, req, provider.as_ref(), next)).await?;
                    (res, capture, Some(note))
                }
                _ => (next.call(req).await?.map_into_boxed_body(), capture, None),
            }
        }
        Err(refusal) => {
            let path = http_req.path();
            let mut response = match &provider {
                Some(provider) => provider.refuse(refusal, path),
                None => (mounts.refuse_other)(refusal, path),
            };
            // The rest of the body is never read, so the connection cannot carry another request.
            response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            (
                ServiceResponse::new(http_req, response),
                Some(Bytes::new()),
                None,
            )
        }
    };
    let (Some(provider), Some(request_capture)) = (provider, request_capture) else {
        return Ok(res);
    };
    let (http_req, mut res) = res.into_parts();
    let tenant = http_req.extensions().get::<TenantId>().cloned();
    if let Some(value) = tenant.as_ref().and_then(tenant_header) {
        // Which tenant answered, so a test can find its state in the admin API.
        res.headers_mut().insert(TENANT_HEADER_NAME, value);
    }
    let exchange = Exchange {
        http_req,
        provider: provider.name(),
        tenant,
        request: request_capture,
        fault,
        started,
        at,
    };
    let (res, body) = res.into_parts();
    match body.try_into_bytes() {
        Ok(bytes) => Ok(exchange.record(&mounts.journal, res, bytes)),
        // Boxed: rare (nearly every answer is whole), and its state would otherwise enlarge
        // every request's future, which is moved whole as the request goes through actix.
        Err(body) => {
            let journal = mounts.journal.clone();
            Box::pin(async move {
                let bytes = to_bytes(body).await.unwrap_or_default();
                Ok(exchange.record(&journal, res, bytes))
            })
            .await
        }
    }
}

/// What the journal keeps of a provider request besides its answer.
struct Exchange {
    http_req: actix_web::HttpRequest,
    provider: &'static str,
    tenant: Option<TenantId>,
    request: Bytes,
    fault: Option<crate::core::faults::FaultNote>,
    started: Instant,
    at: chrono::DateTime<chrono::Utc>,
}

impl Exchange {
    /// Records the request with its answer, `res` carrying `body`, and hands the answer back.
    fn record(
        self,
        journal: &Journal,
        res: actix_web::HttpResponse<()>,
        body: Bytes,
    ) -> ServiceResponse<BoxBody> {
        let http_req = self.http_req;
        journal.record(Record {
            at: self.at,
            wall_at: chrono::Utc::now(),
            provider: Some(self.provider),
            tenant: self.tenant,
            method: http_req.method().as_str(),
            path: http_req.path(),
            query: http_req.query_string(),
            status: match &self.fault {
                Some(note) if !note.answered => 0,
                _ => res.status().as_u16(),
            },
            duration_ms: self.started.elapsed().as_secs_f64() * 1000.0,
            request_content_type: http_req
                .headers()
                .get(actix_web::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            request: &self.request,
            response: &body,
            fault: self.fault,
        });
        ServiceResponse::new(http_req, res.set_body(BoxBody::new(body)))
    }
}

/// The `x-sandbox-tenant` value for `tenant`. A client calls with the same credential again and
/// again, so each worker keeps the last one made (a clone shares its bytes).
fn tenant_header(tenant: &TenantId) -> Option<HeaderValue> {
    thread_local! {
        static LAST: RefCell<Option<(TenantId, HeaderValue)>> = const { RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((known, value)) if known == tenant => Some(value.clone()),
        _ => {
            let value = HeaderValue::from_str(tenant.as_str()).ok()?;
            *last = Some((tenant.clone(), value.clone()));
            Some(value)
        }
    })
}

/// The rule that hits this provider request, if any; matched on the path relative to the
/// provider's root, whichever port it came in on. A tenant a rule had to tell is kept on the
/// request, so the journal names it even though no handler ran.
fn fault_for(faults: &Faults, provider: &dyn Provider, req: &ServiceRequest) -> Option<Hit> {
    let on_own_port = req.app_data::<ViaPort>().is_some();
    let relative = if on_own_port {
        req.path().to_owned()
    } else {
        instance_of(provider.mount(), req.path())
    };
    let (hit, tenant) = faults.on_request(RequestFacts {
        provider: provider.name(),
        method: req.method().as_str(),
        path: &relative,
        tenant: || provider.tenant_of(req.request()),
    });
    if let (Some(tenant), Some(_)) = (tenant, &hit) {
        req.extensions_mut().insert(tenant);
    }
    hit
}

/// The whole body (`expected` bytes long, by its `Content-Length`), or why it was refused: over
/// `limit` bytes, or not complete `timeout` after `started`.
/// A read error (the client went away) is kept so the handler still sees it.
async fn buffer_body(
    mut payload: Payload,
    expected: usize,
    limit: usize,
    started: Instant,
    timeout: std::time::Duration,
) -> Result<(Bytes, Option<PayloadError>), BodyError> {
    let mut wait = BodyWait::new(started + timeout);
    let mut body = Body::default();
    loop {
        match std::future::poll_fn(|cx| wait.poll_next(&mut payload, cx)).await {
            None => return Err(BodyError::TimedOut { after: timeout }),
            Some(None) => return Ok((body.whole(), None)),
            Some(Some(Err(e))) => return Ok((body.whole(), Some(e))),
            Some(Some(Ok(chunk))) => {
                if body.len() + chunk.len() > limit {
                    return Err(BodyError::TooLarge { limit });
                }
                body.push(chunk, expected.min(limit));
            }
        }
    }
}

/// A body as its chunks come. One that comes in one chunk (most) stays that chunk, a slice of the
/// connection's read buffer: nothing keeps it past the request (the journal and stored files
/// copy what they keep), so the buffer is free for the connection's next read.
#[derive(Default)]
struct Body {
    first: Bytes,
    joined: Option<BytesMut>,
}

impl Body {
    fn len(&self) -> usize {
        self.joined.as_ref().map_or(self.first.len(), BytesMut::len)
    }

    fn push(&mut self, chunk: Bytes, expected: usize) {
        match &mut self.joined {
            Some(joined) => joined.extend_from_slice(&chunk),
            None if self.first.is_empty() => self.first = chunk,
            None => {
                let mut joined =
                    BytesMut::with_capacity(expected.max(self.first.len() + chunk.len()));
                joined.extend_from_slice(&self.first);
                joined.extend_from_slice(&chunk);
                self.joined = Some(joined);
            }
        }
    }

    fn whole(self) -> Bytes {
        self.joined.map_or(self.first, BytesMut::freeze)
    }
}

/// The body's next chunk, unless its deadline passes first (`None`).
///
/// actix-web's HTTP/1 dispatcher calls the service as soon as it has parsed a request's head,
/// before it feeds the payload the body bytes that came in the same read, and polls the service
/// again once it has. So a body that arrived whole is `Pending` once and ready on the next poll
/// of the same turn. A timer armed at that first `Pending` is registered and cleared for nothing
/// on every request with a body, so the first wait asks to be polled again at once instead, and
/// the timer is armed only when the body is still missing then.
struct BodyWait {
    deadline: Instant,
    waited: bool,
    timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl BodyWait {
    fn new(deadline: Instant) -> Self {
        BodyWait {
            deadline,
            waited: false,
            timer: None,
        }
    }

    fn poll_next(
        &mut self,
        payload: &mut Payload,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Option<Result<Bytes, PayloadError>>>> {
        use std::task::Poll;
        if let Poll::Ready(chunk) = payload.poll_next_unpin(cx) {
            return Poll::Ready(Some(chunk));
        }
        if !self.waited {
            self.waited = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let deadline = self.deadline;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())));
        timer.as_mut().poll(cx).map(|()| None)
    }
}

/// The buffered bytes as a payload again, ending in the read error if there was one.
fn replay(body: Bytes, failure: Option<PayloadError>) -> Payload {
    match failure {
        None if body.is_empty() => Payload::None,
        None => Payload::from(body),
        Some(e) => {
            let stream: std::pin::Pin<
                Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>,
            > = Box::pin(futures_util::stream::iter([Ok(body), Err(e)]));
            Payload::from(stream)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_in_one_chunk_is_that_chunk_and_more_chunks_are_joined() {
        let chunk = Bytes::from_static(b"{\"whole\":true}");
        let mut one = Body::default();
        one.push(chunk.clone(), chunk.len());
        let whole = one.whole();
        assert_eq!(whole.as_ptr(), chunk.as_ptr());

        let mut three = Body::default();
        for part in ["{\"a\":", "1", "}"] {
            three.push(Bytes::from_static(part.as_bytes()), 7);
            assert!(three.len() <= 7);
        }
        assert_eq!(&three.whole()[..], b"{\"a\":1}");
        assert!(Body::default().whole().is_empty());
    }
}
