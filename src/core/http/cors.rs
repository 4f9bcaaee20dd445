//! The layer around a provider's scope. CORS: actix-cors's permissive policy for what a browser
//! sends across origins (a request with an `Origin`, and every `OPTIONS`, preflight or not); any
//! other request, which CORS does not concern (an SDK, curl, a test), skips it and its response
//! headers, which cost about 2% of a stored resource's GET. Then every response passes `finish`
//! (errors re-rendered in the provider's envelope, `problem::in_envelope`): one layer, where a
//! separate middleware for that cost another boxed future per request.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};

use actix_cors::{Cors, CorsMiddleware};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method};
use actix_web::Error;
use futures_util::future::{Either, LocalBoxFuture};

/// What the layer does to every response on its way out.
pub type Finish = fn(ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody>;

/// The provider scopes' layer: CORS for browsers, then `finish`.
pub struct BrowserCors {
    pub finish: Finish,
}

impl<S, B> Transform<S, ServiceRequest> for BrowserCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = BrowserCorsService<S>;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let inner = Rc::new(service);
        let cors = Cors::permissive().new_transform(Shared(inner.clone()));
        let finish = self.finish;
        Box::pin(async move {
            Ok(BrowserCorsService {
                cors: cors.await?,
                inner,
                finish,
            })
        })
    }
}

pub struct BrowserCorsService<S> {
    cors: CorsMiddleware<Shared<S>>,
    inner: Rc<S>,
    finish: Finish,
}

impl<S, B> Service<ServiceRequest> for BrowserCorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = Either<
        Finishing<<CorsMiddleware<Shared<S>> as Service<ServiceRequest>>::Future>,
        Finishing<S::Future>,
    >;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let finish = self.finish;
        let from_browser =
            req.method() == Method::OPTIONS || req.headers().contains_key(header::ORIGIN);
        if from_browser {
            Either::Left(Finishing {
                answer: self.cors.call(req),
                finish,
            })
        } else {
            Either::Right(Finishing {
                answer: self.inner.call(req),
                finish,
            })
        }
    }
}

pin_project_lite::pin_project! {
    /// An answer on its way out through `finish`; a future of its own rather than a boxed
    /// `async` block, which cost an allocation per request.
    pub struct Finishing<F> {
        #[pin]
        answer: F,
        finish: Finish,
    }
}

impl<F, B> Future for Finishing<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody + 'static,
{
    type Output = Result<ServiceResponse<BoxBody>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = ready!(this.answer.poll(cx))?;
        Poll::Ready(Ok((this.finish)(answer.map_into_boxed_body())))
    }
}

/// The scope's service, reachable both through the CORS layer and around it.
pub struct Shared<S>(Rc<S>);

impl<S: Service<ServiceRequest>> Service<ServiceRequest> for Shared<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        self.0.call(req)
    }
}
