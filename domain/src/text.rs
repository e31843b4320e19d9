//! Free text typed by a person or sent by a caller: what may be stored and shown.

/// Whether `text` holds no control character other than tab and line ends. A NUL
/// cannot be stored in PostgreSQL at all, and the other controls (bell, escape,
/// backspace …) are never typed on purpose: they only garble exports and logs.
pub fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::is_clean;
    use proptest::prelude::*;

    #[test]
    fn tabs_and_line_ends_are_text_other_controls_are_not() {
        assert!(is_clean("Order 42\tline 1\r\nline 2 — café ✓"));
        assert!(is_clean(""));
        for bad in ["a\u{0}b", "\u{7}", "x\u{1b}[31m", "\u{7f}", "\u{85}"] {
            assert!(!is_clean(bad), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn printable_text_is_clean(s in "[^\\p{Cc}]*") {
            prop_assert!(is_clean(&s));
        }

        #[test]
        fn a_control_anywhere_makes_it_unclean(
            before in "[^\\p{Cc}]{0,12}",
            c in prop::char::range('\u{0}', '\u{1f}').prop_filter("tab and line ends are text", |c| !matches!(c, '\t' | '\n' | '\r')),
            after in "\\PC{0,12}",
        ) {
            let text = format!("{before}{c}{after}");
            prop_assert!(!is_clean(&text));
        }
    }
}
