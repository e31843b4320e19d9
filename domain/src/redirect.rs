//! Redirect payments and wallets in TEST (issue 16): what the simulated bank answers
//! when the payer approves on its page, and which wallet buttons a payment page shows.
//!
//! The bank's answer follows the amount, as the card table does (HP-5): an amount whose
//! minor units end in 05 (12.05, 0.05) is refused by the bank; every other amount is
//! approved. A payer who presses Cancel cancels whatever the amount.

use serde::{Deserialize, Serialize};

/// What the payer did on the bank's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Pressed Approve.
    Approve,
    /// Pressed Cancel.
    Cancel,
}

impl Decision {
    /// The form's value.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Cancel => "cancel",
        }
    }

    /// From the form's value.
    pub fn parse(code: &str) -> Option<Decision> {
        [Decision::Approve, Decision::Cancel]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// What the simulated bank answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BankOutcome {
    /// Paid: the money is taken at once (a redirect payment is a sale).
    Approved,
    /// The bank refused the payment.
    Refused,
    /// The payer cancelled on the bank's page.
    Cancelled,
}

impl BankOutcome {
    /// The stored code of a decided bank session.
    pub fn code(self) -> &'static str {
        match self {
            BankOutcome::Approved => "approved",
            BankOutcome::Refused => "refused",
            BankOutcome::Cancelled => "cancelled",
        }
    }

    /// From its stored code.
    pub fn parse(code: &str) -> Option<BankOutcome> {
        [
            BankOutcome::Approved,
            BankOutcome::Refused,
            BankOutcome::Cancelled,
        ]
        .into_iter()
        .find(|o| o.code() == code)
    }
}

/// The refusal code a refused bank payment carries.
pub const BANK_REFUSAL_CODE: &str = "05";

/// The amount ending (minor units modulo 100) the bank refuses.
pub const REFUSED_ENDING: i64 = 5;

/// The simulated bank's answer to `decision` on a payment of `amount` minor units.
pub fn bank_outcome(amount: i64, decision: Decision) -> BankOutcome {
    match decision {
        Decision::Cancel => BankOutcome::Cancelled,
        Decision::Approve if amount.rem_euclid(100) == REFUSED_ENDING => BankOutcome::Refused,
        Decision::Approve => BankOutcome::Approved,
    }
}

/// Whether a `User-Agent` is a phone's or a tablet's browser (Google Pay "on mobile"),
/// by the words mobile browsers put in it.
pub fn is_mobile_user_agent(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ["mobile", "android", "iphone", "ipad", "ipod"]
        .iter()
        .any(|w| ua.contains(w))
}

/// The wallet switches of a merchant (MB-15).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletSwitches {
    /// Google Pay in a desktop browser.
    pub google_pay_browser: bool,
    /// Google Pay on a phone or tablet.
    pub google_pay_mobile: bool,
    /// Apple Pay (in TEST shown whatever the browser: no Safari check).
    pub apple_pay: bool,
}

impl WalletSwitches {
    /// Whether the Google Pay button is shown to a payer whose browser sent
    /// `user_agent`: the mobile switch for a mobile browser, the browser one otherwise.
    pub fn google_pay_for(&self, user_agent: &str) -> bool {
        if is_mobile_user_agent(user_agent) {
            self.google_pay_mobile
        } else {
            self.google_pay_browser
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_ending_in_05_are_refused_and_cancel_always_cancels() {
        assert_eq!(bank_outcome(1205, Decision::Approve), BankOutcome::Refused);
        assert_eq!(bank_outcome(5, Decision::Approve), BankOutcome::Refused);
        assert_eq!(bank_outcome(1200, Decision::Approve), BankOutcome::Approved);
        assert_eq!(bank_outcome(1215, Decision::Approve), BankOutcome::Approved);
        assert_eq!(bank_outcome(1205, Decision::Cancel), BankOutcome::Cancelled);
    }

    #[test]
    fn codes_round_trip() {
        for d in [Decision::Approve, Decision::Cancel] {
            assert_eq!(Decision::parse(d.code()), Some(d));
        }
        for o in [
            BankOutcome::Approved,
            BankOutcome::Refused,
            BankOutcome::Cancelled,
        ] {
            assert_eq!(BankOutcome::parse(o.code()), Some(o));
        }
        assert_eq!(Decision::parse("APPROVE"), None);
    }

    #[test]
    fn mobile_browsers_get_the_mobile_switch() {
        let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        let desktop =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)";
        assert!(is_mobile_user_agent(pixel) && is_mobile_user_agent(iphone));
        assert!(!is_mobile_user_agent(desktop));
        let browser_only = WalletSwitches {
            google_pay_browser: true,
            ..WalletSwitches::default()
        };
        assert!(browser_only.google_pay_for(desktop));
        assert!(!browser_only.google_pay_for(pixel));
        let mobile_only = WalletSwitches {
            google_pay_mobile: true,
            ..WalletSwitches::default()
        };
        assert!(mobile_only.google_pay_for(pixel));
        assert!(!mobile_only.google_pay_for(desktop));
    }

    proptest! {
        #[test]
        fn approval_depends_only_on_the_last_two_digits(amount in 0i64..100_000_000) {
            let outcome = bank_outcome(amount, Decision::Approve);
            prop_assert_eq!(outcome == BankOutcome::Refused, amount % 100 == 5);
            prop_assert_eq!(bank_outcome(amount, Decision::Cancel), BankOutcome::Cancelled);
        }

        #[test]
        fn a_switch_off_never_shows_google_pay(ua in ".{0,80}") {
            prop_assert!(!WalletSwitches::default().google_pay_for(&ua));
        }
    }
}
