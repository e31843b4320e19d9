//! Query strings: the percent-encoding of a value, its decoding, and a query's decoded
//! pairs. Compiled for the browser and the server, so both write and read the same URLs.

/// Percent-encodes everything but unreserved characters (a query parameter's value).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes a query value: `+` is a space, `%XX` a byte; a stray `%` stays as it is.
pub fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded `(name, value)` pairs of a query string, with or without its `?`.
pub fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
}

/// Whether `target` is a page of this site named by its path (`/…`), so that sending a
/// browser there never leaves the site: not `//host…`, nor `/\host…`, which browsers
/// read as `//host…`.
pub fn is_local_path(target: &str) -> bool {
    let mut chars = target.chars();
    chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'))
}

/// `path` (a path and its query) without query parameter `name`, the rest as it was.
pub fn without_param(path: &str, name: &str) -> String {
    let Some((page, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split_once('=').map_or(*p, |(k, _)| k) != name)
        .collect();
    if kept.is_empty() {
        page.to_owned()
    } else {
        format!("{page}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_decodes() {
        assert_eq!(encode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(decode("a%20b%26c%3Dd%2F%C3%A9~"), "a b&c=d/é~");
        assert_eq!(decode("a+b"), "a b");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        let got: Vec<_> = pairs("?a=1&&b&c=x%20y").collect();
        assert_eq!(
            got,
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), String::new()),
                ("c".to_owned(), "x y".to_owned())
            ]
        );
    }

    #[test]
    fn a_local_path_stays_on_the_site() {
        for local in ["/", "/support", "/p?a=//b", "/p/\\q"] {
            assert!(is_local_path(local), "{local}");
        }
        for away in [
            "",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "p",
        ] {
            assert!(!is_local_path(away), "{away}");
        }
    }

    #[test]
    fn drops_one_parameter() {
        assert_eq!(without_param("/?time-zone", "time-zone"), "/");
        assert_eq!(
            without_param("/p?a=1&time-zone=&b", "time-zone"),
            "/p?a=1&b"
        );
        assert_eq!(
            without_param("/p?time-zones=1", "time-zone"),
            "/p?time-zones=1"
        );
        assert_eq!(without_param("/p", "time-zone"), "/p");
    }
}
