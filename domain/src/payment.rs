//! The payment state machine (PE-1): one ledger of authorised, captured and refunded
//! amounts, the operations with their preconditions, and the mappings to the Direct API
//! (`status`, `statusCode`, `statusCategory`, flags) and to back-office labels.

use serde::{Deserialize, Serialize};

/// Where a payment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// Created, nothing asked of the acquirer yet.
    Created,
    /// The payer was sent to a page (hosted checkout, 3-D Secure).
    Redirected,
    /// The acquirer did not answer: the result is unknown (92) until resolved.
    Uncertain,
    /// Authorised: amounts may be captured, cancelled, refunded.
    Authorised,
    /// Refused by the acquirer or by fraud rules.
    Rejected,
    /// Cancelled before any capture.
    Cancelled,
    /// Never paid within the session duration.
    Expired,
}

/// Why an operation is not allowed now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PaymentError {
    /// The payment is not in a stage that allows it.
    #[error("not allowed in the payment's current status")]
    WrongStatus,
    /// Zero or negative amount.
    #[error("the amount must be above zero")]
    NotPositive,
    /// More than may be captured (authorised plus the over-capture allowance).
    #[error("the amount exceeds what may be captured")]
    OverCapture,
    /// More than captured minus refunded.
    #[error("the amount exceeds what may be refunded")]
    OverRefund,
    /// Stored amounts that no ledger can reach.
    #[error("the stored ledger is inconsistent")]
    Inconsistent,
}

impl Stage {
    /// Every stage.
    pub const ALL: [Stage; 7] = [
        Stage::Created,
        Stage::Redirected,
        Stage::Uncertain,
        Stage::Authorised,
        Stage::Rejected,
        Stage::Cancelled,
        Stage::Expired,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Created => "created",
            Stage::Redirected => "redirected",
            Stage::Uncertain => "uncertain",
            Stage::Authorised => "authorised",
            Stage::Rejected => "rejected",
            Stage::Cancelled => "cancelled",
            Stage::Expired => "expired",
        }
    }

    /// The stage of a stored code.
    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A payment's ledger. Amounts are minor units of the payment's currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    stage: Stage,
    amount: i64,
    authorised: i64,
    captured: i64,
    refunded: i64,
    capture_closed: bool,
}

/// Back-office label (seed 002).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Label {
    /// Not paid yet.
    New,
    /// Authorised, nothing captured.
    Uncaptured,
    /// Captured.
    Succeeded,
    /// Refused.
    Declined,
    /// Cancelled.
    Cancelled,
    /// Part of the captured amount refunded.
    PartialRefund,
    /// Everything captured was refunded.
    Refunded,
    /// Never paid.
    Expired,
}

impl Label {
    /// Every label, in the order the back office lists them.
    pub const ALL: [Label; 8] = [
        Label::New,
        Label::Uncaptured,
        Label::Succeeded,
        Label::Declined,
        Label::Cancelled,
        Label::PartialRefund,
        Label::Refunded,
        Label::Expired,
    ];

    /// Stable code (URLs, exports).
    pub fn code(self) -> &'static str {
        match self {
            Label::New => "new",
            Label::Uncaptured => "uncaptured",
            Label::Succeeded => "succeeded",
            Label::Declined => "declined",
            Label::Cancelled => "cancelled",
            Label::PartialRefund => "partial_refund",
            Label::Refunded => "refunded",
            Label::Expired => "expired",
        }
    }

    /// The label of a code.
    pub fn parse(code: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// What the Direct API reports for a payment (`statusOutput`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectStatus {
    /// `status`.
    pub status: &'static str,
    /// `statusOutput.statusCategory`.
    pub category: &'static str,
    /// `statusOutput.statusCode`.
    pub code: u32,
    /// `statusOutput.isCancellable`.
    pub is_cancellable: bool,
    /// `statusOutput.isRefundable`.
    pub is_refundable: bool,
    /// `statusOutput.isAuthorized`.
    pub is_authorized: bool,
}

impl Payment {
    /// A new payment for `amount`.
    pub fn new(amount: i64) -> Result<Payment, PaymentError> {
        if amount <= 0 {
            return Err(PaymentError::NotPositive);
        }
        Ok(Payment {
            stage: Stage::Created,
            amount,
            authorised: 0,
            captured: 0,
            refunded: 0,
            capture_closed: false,
        })
    }

    /// A stored ledger, checked: amounts never negative, refunds within captures, money
    /// moved only once authorised.
    pub fn restore(
        stage: Stage,
        amount: i64,
        authorised: i64,
        captured: i64,
        refunded: i64,
        capture_closed: bool,
    ) -> Result<Payment, PaymentError> {
        let consistent = amount > 0
            && authorised >= 0
            && captured >= 0
            && refunded >= 0
            && refunded <= captured
            && (stage == Stage::Authorised || captured == 0)
            && (authorised > 0 || captured == 0);
        if !consistent {
            return Err(PaymentError::Inconsistent);
        }
        Ok(Payment {
            stage,
            amount,
            authorised,
            captured,
            refunded,
            capture_closed,
        })
    }

    /// Whether capturing is over (final capture, full capture, refund or release).
    pub fn capture_closed(&self) -> bool {
        self.capture_closed
    }

    /// Current stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }
    /// Amount asked.
    pub fn amount(&self) -> i64 {
        self.amount
    }
    /// Amount authorised.
    pub fn authorised(&self) -> i64 {
        self.authorised
    }
    /// Amount captured so far.
    pub fn captured(&self) -> i64 {
        self.captured
    }
    /// Amount refunded so far.
    pub fn refunded(&self) -> i64 {
        self.refunded
    }

    /// Whether nothing can happen to the payment any more.
    pub fn is_terminal(&self) -> bool {
        match self.stage {
            Stage::Rejected | Stage::Cancelled | Stage::Expired => true,
            Stage::Authorised => {
                self.capture_closed && self.captured > 0 && self.refunded == self.captured
            }
            _ => false,
        }
    }

    fn awaiting_result(&self) -> bool {
        matches!(
            self.stage,
            Stage::Created | Stage::Redirected | Stage::Uncertain
        )
    }

    /// The payer was sent to a page.
    pub fn redirect(&mut self) -> Result<(), PaymentError> {
        if self.stage != Stage::Created {
            return Err(PaymentError::WrongStatus);
        }
        self.stage = Stage::Redirected;
        Ok(())
    }

    /// The acquirer authorised the full amount.
    pub fn authorise(&mut self) -> Result<(), PaymentError> {
        if !self.awaiting_result() {
            return Err(PaymentError::WrongStatus);
        }
        self.stage = Stage::Authorised;
        self.authorised = self.amount;
        Ok(())
    }

    /// The acquirer or a fraud rule refused it.
    pub fn reject(&mut self) -> Result<(), PaymentError> {
        if !self.awaiting_result() {
            return Err(PaymentError::WrongStatus);
        }
        self.stage = Stage::Rejected;
        Ok(())
    }

    /// The acquirer did not answer.
    pub fn mark_uncertain(&mut self) -> Result<(), PaymentError> {
        if !matches!(self.stage, Stage::Created | Stage::Redirected) {
            return Err(PaymentError::WrongStatus);
        }
        self.stage = Stage::Uncertain;
        Ok(())
    }

    /// The session ended unpaid.
    pub fn expire(&mut self) -> Result<(), PaymentError> {
        if !matches!(self.stage, Stage::Created | Stage::Redirected) {
            return Err(PaymentError::WrongStatus);
        }
        self.stage = Stage::Expired;
        Ok(())
    }

    /// The reservation period of an uncaptured authorisation ended: the funds are
    /// released and the payment is expired (Direct: CANCELLED, 6). Never once anything
    /// was captured, refunded or capturing closed.
    pub fn expire_authorisation(&mut self) -> Result<(), PaymentError> {
        if self.stage != Stage::Authorised || self.captured > 0 || self.capture_closed {
            return Err(PaymentError::WrongStatus);
        }
        self.stage = Stage::Expired;
        Ok(())
    }

    /// Most that may still be captured, with `over_capture_percent` allowance.
    pub fn capturable(&self, over_capture_percent: u32) -> i64 {
        if self.stage != Stage::Authorised || self.capture_closed {
            return 0;
        }
        let limit = self.authorised * (100 + i64::from(over_capture_percent)) / 100;
        (limit - self.captured).max(0)
    }

    /// Captures `amount`; `is_final` closes capturing (the rest of the authorisation is
    /// released). Capturing the whole authorisation closes it too.
    pub fn capture(
        &mut self,
        amount: i64,
        is_final: bool,
        over_capture_percent: u32,
    ) -> Result<(), PaymentError> {
        if amount <= 0 {
            return Err(PaymentError::NotPositive);
        }
        if self.stage != Stage::Authorised || self.capture_closed {
            return Err(PaymentError::WrongStatus);
        }
        if amount > self.capturable(over_capture_percent) {
            return Err(PaymentError::OverCapture);
        }
        self.captured += amount;
        self.capture_closed = is_final || self.captured >= self.authorised;
        Ok(())
    }

    /// Cancels an authorisation with nothing captured; after partial captures it
    /// releases the rest instead.
    pub fn cancel(&mut self) -> Result<(), PaymentError> {
        match self.stage {
            Stage::Authorised if self.captured == 0 => {
                self.stage = Stage::Cancelled;
                Ok(())
            }
            Stage::Authorised if !self.capture_closed => {
                self.capture_closed = true;
                Ok(())
            }
            Stage::Created | Stage::Redirected => {
                self.stage = Stage::Cancelled;
                Ok(())
            }
            _ => Err(PaymentError::WrongStatus),
        }
    }

    /// Most that may still be refunded.
    pub fn refundable(&self) -> i64 {
        if self.stage == Stage::Authorised {
            self.captured - self.refunded
        } else {
            0
        }
    }

    /// Refunds `amount` of what was captured.
    pub fn refund(&mut self, amount: i64) -> Result<(), PaymentError> {
        // The status first: asking an uncaptured or fully refunded payment for "all of
        // it" is a status problem, not a zero amount.
        if self.stage != Stage::Authorised || self.captured == 0 || self.refundable() == 0 {
            return Err(PaymentError::WrongStatus);
        }
        if amount <= 0 {
            return Err(PaymentError::NotPositive);
        }
        if amount > self.refundable() {
            return Err(PaymentError::OverRefund);
        }
        self.refunded += amount;
        // A refund ends capturing: what was not captured is released.
        self.capture_closed = true;
        Ok(())
    }

    /// The back-office label.
    pub fn label(&self) -> Label {
        match self.stage {
            Stage::Created | Stage::Redirected | Stage::Uncertain => Label::New,
            Stage::Rejected => Label::Declined,
            Stage::Cancelled => Label::Cancelled,
            Stage::Expired => Label::Expired,
            Stage::Authorised if self.captured == 0 => Label::Uncaptured,
            Stage::Authorised if self.refunded == 0 => Label::Succeeded,
            Stage::Authorised if self.refunded < self.captured => Label::PartialRefund,
            Stage::Authorised => Label::Refunded,
        }
    }

    /// The Direct API status.
    pub fn direct_status(&self) -> DirectStatus {
        let (status, category, code) = match self.label() {
            Label::New => match self.stage {
                Stage::Redirected => ("REDIRECTED", "PENDING_PAYMENT", 46),
                Stage::Uncertain => (
                    "AUTHORIZATION_REQUESTED",
                    "PENDING_CONNECT_OR_3RD_PARTY",
                    92,
                ),
                _ => ("CREATED", "CREATED", 0),
            },
            Label::Uncaptured => ("PENDING_CAPTURE", "PENDING_MERCHANT", 5),
            Label::Succeeded | Label::PartialRefund => ("CAPTURED", "COMPLETED", 9),
            Label::Refunded => ("REFUNDED", "REFUNDED", 8),
            Label::Declined => ("REJECTED", "UNSUCCESSFUL", 2),
            Label::Cancelled | Label::Expired => ("CANCELLED", "UNSUCCESSFUL", 6),
        };
        DirectStatus {
            status,
            category,
            code,
            is_cancellable: self.stage == Stage::Authorised && !self.capture_closed,
            is_refundable: self.refundable() > 0,
            is_authorized: self.stage == Stage::Authorised,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn authorised(amount: i64) -> Payment {
        let mut p = Payment::new(amount).unwrap();
        p.authorise().unwrap();
        p
    }

    #[test]
    fn stage_codes_round_trip_and_restore_checks_the_ledger() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.code()), Some(stage));
        }
        let mut p = authorised(5_000);
        p.capture(2_000, false, 0).unwrap();
        let back = Payment::restore(
            p.stage(),
            p.amount(),
            p.authorised(),
            p.captured(),
            p.refunded(),
            p.capture_closed(),
        )
        .unwrap();
        assert_eq!(back, p);
        assert_eq!(
            Payment::restore(Stage::Authorised, 5_000, 5_000, 100, 200, false),
            Err(PaymentError::Inconsistent)
        );
        assert_eq!(
            Payment::restore(Stage::Created, 5_000, 0, 100, 0, false),
            Err(PaymentError::Inconsistent)
        );
    }

    #[test]
    fn two_step_payment_walks_through_every_label() {
        let mut p = Payment::new(10_000).unwrap();
        assert_eq!(p.direct_status().status, "CREATED");
        p.redirect().unwrap();
        assert_eq!(p.direct_status().code, 46);
        p.authorise().unwrap();
        assert_eq!(p.label(), Label::Uncaptured);
        let s = p.direct_status();
        assert_eq!(
            (s.status, s.code, s.is_cancellable, s.is_refundable),
            ("PENDING_CAPTURE", 5, true, false)
        );
        p.capture(4_000, false, 0).unwrap();
        assert_eq!(p.label(), Label::Succeeded);
        p.capture(6_000, false, 0).unwrap();
        assert!(!p.direct_status().is_cancellable, "fully captured");
        p.refund(2_500).unwrap();
        assert_eq!(p.label(), Label::PartialRefund);
        p.refund(7_500).unwrap();
        assert_eq!(p.label(), Label::Refunded);
        assert_eq!(p.direct_status().status, "REFUNDED");
        assert!(p.is_terminal());
    }

    #[test]
    fn preconditions_are_enforced() {
        let mut p = Payment::new(1_000).unwrap();
        assert_eq!(p.capture(100, false, 0), Err(PaymentError::WrongStatus));
        assert_eq!(p.refund(100), Err(PaymentError::WrongStatus));
        let mut p = authorised(1_000);
        assert_eq!(
            p.refund(100),
            Err(PaymentError::WrongStatus),
            "nothing captured yet"
        );
        assert_eq!(p.capture(1_001, false, 0), Err(PaymentError::OverCapture));
        assert_eq!(p.capture(0, false, 0), Err(PaymentError::NotPositive));
        p.capture(1_000, false, 0).unwrap();
        assert_eq!(p.cancel(), Err(PaymentError::WrongStatus));
        assert_eq!(p.refund(1_001), Err(PaymentError::OverRefund));
        assert_eq!(p.refund(0), Err(PaymentError::NotPositive));
        // "All of it" when nothing is left is a status problem, not a zero amount.
        p.refund(1_000).unwrap();
        assert_eq!(p.refund(p.refundable()), Err(PaymentError::WrongStatus));
        let mut uncaptured = authorised(1_000);
        assert_eq!(
            uncaptured.refund(uncaptured.refundable()),
            Err(PaymentError::WrongStatus)
        );
    }

    #[test]
    fn over_capture_allowance_is_a_percentage() {
        let mut p = authorised(10_000);
        assert_eq!(p.capturable(10), 11_000);
        assert_eq!(p.capture(11_001, true, 10), Err(PaymentError::OverCapture));
        p.capture(11_000, true, 10).unwrap();
        assert_eq!(p.captured(), 11_000);
    }

    #[test]
    fn cancel_before_capture_and_release_after_partial_capture() {
        let mut p = authorised(5_000);
        p.cancel().unwrap();
        assert_eq!(p.label(), Label::Cancelled);
        assert!(p.is_terminal());
        let mut p = authorised(5_000);
        p.capture(2_000, false, 0).unwrap();
        p.cancel().unwrap();
        assert_eq!(p.capture(1_000, false, 0), Err(PaymentError::WrongStatus));
        assert_eq!(p.label(), Label::Succeeded);
    }

    #[test]
    fn rejected_uncertain_and_expired_map_as_direct_does() {
        let mut p = Payment::new(100).unwrap();
        p.reject().unwrap();
        assert_eq!(
            (p.direct_status().status, p.direct_status().code),
            ("REJECTED", 2)
        );
        let mut p = Payment::new(100).unwrap();
        p.mark_uncertain().unwrap();
        assert_eq!(p.direct_status().code, 92);
        p.authorise().unwrap();
        let mut p = Payment::new(100).unwrap();
        p.expire().unwrap();
        assert_eq!(p.label(), Label::Expired);
        // An authorisation whose reservation ended: released, as Direct reports it.
        let mut p = authorised(100);
        p.expire_authorisation().unwrap();
        let s = p.direct_status();
        assert_eq!(
            (s.status, s.category, s.code),
            ("CANCELLED", "UNSUCCESSFUL", 6)
        );
        assert!(!s.is_authorized && !s.is_cancellable && !s.is_refundable);
        assert_eq!(p.capture(100, false, 0), Err(PaymentError::WrongStatus));
        let mut partly = authorised(100);
        partly.capture(10, false, 0).unwrap();
        assert_eq!(
            partly.expire_authorisation(),
            Err(PaymentError::WrongStatus)
        );
    }

    #[derive(Clone, Debug)]
    enum Op {
        Redirect,
        Authorise,
        Reject,
        Uncertain,
        Expire,
        ExpireAuthorisation,
        Capture(i64, bool),
        Cancel,
        Refund(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Redirect),
            Just(Op::Authorise),
            Just(Op::Reject),
            Just(Op::Uncertain),
            Just(Op::Expire),
            Just(Op::ExpireAuthorisation),
            (1i64..20_000, any::<bool>()).prop_map(|(a, f)| Op::Capture(a, f)),
            Just(Op::Cancel),
            (1i64..20_000).prop_map(Op::Refund),
        ]
    }

    fn apply(p: &mut Payment, op: &Op, pct: u32) -> Result<(), PaymentError> {
        match op {
            Op::Redirect => p.redirect(),
            Op::Authorise => p.authorise(),
            Op::Reject => p.reject(),
            Op::Uncertain => p.mark_uncertain(),
            Op::Expire => p.expire(),
            Op::ExpireAuthorisation => p.expire_authorisation(),
            Op::Capture(a, f) => p.capture(*a, *f, pct),
            Op::Cancel => p.cancel(),
            Op::Refund(a) => p.refund(*a),
        }
    }

    proptest! {
        #[test]
        fn ledger_invariants_hold_for_any_sequence(
            amount in 1i64..20_000,
            pct in 0u32..=30,
            ops in proptest::collection::vec(op(), 0..40),
        ) {
            let mut p = Payment::new(amount).unwrap();
            for op in &ops {
                let before = p;
                let result = apply(&mut p, op, pct);
                if result.is_err() {
                    prop_assert_eq!(p, before, "a refused operation changes nothing");
                }
                if before.is_terminal() {
                    prop_assert!(result.is_err(), "no transition out of a terminal state");
                }
                prop_assert!(p.captured() * 100 <= p.authorised() * (100 + i64::from(pct)));
                prop_assert!(p.refunded() <= p.captured());
                prop_assert!(p.captured() >= 0 && p.refunded() >= 0);
            }
        }

        #[test]
        fn an_expired_authorisation_had_nothing_captured_and_captures_nothing(
            amount in 1i64..20_000,
            pct in 0u32..=30,
            ops in proptest::collection::vec(op(), 0..40),
            after in proptest::collection::vec(op(), 0..10),
        ) {
            let mut p = Payment::new(amount).unwrap();
            for op in &ops {
                let _ = apply(&mut p, op, pct);
            }
            let before = p;
            match p.expire_authorisation() {
                Ok(()) => {
                    prop_assert_eq!(before.stage(), Stage::Authorised);
                    prop_assert_eq!(before.captured(), 0);
                    prop_assert_eq!(before.refunded(), 0);
                    prop_assert!(!before.capture_closed());
                    prop_assert_eq!(p.label(), Label::Expired);
                    prop_assert_eq!(p.direct_status().status, "CANCELLED");
                    prop_assert_eq!(p.direct_status().code, 6);
                    prop_assert_eq!(p.capturable(pct), 0);
                    for op in &after {
                        let _ = apply(&mut p, op, pct);
                        prop_assert_eq!(p.captured(), 0, "nothing captured after expiry");
                        prop_assert_eq!(p.stage(), Stage::Expired);
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e, PaymentError::WrongStatus);
                    prop_assert_eq!(p, before);
                    prop_assert!(
                        before.stage() != Stage::Authorised
                            || before.captured() > 0
                            || before.capture_closed()
                    );
                }
            }
        }
    }
}
