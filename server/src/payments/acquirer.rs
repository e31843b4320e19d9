//! The acquirer port (PE-5) and the simulated acquirer that answers per the HP-5 test
//! card table. Real connectors implement [`Acquirer`] too.

use async_trait::async_trait;
use domain::card::{test_outcome_on_attempt, Brand, CardNumber, TestOutcome};
use domain::money::Money;

/// What an authorisation asks.
pub struct AuthRequest<'a> {
    /// The card (kept in memory only for this call).
    pub card: &'a CardNumber,
    /// Amount and currency.
    pub amount: Money,
    /// Whether the payer passed a 3-D Secure challenge for this payment.
    pub challenge_passed: bool,
    /// Our reference for this attempt, committed before the acquirer is asked: if the
    /// answer is lost, [`Acquirer::inquire`] is asked about it.
    pub reference: &'a str,
    /// Attempts already made for this payment (0 for its first).
    pub attempt: u32,
}

/// The acquirer's answer to an authorisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthResult {
    /// Approved.
    Approved(Approval),
    /// The issuer wants a 3-D Secure challenge first.
    ChallengeRequired,
    /// Refused.
    Declined {
        /// ISO 8583 refusal code.
        code: String,
        /// Its meaning.
        reason: String,
        /// Retrieval reference number.
        rrn: String,
    },
    /// No answer in time: the result is unknown until [`Acquirer::inquire`] says.
    Timeout {
        /// Retrieval reference number to ask about later.
        rrn: String,
    },
    /// The request never reached the acquirer (connection refused): nothing was
    /// authorised. The merchant's processing mode says whether the payment is refused or
    /// its authorisation queued (`payments::engine::offline`); in the offline mode every
    /// authorisation is queued this way without asking.
    NotReached,
}

/// The references of an approval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    /// Six-character authorisation code.
    pub authorisation_code: String,
    /// Twelve-digit retrieval reference number.
    pub rrn: String,
    /// Terminal id of the acquirer.
    pub terminal_id: String,
    /// Electronic commerce indicator.
    pub eci: String,
}

/// What the acquirer says of a capture, refund or cancellation whose answer was lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeInquiry {
    /// It was done; the acquirer's reference.
    Done(String),
    /// It was refused, or never reached the acquirer.
    NotDone(String),
    /// Not known yet: ask again later.
    Unknown,
}

/// An acquirer. Every request carries our reference (committed before the request is
/// sent), so an answer lost in a crash can be asked about instead of asked for again.
#[async_trait]
pub trait Acquirer: Send + Sync {
    /// Asks for an authorisation.
    async fn authorise(&self, request: AuthRequest<'_>) -> AuthResult;
    /// Captures part of the authorisation `rrn`; returns the acquirer's reference.
    async fn capture(&self, rrn: &str, amount: Money, reference: &str) -> Result<String, String>;
    /// Refunds; returns the acquirer's reference.
    async fn refund(&self, rrn: &str, amount: Money, reference: &str) -> Result<String, String>;
    /// Releases an authorisation.
    async fn cancel(&self, rrn: &str, reference: &str) -> Result<(), String>;
    /// Asks what became of an authorisation whose answer was lost (by the reference it
    /// was asked with, or the acquirer's reference of a timeout): `None` while unknown.
    async fn inquire(&self, reference: &str) -> Option<AuthResult>;
    /// Asks what became of the capture, refund or cancellation sent with `reference`.
    async fn inquire_change(&self, reference: &str) -> ChangeInquiry;
}

/// Answers like a real acquirer would for the TEST cards (HP-5).
#[derive(Clone, Debug, Default)]
pub struct SimulatedAcquirer;

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
const DIGITS: &[u8] = b"0123456789";

fn new_rrn() -> String {
    crate::platform::crypto::random_from(DIGITS, 12)
}

impl SimulatedAcquirer {
    fn approval(eci: &str) -> AuthResult {
        AuthResult::Approved(Approval {
            authorisation_code: crate::platform::crypto::random_from(CODE_ALPHABET, 6),
            rrn: new_rrn(),
            terminal_id: "OPSP0001".to_owned(),
            eci: eci.to_owned(),
        })
    }
}

#[async_trait]
impl Acquirer for SimulatedAcquirer {
    async fn authorise(&self, request: AuthRequest<'_>) -> AuthResult {
        match test_outcome_on_attempt(request.card, request.amount, request.attempt) {
            TestOutcome::Approved { eci } => Self::approval(eci),
            TestOutcome::Challenge { .. } if !request.challenge_passed => {
                AuthResult::ChallengeRequired
            }
            TestOutcome::Challenge { .. } => Self::approval(match request.card.brand() {
                Brand::Mastercard => "02",
                _ => "05",
            }),
            TestOutcome::Declined { code, reason } => AuthResult::Declined {
                code: code.to_owned(),
                reason: reason.to_owned(),
                rrn: new_rrn(),
            },
            // The simulated issuer answers late: the inquiry finds it approved.
            TestOutcome::Timeout => AuthResult::Timeout { rrn: new_rrn() },
            // Down on the payment's first attempt, back for the next ones.
            TestOutcome::Unreachable => AuthResult::NotReached,
        }
    }

    async fn capture(&self, _rrn: &str, _amount: Money, _: &str) -> Result<String, String> {
        Ok(new_rrn())
    }

    async fn refund(&self, _rrn: &str, _amount: Money, _: &str) -> Result<String, String> {
        Ok(new_rrn())
    }

    async fn cancel(&self, _rrn: &str, _: &str) -> Result<(), String> {
        Ok(())
    }

    // The simulated acquirer does every capture, refund and cancellation it is sent.
    async fn inquire_change(&self, _reference: &str) -> ChangeInquiry {
        ChangeInquiry::Done(new_rrn())
    }

    async fn inquire(&self, rrn: &str) -> Option<AuthResult> {
        Some(AuthResult::Approved(Approval {
            authorisation_code: crate::platform::crypto::random_from(CODE_ALPHABET, 6),
            rrn: rrn.to_owned(),
            terminal_id: "OPSP0001".to_owned(),
            eci: "05".to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::parse("EUR").unwrap()).unwrap()
    }

    async fn answer(number: &str, minor: i64, challenge_passed: bool) -> AuthResult {
        let card = CardNumber::parse(number).unwrap();
        SimulatedAcquirer
            .authorise(AuthRequest {
                card: &card,
                amount: eur(minor),
                challenge_passed,
                reference: "000000000001",
                attempt: 0,
            })
            .await
    }

    #[tokio::test]
    async fn answers_follow_the_test_card_table() {
        match answer("4111111111111111", 1000, false).await {
            AuthResult::Approved(a) => {
                assert_eq!(a.authorisation_code.len(), 6);
                assert_eq!(a.rrn.len(), 12);
                assert_eq!(a.eci, "05");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            answer("4000000000001091", 1000, false).await,
            AuthResult::ChallengeRequired
        );
        assert!(matches!(
            answer("5200000000001096", 1000, true).await,
            AuthResult::Approved(Approval { ref eci, .. }) if eci == "02"
        ));
        assert!(matches!(
            answer("4000000000009995", 1000, false).await,
            AuthResult::Declined { ref code, .. } if code == "51"
        ));
        assert!(matches!(
            answer("4000000000000119", 1000, false).await,
            AuthResult::Timeout { .. }
        ));
        assert_eq!(
            answer("4000000000009102", 1000, false).await,
            AuthResult::NotReached
        );
        assert!(matches!(
            answer("4012888888881881", 100_000, false).await,
            AuthResult::Declined { ref code, .. } if code == "61"
        ));
    }
}
