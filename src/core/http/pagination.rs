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

/// Reads `limit` (0..=`max_limit`, default `default_limit`) and `offset` (>= 0, default 0).
pub fn page_request(
    req: &HttpRequest,
    default_limit: usize,
    max_limit: usize,
) -> Result<PageRequest, PageError> {
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
        limit: read("limit", default_limit, max_limit)?,
        offset: read("offset", 0, usize::MAX)?,
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
                100,
                1000,
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
