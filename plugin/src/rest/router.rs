//! A small request router: method + path pattern → handler, with `{param}`
//! captures, and query-string parsing.
//!
//! Patterns are `/`-separated; a segment `{name}` captures one path segment
//! (percent-decoded). Routes are tried in registration order and the first
//! match wins, so literal routes (`/playbooks/import`) must be registered
//! before the parameterised ones they overlap (`/playbooks/{id}`).
//! Trailing and repeated slashes are ignored.

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone)]
struct Route<T> {
    method: String,
    segments: Vec<Segment>,
    handler: T,
}

/// The result of [`Router::find`].
#[derive(Debug, PartialEq)]
pub enum Match<'r, T> {
    Found(&'r T, Params),
    /// The path exists, but not with this method; the allowed methods.
    MethodNotAllowed(Vec<String>),
    NotFound,
}

/// Routes and their handlers (any payload `T`, typically a `fn`).
#[derive(Debug, Clone)]
pub struct Router<T> {
    routes: Vec<Route<T>>,
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Router { routes: Vec::new() }
    }
}

impl<T> Router<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a route: `method` (upper case) and `pattern`
    /// (`/playbooks/{id}/export`).
    pub fn route(mut self, method: &str, pattern: &str, handler: T) -> Self {
        let segments = split(pattern)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        self.routes.push(Route {
            method: method.to_ascii_uppercase(),
            segments,
            handler,
        });
        self
    }

    /// Every route as `(METHOD, pattern)`, in registration order (used to
    /// keep the OpenAPI document in step with the code).
    pub fn patterns(&self) -> Vec<(String, String)> {
        self.routes
            .iter()
            .map(|route| {
                let path: String = route
                    .segments
                    .iter()
                    .map(|s| match s {
                        Segment::Param(name) => format!("/{{{name}}}"),
                        Segment::Literal(text) => format!("/{text}"),
                    })
                    .collect();
                (route.method.clone(), path)
            })
            .collect()
    }

    /// The handler for `method` and `path` (no query string), with its
    /// captures.
    pub fn find(&self, method: &str, path: &str) -> Match<'_, T> {
        let segments: Vec<String> = split(path).map(percent_decode).collect();
        let mut allowed: Vec<String> = Vec::new();
        for route in &self.routes {
            let Some(params) = capture(&route.segments, &segments) else {
                continue;
            };
            if route.method.eq_ignore_ascii_case(method) {
                return Match::Found(&route.handler, params);
            }
            if !allowed.contains(&route.method) {
                allowed.push(route.method.clone());
            }
        }
        if allowed.is_empty() {
            Match::NotFound
        } else {
            Match::MethodNotAllowed(allowed)
        }
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn capture(pattern: &[Segment], segments: &[String]) -> Option<Params> {
    if pattern.len() != segments.len() {
        return None;
    }
    let mut params = Params::default();
    for (p, s) in pattern.iter().zip(segments) {
        match p {
            Segment::Literal(l) if l == s => {}
            Segment::Literal(_) => return None,
            Segment::Param(name) => params.0.push((name.clone(), s.clone())),
        }
    }
    Some(params)
}

/// Path captures by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The captured value; `""` for a name the pattern does not have.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A parsed query string (`a=1&b=x%20y&a=2`): keys may repeat, `+` is a
/// space, keys and values are percent-decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `query` (without the leading `?`). A pair without `=` has an
    /// empty value; empty pairs (`a=1&&b=2`) are skipped.
    pub fn parse(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        Query(
            query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (form_decode(k), form_decode(v))
                })
                .collect(),
        )
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first non-empty value of `key` (`?team_id=` counts as absent).
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// `page` (0-based) and `per_page` (0 or absent = `default`, capped at
    /// `max`), with errors naming the parameter.
    pub fn paging(
        &self,
        default: usize,
        max: usize,
    ) -> Result<(usize, usize), crate::playbooks::FieldError> {
        let page = match self.non_empty("page") {
            None => 0,
            Some(p) => p.parse::<usize>().map_err(|_| {
                crate::playbooks::FieldError::new(
                    "page",
                    format!("{p:?} is not a page number (0, 1, …)"),
                )
            })?,
        };
        let per_page = match self.non_empty("per_page") {
            None => default,
            Some(p) => match p.parse::<u64>() {
                Ok(0) => default,
                Ok(n) => n.min(max as u64) as usize,
                Err(_) => {
                    return Err(crate::playbooks::FieldError::new(
                        "per_page",
                        format!("{p:?} is not a positive integer"),
                    ));
                }
            },
        };
        Ok((page, per_page))
    }

    /// `direction`: `asc` (default) or `desc`; true for descending.
    pub fn descending(&self) -> Result<bool, crate::playbooks::FieldError> {
        match self
            .non_empty("direction")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            Some(d) => Err(crate::playbooks::FieldError::new(
                "direction",
                format!("{d:?} is not asc or desc"),
            )),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space.
fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

/// Decodes `%XX` escapes; a malformed escape is kept as-is, and invalid
/// UTF-8 becomes U+FFFD (the value then simply matches nothing).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router<&'static str> {
        Router::new()
            .route("POST", "/playbooks/import", "import")
            .route("GET", "/playbooks", "list")
            .route("POST", "/playbooks", "create")
            .route("GET", "/playbooks/{id}", "get")
            .route("DELETE", "/playbooks/{id}", "archive")
            .route("GET", "/playbooks/{id}/export", "export")
    }

    #[test]
    fn matches_literals_and_captures() {
        let r = router();
        assert_eq!(
            r.find("GET", "/playbooks"),
            Match::Found(&"list", Params::default())
        );
        assert_eq!(
            r.find("POST", "/playbooks/"),
            Match::Found(&"create", Params::default())
        );
        let Match::Found(h, params) = r.find("GET", "/playbooks/abc/export") else {
            panic!("no match");
        };
        assert_eq!((*h, params.get("id")), ("export", "abc"));
        assert_eq!(params.get("nope"), "");
        // Literal routes registered first win over captures.
        assert!(matches!(
            r.find("POST", "/playbooks/import"),
            Match::Found(&"import", _)
        ));
        let Match::Found(h, params) = r.find("get", "//playbooks/import") else {
            panic!("no match");
        };
        assert_eq!((*h, params.get("id")), ("get", "import"));
    }

    #[test]
    fn captures_are_percent_decoded() {
        let Match::Found(_, params) = router().find("GET", "/playbooks/a%20b%2Fc") else {
            panic!("no match");
        };
        assert_eq!(params.get("id"), "a b/c");
    }

    #[test]
    fn not_found_and_method_not_allowed() {
        let r = router();
        assert_eq!(r.find("GET", "/runs"), Match::NotFound);
        assert_eq!(r.find("GET", "/playbooks/a/b"), Match::NotFound);
        assert_eq!(
            r.find("PUT", "/playbooks/x"),
            Match::MethodNotAllowed(vec!["GET".into(), "DELETE".into()])
        );
        assert_eq!(
            r.find("DELETE", "/playbooks"),
            Match::MethodNotAllowed(vec!["GET".into(), "POST".into()])
        );
    }

    #[test]
    fn query_parsing() {
        let q = Query::parse("?a=1&b=x%20y+z&a=2&flag&&c=%E2%9C%93&bad=%zz%4");
        assert_eq!(q.get("a"), Some("1"));
        assert_eq!(q.get_all("a"), vec!["1", "2"]);
        assert_eq!(q.get("b"), Some("x y z"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.non_empty("flag"), None);
        assert_eq!(q.get("c"), Some("✓"));
        assert_eq!(q.get("bad"), Some("%zz%4"));
        assert_eq!(q.get("missing"), None);
        assert!(q.get_all("missing").is_empty());
        assert_eq!(Query::parse(""), Query::default());
        // `%2B` is a literal plus, `+` a space.
        assert_eq!(Query::parse("t=a%2Bb+c").get("t"), Some("a+b c"));
        // Invalid UTF-8 does not fail the request.
        assert_eq!(Query::parse("t=%FF").get("t"), Some("\u{FFFD}"));
    }
}
