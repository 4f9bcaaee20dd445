//! One path (or a few spellings of it) with its methods, as every provider registers them: GET
//! answers HEAD too, and any other method gets the provider's 405 with the `Allow` header RFC 9110
//! asks for, listing what the path does answer.

use std::rc::Rc;

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::guard;
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, FromRequest, Handler, Resource, Responder, Route};

/// Adds an endpoint's routes to one of its resources.
type AddRoutes = Rc<dyn Fn(Resource) -> Resource>;

/// Each spelling of the path becomes a resource of its own: actix-router compiles a resource of
/// several paths into regular expressions even when every path is plain text, and tries them on
/// every request that reaches it; a single plain path is a string comparison.
pub struct Endpoint {
    paths: Vec<String>,
    not_allowed: fn() -> Route,
    add_routes: AddRoutes,
    methods: Vec<&'static str>,
}

/// `paths` answering the methods added next; `not_allowed` renders the provider's 405.
pub fn endpoint(paths: Vec<String>, not_allowed: fn() -> Route) -> Endpoint {
    Endpoint {
        paths,
        not_allowed,
        add_routes: Rc::new(|resource| resource),
        methods: Vec::new(),
    }
}

impl Endpoint {
    fn on<F, Args>(mut self, names: &[&'static str], route: fn() -> Route, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let before = self.add_routes;
        self.add_routes =
            Rc::new(move |resource| before(resource).route(route().to(handler.clone())));
        self.methods.extend_from_slice(names);
        self
    }

    pub fn get<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let get_or_head = || web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
        self.on(&["GET", "HEAD"], get_or_head, handler)
    }

    pub fn post<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["POST"], web::post, handler)
    }

    pub fn put<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["PUT"], web::put, handler)
    }

    pub fn patch<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["PATCH"], web::patch, handler)
    }

    pub fn delete<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["DELETE"], web::delete, handler)
    }
}

impl HttpServiceFactory for Endpoint {
    fn register(self, config: &mut AppService) {
        let allow =
            HeaderValue::from_str(&self.methods.join(", ")).expect("method names are header-safe");
        for path in &self.paths {
            let allow = allow.clone();
            let resource = web::resource(path.as_str()).default_service((self.not_allowed)());
            (self.add_routes)(resource)
                .wrap(from_fn(move |req, next: Next<_>| {
                    let allow = allow.clone();
                    async move {
                        let mut res = next.call(req).await?;
                        if res.status() == StatusCode::METHOD_NOT_ALLOWED {
                            res.headers_mut().insert(ALLOW, allow);
                        }
                        Ok(res)
                    }
                }))
                .register(config);
        }
    }
}
