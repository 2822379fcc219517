//! Which statuses are worth another attempt, and which methods are safe to repeat.

use core::fmt;

use ::http::{Method, StatusCode};

/// Words of 64 bits for the codes 0..=1023, a superset of every valid status (100..=999).
const WORDS: usize = 16;

/// A set of HTTP status codes: the answers worth another attempt.
///
/// [`StatusSet::TRANSIENT`] is the usual choice (urllib3's `status_forcelist` for
/// retries, gRPC's and AWS's transient classes): 408, 429, 500, 502, 503 and 504. Build
/// any other set with `const` methods, so it can live in a `const` beside the policy:
///
/// ```
/// use retry::http::StatusSet;
///
/// // aiohttp-retry's `retry_all_server_errors`, plus 429, minus 501.
/// const RETRY_ON: StatusSet = StatusSet::SERVER_ERRORS.with(429).without(501);
///
/// assert!(RETRY_ON.contains_code(503));
/// assert!(RETRY_ON.contains(http::StatusCode::TOO_MANY_REQUESTS));
/// assert!(!RETRY_ON.contains_code(501));
/// assert!(!StatusSet::TRANSIENT.contains_code(404));
/// assert_eq!(StatusSet::from_codes(&[503, 429]), StatusSet::EMPTY.with(429).with(503));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusSet {
    bits: [u64; WORDS],
}

impl StatusSet {
    /// No status at all: only transport failures are retried.
    pub const EMPTY: StatusSet = StatusSet { bits: [0; WORDS] };

    /// 408 Request Timeout, 429 Too Many Requests, 500 Internal Server Error,
    /// 502 Bad Gateway, 503 Service Unavailable, 504 Gateway Timeout.
    pub const TRANSIENT: StatusSet = StatusSet::from_codes(&[408, 429, 500, 502, 503, 504]);

    /// Every server error, 500 to 599 (aiohttp-retry's `retry_all_server_errors`).
    pub const SERVER_ERRORS: StatusSet = StatusSet::EMPTY.with_range(500, 599);

    /// Exactly these codes.
    ///
    /// # Panics
    /// If a code is not a valid status (100..=999); in a `const`, that is a compile error.
    pub const fn from_codes(codes: &[u16]) -> StatusSet {
        let mut set = StatusSet::EMPTY;
        let mut i = 0;
        while i < codes.len() {
            set = set.with(codes[i]);
            i += 1;
        }
        set
    }

    /// This set and `code`.
    ///
    /// # Panics
    /// If `code` is not a valid status (100..=999); in a `const`, that is a compile error.
    pub const fn with(mut self, code: u16) -> StatusSet {
        let code = checked(code);
        self.bits[code / 64] |= 1 << (code % 64);
        self
    }

    /// This set and every code from `first` to `last`, both included.
    ///
    /// # Panics
    /// If `first` or `last` is not a valid status (100..=999).
    pub const fn with_range(mut self, first: u16, last: u16) -> StatusSet {
        checked(first);
        checked(last);
        let mut code = first;
        while code <= last {
            self = self.with(code);
            code += 1;
        }
        self
    }

    /// This set without `code` (a code that is not a status is in no set).
    pub const fn without(mut self, code: u16) -> StatusSet {
        if is_status(code) {
            let code = code as usize;
            self.bits[code / 64] &= !(1 << (code % 64));
        }
        self
    }

    /// The codes of both sets.
    pub const fn union(mut self, other: StatusSet) -> StatusSet {
        let mut i = 0;
        while i < WORDS {
            self.bits[i] |= other.bits[i];
            i += 1;
        }
        self
    }

    /// Whether `code` is in the set.
    pub const fn contains_code(&self, code: u16) -> bool {
        is_status(code) && self.bits[code as usize / 64] & (1 << (code % 64)) != 0
    }

    /// Whether `status` is in the set.
    pub fn contains(&self, status: StatusCode) -> bool {
        self.contains_code(status.as_u16())
    }

    /// Whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        let mut i = 0;
        while i < WORDS {
            if self.bits[i] != 0 {
                return false;
            }
            i += 1;
        }
        true
    }

    /// The codes in the set, in ascending order.
    pub fn codes(&self) -> impl Iterator<Item = u16> + '_ {
        (100..=999).filter(|&code| self.contains_code(code))
    }
}

const fn is_status(code: u16) -> bool {
    100 <= code && code <= 999
}

const fn checked(code: u16) -> usize {
    if !is_status(code) {
        panic!("not an HTTP status code: expected 100..=999");
    }
    code as usize
}

impl Default for StatusSet {
    /// [`StatusSet::TRANSIENT`].
    fn default() -> Self {
        StatusSet::TRANSIENT
    }
}

impl fmt::Debug for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.codes()).finish()
    }
}

impl FromIterator<StatusCode> for StatusSet {
    fn from_iter<I: IntoIterator<Item = StatusCode>>(codes: I) -> Self {
        codes
            .into_iter()
            .fold(StatusSet::EMPTY, |set, code| set.with(code.as_u16()))
    }
}

impl Extend<StatusCode> for StatusSet {
    fn extend<I: IntoIterator<Item = StatusCode>>(&mut self, codes: I) {
        for code in codes {
            *self = self.with(code.as_u16());
        }
    }
}

/// Whether a request with this method may be sent twice: urllib3's rule (its
/// `Retry.DEFAULT_ALLOWED_METHODS`), the idempotent methods of RFC 9110 §9.2.2:
/// `GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS` and `TRACE`. `POST`, `PATCH`, `CONNECT`
/// and extension methods are not.
///
/// ```
/// use http::Method;
/// use retry::http::is_idempotent;
///
/// assert!(is_idempotent(&Method::GET));
/// assert!(is_idempotent(&Method::DELETE));
/// assert!(!is_idempotent(&Method::POST));
/// ```
pub fn is_idempotent(method: &Method) -> bool {
    Methods::IDEMPOTENT.contains(method)
}

/// A set of request methods: the ones a client-wide retry may repeat.
///
/// The nine methods of RFC 9110 and RFC 5789 (`PATCH`) each have their own place;
/// extension methods (`PROPFIND`, ...) share one: adding any of them adds all.
///
/// ```
/// use http::Method;
/// use retry::http::Methods;
///
/// // Safe to repeat because the API deduplicates by an `Idempotency-Key` header.
/// let methods = Methods::IDEMPOTENT.with(Method::POST);
/// assert!(methods.contains(&Method::POST));
/// assert!(!methods.contains(&Method::PATCH));
/// assert!(Methods::ALL.contains(&Method::from_bytes(b"PROPFIND").unwrap()));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Methods {
    bits: u16,
}

/// The methods with a place of their own in [`Methods`], in bit order; the last bit is
/// every extension method.
static KNOWN: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::PUT,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
    Method::POST,
    Method::PATCH,
    Method::CONNECT,
];
const EXTENSION: u16 = 1 << 9;

impl Methods {
    /// No method: nothing is repeated (except a request that never connected).
    pub const NONE: Methods = Methods { bits: 0 };
    /// `GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`, `TRACE` (see [`is_idempotent`]).
    pub const IDEMPOTENT: Methods = Methods { bits: 0b11_1111 };
    /// Every method, extension methods included (urllib3's `allowed_methods=None`).
    pub const ALL: Methods = Methods {
        bits: EXTENSION | (EXTENSION - 1),
    };

    fn bit(method: &Method) -> u16 {
        KNOWN
            .iter()
            .position(|known| known == method)
            .map_or(EXTENSION, |i| 1 << i)
    }

    /// This set and `method`.
    pub fn with(self, method: Method) -> Methods {
        Methods {
            bits: self.bits | Methods::bit(&method),
        }
    }

    /// This set without `method`.
    pub fn without(self, method: Method) -> Methods {
        Methods {
            bits: self.bits & !Methods::bit(&method),
        }
    }

    /// Whether `method` is in the set.
    pub fn contains(&self, method: &Method) -> bool {
        self.bits & Methods::bit(method) != 0
    }
}

impl Default for Methods {
    /// [`Methods::IDEMPOTENT`].
    fn default() -> Self {
        Methods::IDEMPOTENT
    }
}

impl fmt::Debug for Methods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        for (i, method) in KNOWN.iter().enumerate() {
            if self.bits & (1 << i) != 0 {
                set.entry(&method.as_str());
            }
        }
        if self.bits & EXTENSION != 0 {
            set.entry(&"extension methods");
        }
        set.finish()
    }
}

impl FromIterator<Method> for Methods {
    fn from_iter<I: IntoIterator<Item = Method>>(methods: I) -> Self {
        methods.into_iter().fold(Methods::NONE, Methods::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transient_set() {
        let codes: Vec<u16> = StatusSet::TRANSIENT.codes().collect();
        assert_eq!(codes, [408, 429, 500, 502, 503, 504]);
        for code in [200, 301, 400, 401, 403, 404, 409, 422, 501, 505, 599] {
            assert!(!StatusSet::TRANSIENT.contains_code(code), "{code}");
        }
        assert_eq!(StatusSet::default(), StatusSet::TRANSIENT);
    }

    #[test]
    fn building_sets() {
        const CUSTOM: StatusSet = StatusSet::EMPTY.with(418).with_range(520, 522).without(521);
        assert_eq!(CUSTOM.codes().collect::<Vec<_>>(), [418, 520, 522]);
        assert_eq!(StatusSet::SERVER_ERRORS.codes().count(), 100);
        assert!(StatusSet::SERVER_ERRORS.contains_code(599));
        assert!(!StatusSet::SERVER_ERRORS.contains_code(499));
        assert!(!StatusSet::SERVER_ERRORS.contains_code(600));
        assert_eq!(
            StatusSet::EMPTY.with(429).union(StatusSet::EMPTY.with(503)),
            StatusSet::from_codes(&[503, 429, 503])
        );
        assert!(StatusSet::EMPTY.is_empty());
        assert!(!StatusSet::TRANSIENT.is_empty());
        // The edges of the valid range.
        let edges = StatusSet::from_codes(&[100, 999]);
        assert!(edges.contains_code(100) && edges.contains_code(999));
        assert_eq!(edges.codes().collect::<Vec<_>>(), [100, 999]);
    }

    #[test]
    fn codes_that_are_not_statuses_are_in_no_set() {
        let all = StatusSet::EMPTY.with_range(100, 999);
        for code in [0, 99, 1000, 1023, 1024, u16::MAX] {
            assert!(!all.contains_code(code), "{code}");
            assert_eq!(all.without(code), all);
        }
    }

    #[test]
    #[should_panic(expected = "not an HTTP status code")]
    fn with_rejects_a_code_that_is_not_a_status() {
        let _ = StatusSet::EMPTY.with(1000);
    }

    #[test]
    #[should_panic(expected = "not an HTTP status code")]
    fn with_range_rejects_a_code_that_is_not_a_status() {
        let _ = StatusSet::EMPTY.with_range(99, 200);
    }

    #[test]
    fn from_status_codes() {
        let set: StatusSet = [StatusCode::BAD_GATEWAY, StatusCode::TOO_MANY_REQUESTS]
            .into_iter()
            .collect();
        assert_eq!(set, StatusSet::from_codes(&[429, 502]));
        let mut more = set;
        more.extend([StatusCode::CONFLICT]);
        assert!(more.contains(StatusCode::CONFLICT));
        assert_eq!(format!("{set:?}"), "{429, 502}");
    }

    #[test]
    fn urllib3_idempotent_methods() {
        for method in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
            Method::TRACE,
        ] {
            assert!(is_idempotent(&method), "{method}");
        }
        let propfind = Method::from_bytes(b"PROPFIND").unwrap();
        for method in [Method::POST, Method::PATCH, Method::CONNECT, propfind] {
            assert!(!is_idempotent(&method), "{method}");
        }
    }

    #[test]
    fn method_sets() {
        let propfind = Method::from_bytes(b"PROPFIND").unwrap();
        let mkcol = Method::from_bytes(b"MKCOL").unwrap();
        assert!(Methods::ALL.contains(&Method::POST));
        assert!(Methods::ALL.contains(&propfind));
        assert!(!Methods::NONE.contains(&Method::GET));
        let with_post = Methods::IDEMPOTENT.with(Method::POST);
        assert!(with_post.contains(&Method::POST) && with_post.contains(&Method::GET));
        assert!(!with_post.contains(&Method::PATCH));
        let only_get: Methods = [Method::GET].into_iter().collect();
        assert!(only_get.contains(&Method::GET) && !only_get.contains(&Method::HEAD));
        // Extension methods share one place.
        let webdav = Methods::NONE.with(propfind.clone());
        assert!(webdav.contains(&mkcol));
        assert!(!webdav.without(mkcol).contains(&propfind));
        assert!(!Methods::ALL.without(Method::POST).contains(&Method::POST));
        assert_eq!(Methods::default(), Methods::IDEMPOTENT);
        assert_eq!(
            format!("{:?}", Methods::IDEMPOTENT),
            r#"{"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"}"#
        );
    }
}
