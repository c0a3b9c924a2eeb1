//! Identifier quoting and table-name globs.

use super::Backend;

/// `name` quoted for `backend`: `"a""b"` for PostgreSQL and SQLite,
/// `` `a``b` `` for MySQL. Every identifier in generated SQL goes through here.
pub fn quote(backend: Backend, name: &str) -> String {
    crate::output::Dialect::from(backend).quote(name)
}

/// `schema.table` quoted, or just the table when there is no schema part.
pub(crate) fn qualified(backend: Backend, schema: &str, table: &str) -> String {
    if schema.is_empty() {
        quote(backend, table)
    } else {
        format!("{}.{}", quote(backend, schema), quote(backend, table))
    }
}

/// Whether table `name` is picked by `--include` globs (all when there
/// are none) and not dropped by an `--exclude` glob.
pub fn selected(name: &str, include: &[String], exclude: &[String]) -> bool {
    (include.is_empty() || include.iter().any(|g| glob_match(g, name)))
        && !exclude.iter().any(|g| glob_match(g, name))
}

/// Shell-style glob: `*` any run of characters, `?` one character,
/// everything else literal. Matches the whole name.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with one backtrack point for the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_double_the_quote_character() {
        assert_eq!(quote(Backend::Postgres, "we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote(Backend::MySql, "we`ird"), "`we``ird`");
        assert_eq!(quote(Backend::Sqlite, "order"), "\"order\"");
        assert_eq!(quote(Backend::MySql, "it's"), "`it's`");
    }

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_match("*", "orders"));
        assert!(glob_match("ord*", "orders"));
        assert!(glob_match("*_log", "audit_log"));
        assert!(!glob_match("*_log", "audit_logs"));
        assert!(glob_match("t?", "t1"));
        assert!(!glob_match("t?", "t12"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("order", "order"));
    }
}
