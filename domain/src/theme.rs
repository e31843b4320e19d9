//! The hosted pages' template (MB-14): the merchant's colours as `#rrggbb`, readable
//! only (WCAG 2 contrast of at least 4.5:1 for the text on the background and the button
//! text on the primary colour), and the stylesheet the payer's pages load, written only
//! from checked colours so nothing typed reaches the CSS.

use std::fmt;

/// The WCAG AA contrast ratio for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Colour {
    /// `#rrggbb` (either case, blanks around ignored); `None` otherwise.
    pub fn parse(typed: &str) -> Option<Colour> {
        let hex = typed.trim().strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Colour {
            r: part(0)?,
            g: part(2)?,
            b: part(4)?,
        })
    }

    /// WCAG 2 relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// This colour darkened by a fifth (the button's hover).
    pub fn darker(self) -> Colour {
        let d = |c: u8| (u16::from(c) * 4 / 5) as u8;
        Colour {
            r: d(self.r),
            g: d(self.g),
            b: d(self.b),
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// WCAG 2 contrast ratio of two colours, 1 to 21, whichever is lighter.
pub fn contrast(a: Colour, b: Colour) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// A template's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Buttons and links.
    pub primary: Colour,
    /// The text on buttons.
    pub button_text: Colour,
    /// The page's background.
    pub background: Colour,
    /// The page's text.
    pub text: Colour,
}

/// The template the pages have when the merchant set none (the design system's).
pub const DEFAULT: Theme = Theme {
    primary: Colour {
        r: 0x1f,
        g: 0x4f,
        b: 0xd1,
    },
    button_text: Colour {
        r: 0xff,
        g: 0xff,
        b: 0xff,
    },
    background: Colour {
        r: 0xf6,
        g: 0xf8,
        b: 0xfb,
    },
    text: Colour {
        r: 0x1a,
        g: 0x22,
        b: 0x33,
    },
};

/// The fields of a template form.
pub const FIELDS: [&str; 4] = [
    "primary_colour",
    "button_text_colour",
    "background_colour",
    "text_colour",
];

/// What is wrong with a field of a template form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThemeError {
    /// Not `#rrggbb`.
    NotAColour,
    /// Too little contrast with its pair (the ratio found); named on the primary colour
    /// (button text on it) and on the text colour (text on the background).
    LowContrast(f64),
}

/// The colours typed for [`FIELDS`] (in that order), checked: each `#rrggbb`, then both
/// pairs readable. Every problem comes back with its field.
pub fn check(typed: [&str; 4]) -> Result<Theme, Vec<(&'static str, ThemeError)>> {
    let parsed: Vec<Option<Colour>> = typed.iter().map(|t| Colour::parse(t)).collect();
    let bad: Vec<_> = FIELDS
        .iter()
        .zip(&parsed)
        .filter(|(_, c)| c.is_none())
        .map(|(f, _)| (*f, ThemeError::NotAColour))
        .collect();
    let [Some(primary), Some(button_text), Some(background), Some(text)] = parsed[..] else {
        return Err(bad);
    };
    let theme = Theme {
        primary,
        button_text,
        background,
        text,
    };
    let mut problems = Vec::new();
    let button = contrast(primary, button_text);
    if button < MIN_CONTRAST {
        problems.push(("primary_colour", ThemeError::LowContrast(button)));
    }
    let body = contrast(text, background);
    if body < MIN_CONTRAST {
        problems.push(("text_colour", ThemeError::LowContrast(body)));
    }
    if problems.is_empty() {
        Ok(theme)
    } else {
        Err(problems)
    }
}

/// The stylesheet the payer's pages load after the design system's: its colour tokens,
/// over the light and the dark scheme alike (`:root:root` outweighs both).
pub fn stylesheet(theme: &Theme) -> String {
    format!(
        ":root:root {{\n  --primary: {p};\n  --primary-hover: {h};\n  --primary-text: {bt};\n  --bg: {bg};\n  --surface: {bg};\n  --text: {t};\n  --muted: {t};\n}}\n.pay-logo {{ display: block; max-width: 100%; max-height: 80px; width: auto; height: auto; }}\n",
        p = theme.primary,
        h = theme.primary.darker(),
        bt = theme.button_text,
        bg = theme.background,
        t = theme.text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> Colour {
        Colour::parse(s).unwrap()
    }

    #[test]
    fn colours_are_rrggbb() {
        assert_eq!(c("#1F4fd1"), DEFAULT.primary);
        assert_eq!(c(" #ffffff "), DEFAULT.button_text);
        for bad in [
            "",
            "#fff",
            "1f4fd1",
            "#1f4fd",
            "#1f4fd1f",
            "#gggggg",
            "#1f4fd1;}",
            "red",
        ] {
            assert_eq!(Colour::parse(bad), None, "{bad}");
        }
        assert_eq!(DEFAULT.primary.to_string(), "#1f4fd1");
    }

    #[test]
    fn contrast_follows_wcag() {
        let ratio = contrast(c("#000000"), c("#ffffff"));
        assert!((ratio - 21.0).abs() < 1e-9);
        assert!((contrast(c("#777777"), c("#777777")) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic lightest grey passing AA (4.54:1).
        assert!(contrast(c("#767676"), c("#ffffff")) >= MIN_CONTRAST);
        assert!(contrast(c("#777777"), c("#ffffff")) < MIN_CONTRAST);
    }

    #[test]
    fn the_default_template_passes() {
        let d = DEFAULT;
        let typed = [d.primary, d.button_text, d.background, d.text].map(|c| c.to_string());
        assert_eq!(
            check([&typed[0], &typed[1], &typed[2], &typed[3]]),
            Ok(DEFAULT)
        );
    }

    #[test]
    fn unreadable_pairs_are_named_on_their_field() {
        let err = check(["#ffff00", "#ffffff", "#ffffff", "#eeeeee"]).unwrap_err();
        let fields: Vec<_> = err.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["primary_colour", "text_colour"]);
        assert!(matches!(err[0].1, ThemeError::LowContrast(r) if r < MIN_CONTRAST));
        let err = check(["blue", "#ffffff", "#fff", "#000000"]).unwrap_err();
        assert_eq!(
            err,
            vec![
                ("primary_colour", ThemeError::NotAColour),
                ("background_colour", ThemeError::NotAColour)
            ]
        );
    }

    #[test]
    fn the_stylesheet_holds_the_colours() {
        let css = stylesheet(&DEFAULT);
        assert!(css.contains("--primary: #1f4fd1;"), "{css}");
        assert!(css.contains("--bg: #f6f8fb;"), "{css}");
    }

    proptest! {
        #[test]
        fn contrast_is_symmetric_and_bounded(a in any::<[u8; 3]>(), b in any::<[u8; 3]>()) {
            let a = Colour { r: a[0], g: a[1], b: a[2] };
            let b = Colour { r: b[0], g: b[1], b: b[2] };
            let ab = contrast(a, b);
            prop_assert!((ab - contrast(b, a)).abs() < 1e-12);
            prop_assert!((1.0..=21.0 + 1e-9).contains(&ab));
        }

        #[test]
        fn colours_round_trip(r: u8, g: u8, b: u8) {
            let colour = Colour { r, g, b };
            prop_assert_eq!(Colour::parse(&colour.to_string()), Some(colour));
        }

        #[test]
        fn accepted_templates_are_readable(typed in proptest::array::uniform4("#[0-9a-fA-F]{6}")) {
            if let Ok(theme) = check([&typed[0], &typed[1], &typed[2], &typed[3]]) {
                prop_assert!(contrast(theme.primary, theme.button_text) >= MIN_CONTRAST);
                prop_assert!(contrast(theme.text, theme.background) >= MIN_CONTRAST);
            }
        }

        #[test]
        fn nothing_typed_reaches_the_stylesheet(typed in proptest::array::uniform4("\\PC{0,12}")) {
            if let Ok(theme) = check([&typed[0], &typed[1], &typed[2], &typed[3]]) {
                let css = stylesheet(&theme);
                prop_assert!(!css.contains('<') && !css.contains('"') && !css.contains('\\'));
            }
        }
    }
}
