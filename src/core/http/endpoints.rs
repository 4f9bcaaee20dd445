//! A provider's endpoints, found by their path segments in a small tree.
//!
//! actix-router tries a scope's resources one after the other, and compiles every pattern with a
//! `{param}` into a regular expression (regex-lite's PikeVM took about 7% of a stored resource's
//! GET). Registered one by one, a provider's fifty-odd endpoints cost a tenth of a Rebilly read
//! in string comparisons before the right one was reached. Here they are one actix service,
//! which walks the path a segment at a time: a plain segment by its text, a `{param}` by any
//! non-empty segment. When several endpoints match, the one registered first answers, as it did
//! with actix's list; a path none matches gets the provider's own 404.

use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use actix_service::apply;
use actix_web::dev::{
    AppService, HttpServiceFactory, ResourceDef, Service, ServiceFactory, ServiceRequest,
    ServiceResponse,
};
use actix_web::{Error, Route};
use futures_util::future::{join_all, LocalBoxFuture};

use super::endpoint::{Endpoint, EndpointFactory, EndpointService, RouteService};
use super::BrowserCors;

/// A provider's endpoints, in the order they were added; `not_found` answers paths under the
/// provider's mount that none of them matches.
pub struct Endpoints {
    endpoints: Vec<Endpoint>,
    not_found: fn() -> Route,
}

impl Endpoints {
    pub fn new(not_found: fn() -> Route) -> Self {
        Endpoints {
            endpoints: Vec::new(),
            not_found,
        }
    }

    /// Adds an endpoint; where paths overlap, an earlier one wins.
    pub fn service(mut self, endpoint: Endpoint) -> Self {
        self.endpoints.push(endpoint);
        self
    }

    /// Adds `inner`'s endpoints after these, each on its paths behind each of `prefixes` (`""`
    /// for the paths as they are); `inner`'s own `not_found` is not used.
    pub fn nest(mut self, prefixes: &[String], inner: Endpoints) -> Self {
        self.endpoints
            .extend(inner.endpoints.into_iter().map(|e| e.under(prefixes)));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Plain(String),
    Param(&'static str),
}

fn segments(path: &str) -> Vec<Segment> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(interned(name)),
                None => Segment::Plain(s.to_owned()),
            },
        )
        .collect()
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

/// One path spelling: the endpoint answering it and its segments (for the parameter names).
struct PathEntry {
    endpoint: usize,
    segments: Rc<[Segment]>,
}

/// The paths, one segment per level. `ends` is the first-added path ending at this node. A
/// node has a handful of plain children (the root a few dozen), compared by text: quicker than
/// hashing each segment.
#[derive(Default)]
struct Node {
    plain: Vec<(Box<str>, Node)>,
    param: Option<Box<Node>>,
    ends: Option<usize>,
}

impl Node {
    fn insert(&mut self, segments: &[Segment], path: usize) {
        let Some((first, rest)) = segments.split_first() else {
            self.ends.get_or_insert(path);
            return;
        };
        let next = match first {
            Segment::Plain(text) => {
                let at = match self.plain.iter().position(|(t, _)| **t == **text) {
                    Some(at) => at,
                    None => {
                        self.plain.push((text.as_str().into(), Node::default()));
                        self.plain.len() - 1
                    }
                };
                &mut self.plain[at].1
            }
            Segment::Param(_) => self.param.get_or_insert_with(Box::default),
        };
        next.insert(rest, path);
    }

    /// The first-added path matching `given`, segment by segment.
    fn find(&self, given: &[&str]) -> Option<usize> {
        let Some((segment, rest)) = given.split_first() else {
            return self.ends;
        };
        let plain = self
            .plain
            .iter()
            .find(|(text, _)| **text == **segment)
            .and_then(|(_, next)| next.find(rest));
        let param = self
            .param
            .as_ref()
            .filter(|_| !segment.is_empty())
            .and_then(|next| next.find(rest));
        match (plain, param) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// More segments than any endpoint has: such a path matches none.
const MAX_SEGMENTS: usize = 16;

/// Where each segment of `path` (actix's requoted path, past the scope's own prefix) lies in it;
/// `None` past `MAX_SEGMENTS`.
fn segment_ranges(path: &str) -> Option<([(usize, usize); MAX_SEGMENTS], usize)> {
    let mut ranges = [(0, 0); MAX_SEGMENTS];
    let start = usize::from(path.starts_with('/'));
    let mut count = 0;
    let mut from = start;
    for (at, byte) in path
        .bytes()
        .enumerate()
        .skip(start)
        .chain([(path.len(), b'/')])
    {
        if byte == b'/' {
            *ranges.get_mut(count)? = (from, at);
            count += 1;
            from = at + 1;
        }
    }
    Some((ranges, count))
}

struct Table {
    root: Node,
    paths: Vec<PathEntry>,
}

impl Table {
    /// The path spelling `path` matches, and where its segments lie in `path`.
    fn find(&self, path: &str) -> Option<(&PathEntry, [(usize, usize); MAX_SEGMENTS])> {
        let (ranges, count) = segment_ranges(path)?;
        let mut segments = [""; MAX_SEGMENTS];
        for (segment, (from, to)) in segments.iter_mut().zip(&ranges[..count]) {
            *segment = &path[*from..*to];
        }
        let index = self.root.find(&segments[..count])?;
        Some((&self.paths[index], ranges))
    }
}

impl Endpoints {
    /// The endpoints as one service answering every path under `prefix` (`""`: all of them),
    /// each answer finished by `cors`.
    pub fn mounted(self, prefix: &'static str, cors: BrowserCors) -> Mounted {
        Mounted {
            endpoints: self,
            prefix,
            cors,
        }
    }

    fn into_factory(self) -> TableFactory {
        let mut table = Table {
            root: Node::default(),
            paths: Vec::new(),
        };
        let mut factories = Vec::with_capacity(self.endpoints.len());
        for endpoint in self.endpoints {
            let (paths, factory) = endpoint.into_parts();
            for path in paths {
                let segments: Rc<[Segment]> = segments(&path).into();
                table.root.insert(&segments, table.paths.len());
                table.paths.push(PathEntry {
                    endpoint: factories.len(),
                    segments,
                });
            }
            factories.push(factory);
        }
        TableFactory {
            table: Rc::new(table),
            endpoints: factories,
            not_found: (self.not_found)(),
        }
    }
}

/// A provider's endpoints registered straight on the app, under the provider's mount. A scope
/// of their own (what this replaced) routed every request a second time and added a boxed
/// layer to it, for nothing the app's own router and data do not already give.
pub struct Mounted {
    endpoints: Endpoints,
    prefix: &'static str,
    cors: BrowserCors,
}

impl HttpServiceFactory for Mounted {
    fn register(self, config: &mut AppService) {
        let service = apply(self.cors, self.endpoints.into_factory());
        // A prefix: every path under the mount comes here, the mount itself consumed.
        config.register_service(ResourceDef::prefix(self.prefix), None, service, None);
    }
}

struct TableFactory {
    table: Rc<Table>,
    endpoints: Vec<EndpointFactory>,
    not_found: Route,
}

impl ServiceFactory<ServiceRequest> for TableFactory {
    type Response = ServiceResponse;
    type Error = Error;
    type Config = ();
    type Service = TableService;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<TableService, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        let endpoints = join_all(self.endpoints.iter().map(|e| e.new_service(())));
        let not_found = self.not_found.new_service(());
        let table = self.table.clone();
        Box::pin(async move {
            Ok(TableService {
                table,
                endpoints: endpoints.await.into_iter().collect::<Result<_, _>>()?,
                not_found: not_found.await?,
            })
        })
    }
}

struct TableService {
    table: Rc<Table>,
    endpoints: Vec<EndpointService>,
    not_found: RouteService,
}

impl Service<ServiceRequest> for TableService {
    type Response = ServiceResponse;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse, Error>>;

    actix_web::dev::always_ready!();

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let Some((route, ranges)) = self.table.find(req.match_info().unprocessed()) else {
            return self.not_found.call(req);
        };
        let path = req.match_info_mut();
        for (segment, (from, to)) in route.segments.iter().zip(ranges) {
            if let Segment::Param(name) = segment {
                let value = path.unprocessed()[from..to].to_owned();
                path.add_static(*name, Cow::Owned(value));
            }
        }
        self.endpoints[route.endpoint].call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(paths: &[&str]) -> Table {
        let mut table = Table {
            root: Node::default(),
            paths: Vec::new(),
        };
        for (endpoint, path) in paths.iter().enumerate() {
            let segments: Rc<[Segment]> = segments(path).into();
            table.root.insert(&segments, table.paths.len());
            table.paths.push(PathEntry { endpoint, segments });
        }
        table
    }

    fn found(table: &Table, path: &str) -> Option<usize> {
        table.find(path).map(|(route, _)| route.endpoint)
    }

    #[test]
    fn paths_match_segment_by_segment() {
        let t = table(&["/applicants", "/applicants/", "/applicants/{applicant_id}"]);
        assert_eq!(found(&t, "/applicants"), Some(0));
        assert_eq!(found(&t, "/applicants/"), Some(1));
        assert_eq!(found(&t, "/applicants/abc"), Some(2));
        assert_eq!(found(&t, "/applicants/abc/"), None);
        assert_eq!(found(&t, "/applicants/abc/x"), None);
        assert_eq!(found(&t, "/applicant"), None);
        assert_eq!(found(&t, "//applicants"), None);
        assert_eq!(found(&t, ""), None);
    }

    #[test]
    fn the_first_added_of_overlapping_paths_answers() {
        let t = table(&[
            "/v0/kyc/documents/required",
            "/v0/kyc/documents/{image_id}",
            "/{collection}/{id}",
        ]);
        assert_eq!(found(&t, "/v0/kyc/documents/required"), Some(0));
        assert_eq!(found(&t, "/v0/kyc/documents/x"), Some(1));
        assert_eq!(found(&t, "/v0/kyc"), Some(2));
        let later = table(&["/{collection}/{id}", "/files/{id}"]);
        assert_eq!(found(&later, "/files/x"), Some(0));
    }

    #[test]
    fn segments_are_found_where_they_lie() {
        let (ranges, count) = segment_ranges("/a/bc//d/").unwrap();
        assert_eq!(&ranges[..count], &[(1, 2), (3, 5), (6, 6), (7, 8), (9, 9)]);
        assert_eq!(segment_ranges("").map(|(_, n)| n), Some(1));
        assert!(segment_ranges(&"/x".repeat(MAX_SEGMENTS + 1)).is_none());
        assert!(segment_ranges(&"/x".repeat(MAX_SEGMENTS)).is_some());
    }

    #[test]
    fn a_path_may_start_with_a_parameter() {
        let t = table(&["/{collection}"]);
        assert_eq!(found(&t, "/customers"), Some(0));
        assert_eq!(found(&t, "/"), None);
    }

    #[test]
    fn names_are_kept_once() {
        assert!(std::ptr::eq(interned("id"), interned(&String::from("id"))));
    }
}
