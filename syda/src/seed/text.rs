//! Text every backend needs in the same form: database URLs without their
//! password, and datetimes in the form SQL `DATETIME` columns take.

use std::borrow::Cow;

/// `url` with its password replaced by `***`, for messages: the user and
/// the host stay, so the reader still knows which server was meant.
///
/// ```
/// use syda::seed::redact_url;
/// assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
/// assert_eq!(redact_url("mysql://root@127.0.0.1/test"), "mysql://root@127.0.0.1/test");
/// assert_eq!(redact_url("sqlite:/tmp/x.db"), "sqlite:/tmp/x.db");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// A generated datetime (`2024-05-01T10:00:00Z`, RFC 3339) in the form
/// MySQL's `DATETIME` and SQLite's date functions read:
/// `2024-05-01 10:00:00`. An offset is converted to UTC
/// (`…T12:00:00+02:00` is `… 10:00:00`), fractional seconds are kept. A
/// date-time without offset loses its `T`; other text is left alone.
///
/// ```
/// use syda::seed::sql_datetime;
/// assert_eq!(sql_datetime("2024-05-01T10:00:00Z"), "2024-05-01 10:00:00");
/// assert_eq!(sql_datetime("2024-05-01T12:00:00.5+02:00"), "2024-05-01 10:00:00.500");
/// assert_eq!(sql_datetime("2024-05-01T10:00:00"), "2024-05-01 10:00:00");
/// assert_eq!(sql_datetime("not a date"), "not a date");
/// ```
pub fn sql_datetime(s: &str) -> Cow<'_, str> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Cow::Owned(dt.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string());
    }
    let b = s.as_bytes();
    if b.len() >= 13 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' {
        return Cow::Owned(s.replacen('T', " ", 1));
    }
    Cow::Borrowed(s)
}
