//! `limit`/`offset` query parameters, bounded; providers turn a refusal into their own envelope.

use actix_web::HttpRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub offset: usize,
}

/// A bad parameter: its name and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub field: &'static str,
    pub message: String,
}

/// The bounds a provider documents for `limit` and `offset`.
#[derive(Debug, Clone, Copy)]
pub struct PageBounds {
    pub default_limit: usize,
    pub max_limit: usize,
    pub max_offset: usize,
}

/// Reads `limit` (0..=`max_limit`, default `default_limit`) and `offset` (0..=`max_offset`,
/// default 0).
pub fn page_request(req: &HttpRequest, bounds: PageBounds) -> Result<PageRequest, PageError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let read = |field: &'static str, default: usize, max: usize| -> Result<usize, PageError> {
        match pairs.iter().rev().find(|(k, _)| k == field) {
            None => Ok(default),
            Some((_, raw)) if raw.is_empty() => Ok(default),
            Some((_, raw)) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| PageError {
                    field,
                    message: format!("must be an integer from 0 to {max}"),
                }),
        }
    };
    Ok(PageRequest {
        limit: read("limit", bounds.default_limit, bounds.max_limit)?,
        offset: read("offset", 0, bounds.max_offset)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn bounds_and_defaults() {
        let page = |q: &str| {
            page_request(
                &TestRequest::with_uri(&format!("/x?{q}")).to_http_request(),
                PageBounds {
                    default_limit: 100,
                    max_limit: 1000,
                    max_offset: 1000,
                },
            )
        };
        assert_eq!(
            page(""),
            Ok(PageRequest {
                limit: 100,
                offset: 0
            })
        );
        assert_eq!(
            page("limit=0&offset=5"),
            Ok(PageRequest {
                limit: 0,
                offset: 5
            })
        );
        assert_eq!(page("limit=1001").unwrap_err().field, "limit");
        assert_eq!(page("offset=-1").unwrap_err().field, "offset");
        assert_eq!(
            page("limit=abc").unwrap_err().message,
            "must be an integer from 0 to 1000"
        );
    }
}
