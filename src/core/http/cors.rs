//! CORS on the provider mounts: actix-cors's permissive policy for what a browser sends across
//! origins (a request with an `Origin`, and every `OPTIONS`, preflight or not); any other request,
//! which CORS does not concern (an SDK, curl, a test), skips the layer and its response headers,
//! which cost about 2% of a stored resource's GET.

use std::rc::Rc;

use actix_cors::{Cors, CorsMiddleware};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method};
use actix_web::Error;
use futures_util::future::LocalBoxFuture;

/// The provider scopes' CORS layer.
pub struct BrowserCors;

impl<S, B> Transform<S, ServiceRequest> for BrowserCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = BrowserCorsService<S>;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let inner = Rc::new(service);
        let cors = Cors::permissive().new_transform(Shared(inner.clone()));
        Box::pin(async move {
            Ok(BrowserCorsService {
                cors: cors.await?,
                inner,
            })
        })
    }
}

pub struct BrowserCorsService<S> {
    cors: CorsMiddleware<Shared<S>>,
    inner: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for BrowserCorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Error>>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let from_browser =
            req.method() == Method::OPTIONS || req.headers().contains_key(header::ORIGIN);
        if from_browser {
            return Box::pin(self.cors.call(req));
        }
        let answer = self.inner.call(req);
        Box::pin(async move { Ok(answer.await?.map_into_left_body()) })
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
