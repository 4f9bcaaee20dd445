//! Rebilly collection queries: `limit`/`offset`, `filter=field:v1,v2;field2:v3` and
//! `sort=[-]field`, answered in O(limit) when neither filter nor a custom sort is asked for.

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use crate::core::http::{page_request, PageBounds, PageRequest};
use crate::core::json_out::Rendered;
use crate::core::resource::{Listing, Resource};
use crate::core::store::{Page, Store};
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::wire::{list, query_param};
use crate::providers::rebilly::Rebilly;

/// `collectionLimit` and `collectionOffset` in Rebilly's spec: both 0..1000.
const BOUNDS: PageBounds = PageBounds {
    default_limit: 100,
    max_limit: 1000,
    max_offset: 1000,
};

pub struct ListQuery {
    pub page: PageRequest,
    filter: Vec<(String, Vec<String>)>,
    by_updated_time: bool,
    descending: bool,
}

/// A resource that can be listed: the filterable fields and their values.
pub trait Listed: Resource<Rebilly> {
    const FILTERABLE: &'static [&'static str];
    fn field(&self, name: &str) -> Option<&str>;
    fn updated_time(&self) -> DateTime<Utc>;
}

fn invalid(field: &str, message: String) -> RebillyError {
    RebillyError::Validation(vec![InvalidField::new(field, message)])
}

impl ListQuery {
    pub fn parse<T: Listed>(req: &HttpRequest) -> Result<Self, RebillyError> {
        // `GET /files/` is `GET /files/{id}` with an empty id, not the list (the SDK adds the
        // slash only when it creates).
        if req.path().ends_with('/') {
            return Err(RebillyError::NotFound { kind: T::KIND });
        }
        let page = page_request(req, BOUNDS)?;
        let raw_filter = query_param(req, "filter").unwrap_or_default();
        let mut filter = Vec::new();
        for clause in raw_filter.split(';').filter(|c| !c.trim().is_empty()) {
            let (field, values) = clause
                .split_once(':')
                .ok_or_else(|| invalid("filter", format!("`{clause}` is not field:value")))?;
            let field = field.trim();
            if !T::FILTERABLE.contains(&field) {
                return Err(invalid(
                    "filter",
                    format!(
                        "cannot filter on `{field}`; filterable: {}",
                        T::FILTERABLE.join(", ")
                    ),
                ));
            }
            filter.push((
                field.to_owned(),
                values.split(',').map(|v| v.trim().to_owned()).collect(),
            ));
        }
        let sort = query_param(req, "sort").unwrap_or_else(|| "-createdTime".into());
        let (field, descending) = match sort.strip_prefix('-') {
            Some(field) => (field, true),
            None => (sort.as_str(), false),
        };
        let by_updated_time = match field {
            "createdTime" => false,
            "updatedTime" => true,
            _ => {
                return Err(invalid(
                    "sort",
                    "can sort by createdTime or updatedTime (prefix - for descending)".into(),
                ))
            }
        };
        Ok(ListQuery {
            page,
            filter,
            by_updated_time,
            descending,
        })
    }

    fn admits<T: Listed>(&self, item: &T) -> bool {
        self.filter
            .iter()
            .all(|(f, values)| item.field(f).is_some_and(|v| values.iter().any(|x| x == v)))
    }

    /// One page of `store` (insertion order is creation order) and the total that matched.
    pub fn run<'a, T: Listed>(&self, store: &'a Store<T>) -> Page<'a, T> {
        if self.filter.is_empty() && !self.by_updated_time {
            return store.page(self.page.offset, self.page.limit, self.descending);
        }
        self.run_where(store, |_| true)
    }

    /// Like `run`, restricted to the items `scope` admits (a storefront customer's own).
    pub fn run_where<'a, T: Listed>(
        &self,
        store: &'a Store<T>,
        scope: impl Fn(&T) -> bool,
    ) -> Page<'a, T> {
        let mut matching: Vec<&T> = store
            .values()
            .filter(|item| scope(item) && self.admits(*item))
            .collect();
        if self.by_updated_time {
            matching.sort_by_key(|item| item.updated_time());
        }
        if self.descending {
            matching.reverse();
        }
        let total = matching.len();
        let items = matching
            .into_iter()
            .skip(self.page.offset)
            .take(self.page.limit)
            .collect();
        Page { items, total }
    }
}

impl<T: Listed> Listing<Rebilly, T> for ListQuery {
    fn parse(req: &HttpRequest) -> Result<Self, RebillyError> {
        ListQuery::parse::<T>(req)
    }

    fn page<'s>(&self, store: &'s Store<T>) -> Page<'s, T> {
        self.run(store)
    }

    fn reply(&self, items: Vec<Rendered>, total: usize) -> HttpResponse {
        list(&items, total, self.page)
    }
}
