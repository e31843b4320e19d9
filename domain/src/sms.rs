//! SMS notifications to the customer (MB-15): the customer's mobile number in E.164 and
//! the short texts sent on a successful payment and a refund, in the payment page's
//! language. The texts never carry card data.

use crate::lang::Lang;

/// Fewest digits after the `+` of a number accepted here.
pub const MIN_DIGITS: usize = 8;
/// Most digits E.164 allows.
pub const MAX_DIGITS: usize = 15;

/// A mobile number as typed (`+`, then 8–15 digits; spaces, dots, dashes and
/// parentheses between them are dropped), normalised to `+digits`; `None` when it is not
/// one. A leading zero after the `+` is no country code and is refused.
pub fn parse_e164(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let rest = typed.strip_prefix('+')?;
    let mut digits = String::with_capacity(MAX_DIGITS + 1);
    digits.push('+');
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return None,
        }
    }
    let count = digits.len() - 1;
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&count) || digits.as_bytes()[1] == b'0' {
        return None;
    }
    Some(digits)
}

/// What an SMS tells the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The payment succeeded.
    Paid,
    /// (Part of) the payment was refunded.
    Refunded,
}

/// The text of an SMS: what happened, the amount (already written in `lang`), the
/// merchant's name and reference; at most 160 characters (one SMS), the merchant's name
/// and the reference cut when needed.
pub fn text(lang: Lang, notice: Notice, amount: &str, merchant: &str, reference: &str) -> String {
    let merchant: String = merchant.chars().take(40).collect();
    let reference: String = reference.chars().take(30).collect();
    let what = match (notice, lang) {
        (Notice::Paid, Lang::En) => format!("Your payment of {amount} to {merchant} succeeded."),
        (Notice::Paid, Lang::Fr) => format!("Votre paiement de {amount} à {merchant} a réussi."),
        (Notice::Paid, Lang::Nl) => format!("Uw betaling van {amount} aan {merchant} is gelukt."),
        (Notice::Paid, Lang::De) => {
            format!("Ihre Zahlung von {amount} an {merchant} war erfolgreich.")
        }
        (Notice::Paid, Lang::Es) => format!("Su pago de {amount} a {merchant} se ha realizado."),
        (Notice::Paid, Lang::It) => {
            format!("Il suo pagamento di {amount} a {merchant} è riuscito.")
        }
        (Notice::Refunded, Lang::En) => format!("{merchant} refunded {amount} to you."),
        (Notice::Refunded, Lang::Fr) => format!("{merchant} vous a remboursé {amount}."),
        (Notice::Refunded, Lang::Nl) => format!("{merchant} heeft u {amount} terugbetaald."),
        (Notice::Refunded, Lang::De) => format!("{merchant} hat Ihnen {amount} erstattet."),
        (Notice::Refunded, Lang::Es) => format!("{merchant} le ha reembolsado {amount}."),
        (Notice::Refunded, Lang::It) => format!("{merchant} le ha rimborsato {amount}."),
    };
    let text = if reference.is_empty() {
        what
    } else {
        let label = match lang {
            Lang::En => "Ref.",
            Lang::Fr => "Réf.",
            Lang::Nl => "Ref.",
            Lang::De => "Ref.",
            Lang::Es => "Ref.",
            Lang::It => "Rif.",
        };
        format!("{what} {label} {reference}")
    };
    text.chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_e164() {
        assert_eq!(parse_e164("+32470123456").as_deref(), Some("+32470123456"));
        assert_eq!(
            parse_e164(" +32 (470) 12-34.56 ").as_deref(),
            Some("+32470123456")
        );
        assert_eq!(parse_e164("+12345678").as_deref(), Some("+12345678"));
        assert_eq!(
            parse_e164("+123456789012345").as_deref(),
            Some("+123456789012345")
        );
        for bad in [
            "",
            "32470123456",
            "+",
            "+1234567",
            "+1234567890123456",
            "+0470123456",
            "+32 470 12a456",
            "++32470123456",
            "+32/470123456",
        ] {
            assert_eq!(parse_e164(bad), None, "{bad}");
        }
    }

    #[test]
    fn texts_speak_the_page_language_and_fit_one_sms() {
        let en = text(Lang::En, Notice::Paid, "€12.50", "Shop", "ORDER-1");
        assert_eq!(en, "Your payment of €12.50 to Shop succeeded. Ref. ORDER-1");
        let fr = text(Lang::Fr, Notice::Refunded, "12,50 €", "Shop", "");
        assert_eq!(fr, "Shop vous a remboursé 12,50 €.");
        let long = text(
            Lang::De,
            Notice::Paid,
            "€1",
            &"M".repeat(500),
            &"R".repeat(500),
        );
        assert!(long.chars().count() <= 160);
    }

    proptest! {
        #[test]
        fn accepted_numbers_are_plus_and_8_to_15_digits(typed in "\\PC{0,30}") {
            if let Some(n) = parse_e164(&typed) {
                prop_assert!(n.starts_with('+'));
                prop_assert!((MIN_DIGITS..=MAX_DIGITS).contains(&(n.len() - 1)));
                prop_assert!(n[1..].bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(parse_e164(&n), Some(n.clone()));
            }
        }

        #[test]
        fn every_plain_e164_number_is_kept(n in "[1-9][0-9]{7,14}") {
            let typed = format!("+{n}");
            prop_assert_eq!(parse_e164(&typed), Some(typed.clone()));
        }

        #[test]
        fn texts_are_short(amount in "\\PC{0,20}", merchant in "\\PC{0,80}", reference in "\\PC{0,80}") {
            for lang in Lang::ALL {
                for notice in [Notice::Paid, Notice::Refunded] {
                    prop_assert!(text(lang, notice, &amount, &merchant, &reference).chars().count() <= 160);
                }
            }
        }
    }
}
