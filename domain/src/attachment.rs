//! What a ticket attachment may be (SP-6): its size, and its type decided from its first
//! bytes — never from the name or what the browser claims — which must also agree with
//! the name's extension, so a program renamed `invoice.pdf` is refused.

/// Largest attachment, in bytes (10 MiB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Files in one upload at most.
pub const MAX_FILES: usize = 5;

/// Why a file is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No bytes.
    Empty,
    /// Over [`MAX_BYTES`].
    TooLarge,
    /// Content of a kind we do not accept (programs, archives of unknown kind, HTML …).
    Type,
    /// The content is of one accepted kind and the name says another.
    Disguised,
}

impl Refusal {
    /// Stable code, for URLs and messages.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Empty => "empty",
            Refusal::TooLarge => "too_large",
            Refusal::Type => "type",
            Refusal::Disguised => "disguised",
        }
    }
}

/// An accepted kind: its media type and the extensions a name may carry for it.
struct Kind {
    media_type: &'static str,
    extensions: &'static [&'static str],
}

const PNG: Kind = Kind {
    media_type: "image/png",
    extensions: &["png"],
};
const JPEG: Kind = Kind {
    media_type: "image/jpeg",
    extensions: &["jpg", "jpeg"],
};
const GIF: Kind = Kind {
    media_type: "image/gif",
    extensions: &["gif"],
};
const WEBP: Kind = Kind {
    media_type: "image/webp",
    extensions: &["webp"],
};
const PDF: Kind = Kind {
    media_type: "application/pdf",
    extensions: &["pdf"],
};
const ZIP: Kind = Kind {
    media_type: "application/zip",
    extensions: &["zip", "docx", "xlsx", "pptx", "odt", "ods"],
};
const TEXT: Kind = Kind {
    media_type: "text/plain; charset=utf-8",
    extensions: &["txt", "log", "csv", "json", "md", "xml"],
};

/// The kind the content is, from its first bytes.
fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(GIF)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(WEBP)
    } else if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some(ZIP)
    } else if is_text(bytes) {
        Some(TEXT)
    } else {
        None
    }
}

/// UTF-8 without NUL or control characters other than tab and line ends, and not HTML
/// (a browser told otherwise could still be talked into running it).
fn is_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let clean = crate::text::is_clean(text);
    let start = text
        .trim_start()
        .get(..64)
        .unwrap_or(text.trim_start())
        .to_ascii_lowercase();
    let html = [
        "<!doctype html",
        "<html",
        "<script",
        "<svg",
        "<?xml-stylesheet",
    ]
    .iter()
    .any(|tag| start.starts_with(tag));
    clean && !html
}

/// The media type to store and serve `bytes` under when named `name`, or why not.
pub fn check(name: &str, bytes: &[u8]) -> Result<&'static str, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let kind = sniff(bytes).ok_or(Refusal::Type)?;
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if kind.extensions.contains(&extension.as_str()) {
        Ok(kind.media_type)
    } else {
        Err(Refusal::Disguised)
    }
}

/// A file name safe to store and to put in a header: the last path part, without
/// control characters, quotes or backslashes, at most 120 characters; `file` if nothing
/// is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | ';'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let cut: String = if cleaned.chars().count() > 120 {
        // Keep the extension.
        let (stem, ext) = cleaned.rsplit_once('.').unwrap_or((cleaned, ""));
        let ext: String = ext.chars().take(10).collect();
        let stem: String = stem.chars().take(120 - ext.chars().count() - 1).collect();
        format!("{stem}.{ext}")
    } else {
        cleaned.to_owned()
    };
    if cut.is_empty() {
        "file".to_owned()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepted_kinds() {
        assert_eq!(check("shot.PNG", b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(check("a.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check("r.pdf", b"%PDF-1.7\n"), Ok("application/pdf"));
        assert_eq!(
            check("log.txt", b"2026-11-22 refused 05\n"),
            Ok("text/plain; charset=utf-8")
        );
        assert_eq!(
            check("export.csv", "é,ü\n".as_bytes()),
            Ok("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(check("a.txt", b""), Err(Refusal::Empty));
        assert_eq!(
            check("big.txt", &vec![b'a'; MAX_BYTES + 1]),
            Err(Refusal::TooLarge)
        );
        assert_eq!(
            check("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
            Err(Refusal::Type)
        );
        assert_eq!(
            check("invoice.pdf", b"MZ\x90\x00\x03\x00"),
            Err(Refusal::Type)
        );
        assert_eq!(check("invoice.pdf", b"just text"), Err(Refusal::Disguised));
        assert_eq!(check("photo.png", b"%PDF-1.4"), Err(Refusal::Disguised));
        assert_eq!(
            check("page.txt", b"<html><script>alert(1)</script>"),
            Err(Refusal::Type)
        );
        assert_eq!(check("noext", b"plain"), Err(Refusal::Disguised));
    }

    #[test]
    fn names() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\shot.png"), "shot.png");
        assert_eq!(clean_name("a\"b;\r\n.txt"), "ab.txt");
        assert_eq!(clean_name(".."), "file");
        let long = format!("{}.pdf", "x".repeat(300));
        assert!(clean_name(&long).ends_with(".pdf") && clean_name(&long).chars().count() <= 120);
    }

    proptest! {
        #[test]
        fn checking_never_panics(name in "\\PC{0,40}", bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = check(&name, &bytes);
            let cleaned = clean_name(&name);
            prop_assert!(!cleaned.is_empty() && cleaned.chars().count() <= 120);
            prop_assert!(!cleaned.contains('/') && !cleaned.contains('\\') && !cleaned.contains('"'));
        }

        #[test]
        fn a_program_is_never_accepted(name in "[a-z]{1,8}\\.(png|pdf|txt|zip|jpg)", tail in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut bytes = b"MZ\x90\x00".to_vec();
            bytes.extend(tail);
            prop_assert!(check(&name, &bytes).is_err());
        }
    }
}
