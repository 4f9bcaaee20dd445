//! One path (or a few spellings of it) with its methods, as every provider registers them: GET
//! answers HEAD too, and any other method gets the provider's 405 with the `Allow` header RFC 9110
//! asks for, listing what the path does answer.

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::guard;
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, FromRequest, Handler, Responder, Route};

pub struct Endpoint {
    resource: actix_web::Resource,
    methods: Vec<&'static str>,
}

/// `paths` answering the methods added next; `not_allowed` renders the provider's 405.
pub fn endpoint(paths: Vec<String>, not_allowed: Route) -> Endpoint {
    Endpoint {
        resource: web::resource(paths).default_service(not_allowed),
        methods: Vec::new(),
    }
}

impl Endpoint {
    fn on<F, Args>(mut self, names: &[&'static str], route: Route, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.resource = self.resource.route(route.to(handler));
        self.methods.extend_from_slice(names);
        self
    }

    pub fn get<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let get_or_head = web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
        self.on(&["GET", "HEAD"], get_or_head, handler)
    }

    pub fn post<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["POST"], web::post(), handler)
    }

    pub fn put<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["PUT"], web::put(), handler)
    }

    pub fn patch<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["PATCH"], web::patch(), handler)
    }

    pub fn delete<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.on(&["DELETE"], web::delete(), handler)
    }
}

impl HttpServiceFactory for Endpoint {
    fn register(self, config: &mut AppService) {
        let allow =
            HeaderValue::from_str(&self.methods.join(", ")).expect("method names are header-safe");
        self.resource
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
