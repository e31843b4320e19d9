//! The merchant's notification e-mails (MB-15): a comma-separated list, each address
//! checked and normalised by [`crate::account::parse_email`], duplicates (whatever
//! their case) dropped.

/// Most addresses a list may hold.
pub const MAX_ADDRESSES: usize = 10;

/// Why a list is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListError {
    /// An entry (0-based, among the non-empty ones) is not an e-mail address.
    Invalid(usize),
    /// More than [`MAX_ADDRESSES`].
    TooMany,
}

/// The addresses of `typed` (commas or semicolons, blanks ignored), normalised and
/// without duplicates, in the order typed; an empty list when nothing is typed.
pub fn parse_list(typed: &str) -> Result<Vec<String>, ListError> {
    let mut out: Vec<String> = Vec::new();
    for (i, entry) in typed
        .split([',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .enumerate()
    {
        let address = crate::account::parse_email(entry).map_err(|_| ListError::Invalid(i))?;
        // Local parts keep their case; the same address typed twice is one.
        if !out.iter().any(|a| a.eq_ignore_ascii_case(&address)) {
            out.push(address);
        }
    }
    if out.len() > MAX_ADDRESSES {
        return Err(ListError::TooMany);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lists_are_split_checked_and_deduplicated() {
        assert_eq!(parse_list(""), Ok(vec![]));
        assert_eq!(parse_list(" , ;"), Ok(vec![]));
        let list = parse_list("a@shop.example, b@shop.example;a@shop.example").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            parse_list("Ops@Shop.example; ops@shop.example"),
            Ok(vec!["Ops@shop.example".to_owned()])
        );
        assert_eq!(
            parse_list("a@shop.example, nope"),
            Err(ListError::Invalid(1))
        );
        assert_eq!(parse_list("a b@shop.example"), Err(ListError::Invalid(0)));
        let many: Vec<String> = (0..11).map(|i| format!("u{i}@shop.example")).collect();
        assert_eq!(parse_list(&many.join(",")), Err(ListError::TooMany));
    }

    proptest! {
        #[test]
        fn a_parsed_list_parses_to_itself(typed in "[a-z@., ;]{0,60}") {
            if let Ok(list) = parse_list(&typed) {
                prop_assert!(list.len() <= MAX_ADDRESSES);
                prop_assert_eq!(parse_list(&list.join(",")), Ok(list.clone()));
            }
        }
    }
}
