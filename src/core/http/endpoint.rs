//! One path (or a few spellings of it) with its methods, as every provider registers them: GET
//! answers HEAD too, and any other method gets the provider's 405 with the `Allow` header RFC 9110
//! asks for, listing what the path does answer.
//!
//! Endpoints are registered in a provider's [`Endpoints`](super::Endpoints) table, which finds
//! them by their path.

use std::rc::Rc;

use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, Error, FromRequest, Handler, Responder, Route};
use futures_util::future::{join_all, LocalBoxFuture};

type MakeRoute = Rc<dyn Fn() -> Route>;
/// The methods a route answers. Checked by the endpoint itself: actix's method guards record
/// every method they test in the request's extensions, an allocation per request.
type Methods = &'static [Method];
/// actix-web does not export the name of a running route.
pub(super) type RouteService = <Route as ServiceFactory<ServiceRequest>>::Service;

pub struct Endpoint {
    paths: Vec<String>,
    not_allowed: fn() -> Route,
    routes: Vec<(Methods, MakeRoute)>,
}

/// `paths` answering the methods added next; `not_allowed` renders the provider's 405.
pub fn endpoint(paths: Vec<String>, not_allowed: fn() -> Route) -> Endpoint {
    Endpoint {
        paths,
        not_allowed,
        routes: Vec::new(),
    }
}

impl Endpoint {
    fn on<F, Args>(mut self, methods: Methods, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.routes
            .push((methods, Rc::new(move || web::route().to(handler.clone()))));
        self
    }

    pub fn get<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&[Method::GET, Method::HEAD], handler)
    }

    pub fn post<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&[Method::POST], handler)
    }

    pub fn put<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&[Method::PUT], handler)
    }

    pub fn patch<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&[Method::PATCH], handler)
    }

    pub fn delete<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&[Method::DELETE], handler)
    }

    /// The same endpoint on each of its paths behind each of `prefixes`.
    pub(super) fn under(mut self, prefixes: &[String]) -> Self {
        self.paths = prefixes
            .iter()
            .flat_map(|prefix| self.paths.iter().map(move |path| format!("{prefix}{path}")))
            .collect();
        self
    }

    /// What the table needs: the path spellings, and the service factory answering them.
    pub(super) fn into_parts(self) -> (Vec<String>, EndpointFactory) {
        let methods: Vec<&str> = self
            .routes
            .iter()
            .flat_map(|(methods, _)| methods.iter().map(Method::as_str))
            .collect();
        let allow =
            HeaderValue::from_str(&methods.join(", ")).expect("method names are header-safe");
        let factory = EndpointFactory {
            routes: self
                .routes
                .iter()
                .map(|(methods, make)| (*methods, make()))
                .collect(),
            not_allowed: (self.not_allowed)(),
            allow,
        };
        (self.paths, factory)
    }
}

pub(super) struct EndpointFactory {
    routes: Vec<(Methods, Route)>,
    not_allowed: Route,
    allow: HeaderValue,
}

impl ServiceFactory<ServiceRequest> for EndpointFactory {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = EndpointService;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<EndpointService, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        let methods: Vec<Methods> = self.routes.iter().map(|(m, _)| *m).collect();
        let routes = join_all(self.routes.iter().map(|(_, r)| r.new_service(())));
        let not_allowed = self.not_allowed.new_service(());
        let allow = self.allow.clone();
        Box::pin(async move {
            Ok(EndpointService {
                routes: methods
                    .into_iter()
                    .zip(routes.await)
                    .map(|(methods, route)| route.map(|route| (methods, route)))
                    .collect::<Result<_, _>>()?,
                not_allowed: not_allowed.await?,
                allow,
            })
        })
    }
}

pub(super) struct EndpointService {
    routes: Vec<(Methods, RouteService)>,
    not_allowed: RouteService,
    allow: HeaderValue,
}

impl Service<ServiceRequest> for EndpointService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse, Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let method = req.method();
        if let Some((_, route)) = self.routes.iter().find(|(m, _)| m.contains(method)) {
            return route.call(req);
        }
        let allow = self.allow.clone();
        let refused = self.not_allowed.call(req);
        Box::pin(async move {
            let mut res = refused.await?;
            if res.status() == StatusCode::METHOD_NOT_ALLOWED {
                res.headers_mut().insert(ALLOW, allow);
            }
            Ok(res)
        })
    }
}
