//! One path (or a few spellings of it) with its methods, as every provider registers them: GET
//! answers HEAD too, and any other method gets the provider's 405 with the `Allow` header RFC 9110
//! asks for, listing what the path does answer.
//!
//! Paths are matched here rather than by actix-router's patterns: actix compiles every pattern
//! with a `{param}` into a regular expression, and regex-lite's PikeVM took about 7% of a stored
//! resource's GET (the `regex` crate is faster but cost 12 MiB more at idle). An endpoint is
//! registered under its plain leading part (`/applicants` of `/applicants/{applicant_id}`),
//! which actix compares as a string, and a guard compares the remaining segments.

use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use actix_web::dev::{
    AppService, HttpServiceFactory, ResourceDef, Service, ServiceFactory, ServiceRequest,
    ServiceResponse,
};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, Error, FromRequest, Handler, Responder, Route};
use futures_util::future::{join_all, LocalBoxFuture};

/// App data of a provider's scope: how many path segments its mount takes (`/kycaid`: 1; at the
/// root of the provider's own port: 0).
#[derive(Debug, Clone, Copy)]
pub struct MountDepth(pub usize);

/// App data of a scope nested in a provider's: how many segments lie between the mount and the
/// scope's endpoints (`/storefront/organizations/{organizationId}`: 3).
#[derive(Debug, Clone, Copy)]
pub struct NestedDepth(pub usize);

type MakeRoute = Rc<dyn Fn() -> Route>;
/// The methods a route answers. Checked by the endpoint itself: actix's method guards record
/// every method they test in the request's extensions, an allocation per request.
type Methods = &'static [Method];
/// actix-web does not export the name of a running route.
type RouteService = <Route as ServiceFactory<ServiceRequest>>::Service;

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
}

impl HttpServiceFactory for Endpoint {
    fn register(self, config: &mut AppService) {
        let methods: Vec<&str> = self
            .routes
            .iter()
            .flat_map(|(methods, _)| methods.iter().map(Method::as_str))
            .collect();
        let allow =
            HeaderValue::from_str(&methods.join(", ")).expect("method names are header-safe");
        for path in &self.paths {
            let pattern = Pattern::parse(path);
            let factory = EndpointFactory {
                routes: self
                    .routes
                    .iter()
                    .map(|(methods, make)| (*methods, make()))
                    .collect(),
                not_allowed: (self.not_allowed)(),
                allow: allow.clone(),
                params: pattern.as_ref().map(|p| p.tail.clone()),
            };
            match pattern {
                None => {
                    config.register_service(ResourceDef::new(path.as_str()), None, factory, None)
                }
                Some(pattern) => config.register_service(
                    ResourceDef::prefix(pattern.head.as_str()),
                    Some(vec![Box::new(pattern) as Box<dyn Guard>]),
                    factory,
                    None,
                ),
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Plain(String),
    Param(&'static str),
}

/// A path with parameters: its plain leading part, which actix matches as a prefix, and every
/// segment, which the guard matches.
#[derive(Debug)]
struct Pattern {
    head: String,
    segments: Vec<Segment>,
    /// The segments after `head`, which the service reads the parameters from.
    tail: Rc<[Segment]>,
}

impl Pattern {
    /// `None` for a plain path (matched whole, as a string, by actix).
    fn parse(path: &str) -> Option<Pattern> {
        let segments: Vec<Segment> = path
            .strip_prefix('/')
            .unwrap_or(path)
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(interned(name)),
                    None => Segment::Plain(s.to_owned()),
                },
            )
            .collect();
        let plain = segments
            .iter()
            .take_while(|s| matches!(s, Segment::Plain(_)))
            .count();
        if plain == segments.len() {
            return None;
        }
        let head = segments[..plain]
            .iter()
            .map(|s| match s {
                Segment::Plain(text) => format!("/{text}"),
                Segment::Param(_) => unreachable!("the head is plain"),
            })
            .collect();
        let tail = segments[plain..].to_vec().into();
        Some(Pattern {
            head,
            segments,
            tail,
        })
    }

    /// Whether `path` (without the scope's leading `skip` segments) is exactly this pattern.
    fn matches(&self, path: &str, skip: usize) -> bool {
        let mut given = path.strip_prefix('/').unwrap_or(path).split('/').skip(skip);
        self.segments
            .iter()
            .all(|segment| match (segment, given.next()) {
                (Segment::Plain(text), Some(s)) => same_plain(text, s),
                (Segment::Param(_), Some(s)) => !s.is_empty(),
                (_, None) => false,
            })
            && given.next().is_none()
    }
}

/// A plain segment compared as actix would after decoding what a client percent-encoded.
fn same_plain(expected: &str, given: &str) -> bool {
    expected == given
        || (given.contains('%')
            && percent_encoding::percent_decode_str(given)
                .decode_utf8()
                .is_ok_and(|decoded| decoded == expected))
}

impl Guard for Pattern {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let skip = ctx.app_data::<MountDepth>().map_or(0, |d| d.0)
            + ctx.app_data::<NestedDepth>().map_or(0, |d| d.0);
        self.matches(ctx.head().uri.path(), skip)
    }
}

/// Parameter names live as long as the process (actix wants `'static` or an allocation per
/// request); each distinct name is kept once.
fn interned(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match names.get(name) {
        Some(kept) => kept,
        None => {
            let kept: &'static str = Box::leak(name.to_owned().into_boxed_str());
            names.insert(kept);
            kept
        }
    }
}

struct EndpointFactory {
    routes: Vec<(Methods, Route)>,
    not_allowed: Route,
    allow: HeaderValue,
    params: Option<Rc<[Segment]>>,
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
        let params = self.params.clone();
        Box::pin(async move {
            Ok(EndpointService {
                routes: methods
                    .into_iter()
                    .zip(routes.await)
                    .map(|(methods, route)| route.map(|route| (methods, route)))
                    .collect::<Result<_, _>>()?,
                not_allowed: not_allowed.await?,
                allow,
                params,
            })
        })
    }
}

struct EndpointService {
    routes: Vec<(Methods, RouteService)>,
    not_allowed: RouteService,
    allow: HeaderValue,
    params: Option<Rc<[Segment]>>,
}

impl EndpointService {
    /// Names the parameters in the part of the path actix left after the plain head (the guard
    /// has checked its shape), as actix's own patterns would have.
    fn capture(&self, req: &mut ServiceRequest) {
        let Some(tail) = &self.params else { return };
        let path = req.match_info_mut();
        for (index, segment) in tail.iter().enumerate() {
            let Segment::Param(name) = segment else {
                continue;
            };
            let value = path
                .unprocessed()
                .trim_start_matches('/')
                .split('/')
                .nth(index);
            if let Some(value) = value.map(str::to_owned) {
                path.add_static(*name, Cow::Owned(value));
            }
        }
    }
}

impl Service<ServiceRequest> for EndpointService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse, Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        self.capture(&mut req);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_left_to_actix() {
        assert!(Pattern::parse("/applicants").is_none());
        assert!(Pattern::parse("/applicants/").is_none());
    }

    #[test]
    fn a_pattern_matches_its_segments_exactly() {
        let p = Pattern::parse("/applicants/{applicant_id}").unwrap();
        assert_eq!(p.head, "/applicants");
        assert!(p.matches("/applicants/abc", 0));
        assert!(p.matches("/kycaid/applicants/abc", 1));
        assert!(!p.matches("/applicants/abc/", 0));
        assert!(!p.matches("/applicants/", 0));
        assert!(!p.matches("/applicants/abc/x", 0));
        assert!(!p.matches("/kycaid/applicants/applicants/abc", 1));
        assert!(p.matches("/app%6Cicants/abc", 0));
        let slash = Pattern::parse("/applicants/{applicant_id}/").unwrap();
        assert!(slash.matches("/applicants/abc/", 0));
        assert!(!slash.matches("/applicants/abc", 0));
    }

    #[test]
    fn a_pattern_may_start_with_a_parameter() {
        let p = Pattern::parse("/{collection}").unwrap();
        assert_eq!(p.head, "");
        assert!(p.matches("/customers", 0));
        assert!(!p.matches("/", 0));
    }

    #[test]
    fn names_are_kept_once() {
        assert!(std::ptr::eq(interned("id"), interned(&String::from("id"))));
    }
}
