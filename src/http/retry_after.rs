//! `Retry-After` (RFC 9110 §10.2.3): how long a server asks the client to wait.

use core::time::Duration;
use std::time::SystemTime;

use ::http::header::{HeaderMap, RETRY_AFTER};

/// The wait a `Retry-After` value asks for, counted from `now`.
///
/// Both forms of the header are understood:
/// - delay-seconds, `Retry-After: 120`: that many seconds (a number too large for a
///   `u64` saturates; `max_delay` and `max_time` cap what a retry loop really waits);
/// - an HTTP-date, `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` (and the obsolete
///   RFC 850 and asctime forms): the time from `now` until then, or zero — "now" — for
///   a date in the past.
///
/// Anything else (`-5`, `1.5`, `soon`, an empty value) is no hint: `None`, and the
/// schedule's own wait applies.
///
/// ```
/// use retry::http::parse_retry_after;
/// use std::time::{Duration, SystemTime};
///
/// let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(
///     parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
///     Some(Duration::from_secs(30))
/// );
/// assert_eq!(parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now), Some(Duration::ZERO));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    // Header values may carry optional whitespace around them (RFC 9110 §5.5).
    let value = value.trim_matches([' ', '\t']);
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits, so the only possible parse error is overflow.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wait the `Retry-After` header in `headers` asks for, counted from now; `None`
/// when there is no such header or it is not a valid hint (see [`parse_retry_after`]).
///
/// ```
/// use retry::http::retry_after;
/// use std::time::Duration;
///
/// let mut headers = http::HeaderMap::new();
/// assert_eq!(retry_after(&headers), None);
/// headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("3"));
/// assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
/// ```
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, SystemTime::now())
}

/// [`retry_after`] as of `now`, for tests and replays.
pub fn retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::http::HeaderValue;

    fn at(date: &str) -> SystemTime {
        httpdate::parse_http_date(date).unwrap()
    }

    const NOW: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

    #[test]
    fn delay_seconds() {
        let now = at(NOW);
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(parse_retry_after("0", now), secs(0));
        assert_eq!(parse_retry_after("1", now), secs(1));
        assert_eq!(parse_retry_after("120", now), secs(120));
        assert_eq!(parse_retry_after("007", now), secs(7));
        assert_eq!(parse_retry_after(" 5\t", now), secs(5));
    }

    #[test]
    fn a_huge_number_saturates_instead_of_being_dropped() {
        let now = at(NOW);
        let max = Some(Duration::from_secs(u64::MAX));
        assert_eq!(parse_retry_after("18446744073709551615", now), max);
        assert_eq!(parse_retry_after("18446744073709551616000", now), max);
    }

    #[test]
    fn http_dates_in_all_three_formats() {
        let now = at(NOW);
        let in_a_minute = Some(Duration::from_secs(60));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            in_a_minute
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now),
            in_a_minute
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:50:37 1994", now),
            in_a_minute
        );
    }

    #[test]
    fn a_date_in_the_past_or_now_means_now() {
        let now = at(NOW);
        assert_eq!(parse_retry_after(NOW, now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn a_far_future_date_is_a_long_hint() {
        let now = at(NOW);
        let hint = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now).unwrap();
        assert!(
            hint > Duration::from_secs(8000 * 365 * 24 * 3600),
            "{hint:?}"
        );
    }

    #[test]
    fn garbage_is_no_hint() {
        let now = at(NOW);
        for value in [
            "",
            " ",
            "-5",
            "+5",
            "1.5",
            "0x10",
            "5s",
            "soon",
            "1e3",
            "٣",
            "5 5",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(value, now), None, "{value:?}");
        }
    }

    #[test]
    fn from_headers() {
        let now = at(NOW);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after_at(&headers, now), None);
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:47 GMT"),
        );
        assert_eq!(retry_after_at(&headers, now), Some(Duration::from_secs(10)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("garbage"));
        assert_eq!(retry_after_at(&headers, now), None);
        // Not visible ASCII: not a hint either.
        headers.insert(RETRY_AFTER, HeaderValue::from_bytes(b"\xff1").unwrap());
        assert_eq!(retry_after_at(&headers, now), None);
    }

    #[test]
    fn now_defaults_to_the_system_clock() {
        let mut headers = HeaderMap::new();
        let in_an_hour = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&in_an_hour).unwrap());
        let hint = retry_after(&headers).unwrap();
        // Whole seconds in the header; a generous margin for a slow machine.
        assert!(
            hint > Duration::from_secs(3500) && hint <= Duration::from_secs(3600),
            "{hint:?}"
        );
    }
}
