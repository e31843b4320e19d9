//! Knowledge-base search rules that do not depend on the database (SP-2, SP-9): which
//! words of a query are searched, how a mistyped word is corrected against the words the
//! articles contain, and how a highlighted snippet is cut into marked and plain parts.
//!
//! The index itself (stemming, ranking, snippets) is the database's full-text search;
//! the database marks matches with [`MARK_START`] and [`MARK_END`], characters no article
//! contains, so the page can show them without trusting any HTML.

use std::collections::HashMap;

/// Opens a highlighted match in a snippet.
pub const MARK_START: char = '\u{2}';
/// Closes a highlighted match in a snippet.
pub const MARK_END: char = '\u{3}';
/// Words of a query searched at most.
pub const MAX_TERMS: usize = 12;

/// Words too common to say anything about an article.
const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does", "for",
    "from", "get", "has", "have", "how", "i", "if", "in", "into", "is", "it", "me", "my", "no",
    "not", "of", "on", "or", "our", "should", "so", "that", "the", "their", "there", "this", "to",
    "us", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "would",
    "you", "your",
];

/// The words of `text`: lower-cased runs of letters and digits, as the index splits them.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether a word is too common to search for.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// The words a query searches for: no stop words, each once, at most [`MAX_TERMS`], each
/// at most 40 characters.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in words(query) {
        if is_stop_word(&word) || word.chars().count() > 40 || terms.contains(&word) {
            continue;
        }
        terms.push(word);
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

/// Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// Edits a word of this length may be off by: none up to 4 letters (`card` is not a
/// mistyped `cart`), one up to 8, then two.
pub fn tolerance(word: &str) -> usize {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The word of `vocabulary` (word → how often the articles use it) a mistyped `term`
/// stands for: `None` when the term is itself in the vocabulary or nothing is close
/// enough. The closest word wins, then the most used, then the first alphabetically.
pub fn correct(term: &str, vocabulary: &HashMap<String, u32>) -> Option<String> {
    if vocabulary.contains_key(term) {
        return None;
    }
    let allowed = tolerance(term);
    if allowed == 0 {
        return None;
    }
    let length = term.chars().count();
    vocabulary
        .iter()
        .filter(|(word, _)| word.chars().count().abs_diff(length) <= allowed)
        .map(|(word, uses)| (edit_distance(term, word), std::cmp::Reverse(*uses), word))
        .filter(|(distance, _, _)| *distance <= allowed)
        .min()
        .map(|(_, _, word)| word.clone())
}

/// Counts the words of `texts`, for [`correct`].
pub fn vocabulary<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for text in texts {
        for word in words(text) {
            if word.chars().count() <= 40 {
                *counts.entry(word).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Cuts a snippet marked by the index into parts, `true` for a highlighted one. Marks
/// that do not pair up are dropped.
pub fn highlights(snippet: &str) -> Vec<(String, bool)> {
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut marked = false;
    let mut flush = |text: &mut String, marked: bool| {
        if !text.is_empty() {
            parts.push((std::mem::take(text), marked));
        }
    };
    for c in snippet.chars() {
        match c {
            MARK_START if !marked => {
                flush(&mut current, false);
                marked = true;
            }
            MARK_END if marked => {
                flush(&mut current, true);
                marked = false;
            }
            MARK_START | MARK_END => {}
            c => current.push(c),
        }
    }
    flush(&mut current, marked);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vocab(words: &[(&str, u32)]) -> HashMap<String, u32> {
        words.iter().map(|(w, n)| ((*w).to_owned(), *n)).collect()
    }

    #[test]
    fn stop_words_are_sorted() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn query_terms_drop_stop_words_and_repeats() {
        assert_eq!(
            query_terms("How do I refund a payment? Refund!"),
            vec!["refund", "payment"]
        );
        assert_eq!(
            query_terms("OPENPSP_TERMINAL_LISTEN"),
            vec!["openpsp", "terminal", "listen"]
        );
        assert!(query_terms("  the a of ").is_empty());
        assert_eq!(query_terms(&"word ".repeat(3)).len(), 1);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("webhook", "webhook"), 0);
        assert_eq!(edit_distance("webhok", "webhook"), 1);
        assert_eq!(edit_distance("refnud", "refund"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn corrections() {
        let v = vocab(&[
            ("webhook", 9),
            ("refund", 5),
            ("refunds", 1),
            ("terminal", 4),
            ("card", 3),
        ]);
        assert_eq!(correct("webhok", &v).as_deref(), Some("webhook"));
        assert_eq!(correct("refnud", &v).as_deref(), Some("refund"));
        assert_eq!(correct("terminl", &v).as_deref(), Some("terminal"));
        assert_eq!(
            correct("termnl", &v),
            None,
            "two edits on six letters is too far"
        );
        assert_eq!(correct("refund", &v), None, "a known word stays");
        assert_eq!(correct("cart", &v), None, "short words are never corrected");
        assert_eq!(correct("zzzzzzz", &v), None);
    }

    #[test]
    fn highlighted_parts() {
        let snippet = format!("Create a {MARK_START}refund{MARK_END} from the payment");
        assert_eq!(
            highlights(&snippet),
            vec![
                ("Create a ".to_owned(), false),
                ("refund".to_owned(), true),
                (" from the payment".to_owned(), false),
            ]
        );
        assert_eq!(
            highlights(&format!("a{MARK_END}b")),
            vec![("ab".to_owned(), false)]
        );
    }

    proptest! {
        #[test]
        fn distance_is_a_metric_on_samples(a in "[a-e]{0,8}", b in "[a-e]{0,8}") {
            let d = edit_distance(&a, &b);
            prop_assert_eq!(d, edit_distance(&b, &a));
            prop_assert_eq!(d == 0, a == b);
            prop_assert!(d <= a.chars().count().max(b.chars().count()));
        }

        #[test]
        fn a_correction_is_a_close_known_word(
            term in "[a-f]{1,10}",
            words in proptest::collection::vec("[a-f]{1,10}", 0..30),
        ) {
            let v = vocabulary(words.iter().map(String::as_str));
            match correct(&term, &v) {
                Some(word) => {
                    prop_assert!(v.contains_key(&word));
                    prop_assert!(!v.contains_key(&term));
                    prop_assert!(edit_distance(&term, &word) <= tolerance(&term));
                }
                None => prop_assert!(
                    v.contains_key(&term)
                        || v.keys().all(|w| tolerance(&term) == 0
                            || edit_distance(&term, w) > tolerance(&term))
                ),
            }
        }

        #[test]
        fn highlights_keep_every_other_character(s in "[a-c\u{2}\u{3} ]{0,40}") {
            let joined: String = highlights(&s).into_iter().map(|(t, _)| t).collect();
            let expected: String = s.chars().filter(|c| *c != MARK_START && *c != MARK_END).collect();
            prop_assert_eq!(joined, expected);
        }

        #[test]
        fn query_terms_are_bounded(q in "\\PC{0,400}") {
            let terms = query_terms(&q);
            prop_assert!(terms.len() <= MAX_TERMS);
            prop_assert!(terms.iter().all(|t| !t.is_empty() && t.chars().all(char::is_alphanumeric)));
        }
    }
}
