//! Database URLs in messages: their password replaced, and a password the database's
//! client library would read differently refused.

/// A URL's parts around its password: `(scheme://user, password, host…)`. The host
/// part cannot hold an `@`, so the last one ends the user info, also when the
/// password has an unencoded `@` of its own.
fn password_of(url: &str) -> Option<(&str, &str, &str)> {
    let start = url.find("://")? + 3;
    let at = start + url[start..].rfind('@')?;
    let colon = start + url[start..at].find(':')?;
    Some((&url[..colon], &url[colon + 1..at], &url[at..]))
}

/// A database URL with its password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match password_of(url) {
        Some((user, _, host)) => format!("{user}:***{host}"),
        None => url.to_string(),
    }
}

/// `message` (an error that may echo `url`) with `url`'s password replaced by `***`.
pub fn redact_in(message: &str, url: &str) -> String {
    match password_of(url) {
        Some((_, password, _)) if !password.is_empty() => message.replace(password, "***"),
        _ => message.to_string(),
    }
}

/// Why a PostgreSQL URL whose password holds an unencoded `@` is refused: the
/// database's client library splits it elsewhere than we do and would show the rest
/// of the password in its error. Said without the password.
pub(super) fn unencoded_at(url: &str) -> Option<String> {
    let (_, password, _) = password_of(url)?;
    password.contains('@').then(|| "the password holds an unencoded `@`; write it as %40".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password_even_with_an_at_sign_in_it() {
        assert_eq!(redact_url("postgres://app:s3cret@db/x"), "postgres://app:***@db/x");
        assert_eq!(redact_url("postgres://app:p@ss@word@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact_url("sqlite://dutyday.db"), "sqlite://dutyday.db");
        let url = "postgres://app:p@ss@word@db/x";
        assert_eq!(redact_in("could not connect as app:p@ss@word", url), "could not connect as app:***");
        // Such a URL is refused before anything connects, without showing it.
        let s = crate::config::Settings { database_url: url.into(), ..Default::default() };
        let e = s.check(std::path::Path::new("default.toml")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("database_url") && e.contains("%40") && !e.contains("ss@word"), "{e}");
    }
}
