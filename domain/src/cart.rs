//! Cart math (PE-2): line amount = unit price × quantity, quantities with up to three
//! decimals, rounded half-up to the minor unit; the total is the sum of rounded lines.

use serde::{Deserialize, Serialize};

/// A quantity in thousandths (1.5 → 1500).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quantity(i64);

/// Why a quantity was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not a decimal number, or more than three decimals.
    #[error("a quantity has at most three decimals")]
    Malformed,
    /// Zero or below.
    #[error("a quantity must be above zero")]
    NotPositive,
    /// Beyond a million units.
    #[error("quantity too large")]
    TooLarge,
}

impl Quantity {
    /// Thousandths in one unit.
    pub const SCALE: i64 = 1000;

    /// From thousandths.
    pub fn from_thousandths(thousandths: i64) -> Result<Quantity, QuantityError> {
        if thousandths <= 0 {
            return Err(QuantityError::NotPositive);
        }
        if thousandths > 1_000_000 * Self::SCALE {
            return Err(QuantityError::TooLarge);
        }
        Ok(Quantity(thousandths))
    }

    /// Parses `2`, `1.5`, `0,125`.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let text = text.trim().replace(',', ".");
        let (whole, fraction) = text.split_once('.').unwrap_or((text.as_str(), ""));
        if whole.is_empty()
            || fraction.len() > 3
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(QuantityError::Malformed);
        }
        let whole: i64 = whole.parse().map_err(|_| QuantityError::TooLarge)?;
        let fraction: i64 = format!("{fraction:0<3}")
            .parse()
            .map_err(|_| QuantityError::Malformed)?;
        Quantity::from_thousandths(
            whole
                .checked_mul(Self::SCALE)
                .and_then(|w| w.checked_add(fraction))
                .ok_or(QuantityError::TooLarge)?,
        )
    }

    /// Thousandths.
    pub fn thousandths(self) -> i64 {
        self.0
    }
}

/// `unit_price` (minor units) × `quantity`, rounded half-up to the minor unit.
pub fn line_amount(unit_price: i64, quantity: Quantity) -> i64 {
    amount_of(unit_price, quantity.0)
}

/// Thousandths written as a quantity: `1500` → `1.5`, `2000` → `2`.
pub fn format_thousandths(thousandths: i64) -> String {
    let (whole, fraction) = (thousandths / 1000, (thousandths % 1000).abs());
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:03}")
            .trim_end_matches('0')
            .to_owned()
    }
}

/// The sum of the rounded line amounts.
pub fn cart_total(lines: &[(i64, Quantity)]) -> i64 {
    lines
        .iter()
        .map(|(price, qty)| line_amount(*price, *qty))
        .sum()
}

/// `unit_price` × `thousandths` (zero allowed), rounded half-up to the minor unit.
fn amount_of(unit_price: i64, thousandths: i64) -> i64 {
    let exact = i128::from(unit_price) * i128::from(thousandths);
    let scale = i128::from(Quantity::SCALE);
    ((exact + scale / 2) / scale) as i64
}

/// Why a refund or capture by cart line was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// More than what is left of the line to refund.
    #[error("more than what is left of the line")]
    MoreThanRemaining,
    /// A quantity that is not one.
    #[error("{0}")]
    Quantity(QuantityError),
    /// A price below zero or not an amount.
    #[error("not a price")]
    Price,
    /// Nothing asked for.
    #[error("nothing to refund")]
    Nothing,
}

/// A cart line as the refund dialog sees it: quantities in thousandths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineState {
    /// Unit price, minor units.
    pub unit_price: i64,
    /// Quantity bought.
    pub quantity: i64,
    /// Quantity already refunded.
    pub refunded: i64,
}

impl LineState {
    /// Thousandths still refundable.
    pub fn remaining(&self) -> i64 {
        (self.quantity - self.refunded).max(0)
    }

    /// The amount refunded now when `more` thousandths are refunded: the line's amount
    /// for everything refunded after, less that for everything refunded before, so the
    /// refunds of a line in any number of steps add up to exactly its amount.
    pub fn refund_amount(&self, more: i64) -> Result<i64, LineError> {
        if more < 0 {
            return Err(LineError::Quantity(QuantityError::NotPositive));
        }
        if more > self.remaining() {
            return Err(LineError::MoreThanRemaining);
        }
        Ok(amount_of(self.unit_price, self.refunded + more)
            - amount_of(self.unit_price, self.refunded))
    }
}

/// The amount of refunding `more[i]` thousandths of `lines[i]`; the first line in
/// error is named by its index.
pub fn refund_total(lines: &[LineState], more: &[i64]) -> Result<i64, (usize, LineError)> {
    let mut total = 0;
    for (i, (line, q)) in lines.iter().zip(more).enumerate() {
        total += line.refund_amount(*q).map_err(|e| (i, e))?;
    }
    if total <= 0 {
        return Err((0, LineError::Nothing));
    }
    Ok(total)
}

/// A refund quantity as typed: empty means none; otherwise up to three decimals.
pub fn parse_refund_quantity(text: &str) -> Result<i64, LineError> {
    let text = text.trim();
    if text.is_empty() || text == "0" {
        return Ok(0);
    }
    Quantity::parse(text)
        .map(Quantity::thousandths)
        .map_err(LineError::Quantity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quantities_have_three_decimals_at_most() {
        assert_eq!(Quantity::parse("2").unwrap().thousandths(), 2000);
        assert_eq!(Quantity::parse("1,5").unwrap().thousandths(), 1500);
        assert_eq!(Quantity::parse("0.125").unwrap().thousandths(), 125);
        assert_eq!(Quantity::parse("0.1255"), Err(QuantityError::Malformed));
        assert_eq!(Quantity::parse("0"), Err(QuantityError::NotPositive));
        assert_eq!(Quantity::parse("-1"), Err(QuantityError::Malformed));
    }

    #[test]
    fn lines_round_half_up_to_the_minor_unit() {
        // 3.33 × 1.5 = 4.995 → 5.00
        assert_eq!(line_amount(333, Quantity::parse("1.5").unwrap()), 500);
        // 0.10 × 0.333 = 0.0333 → 0.03
        assert_eq!(line_amount(10, Quantity::parse("0.333").unwrap()), 3);
        // 0.01 × 0.5 = 0.005 → 0.01
        assert_eq!(line_amount(1, Quantity::parse("0.5").unwrap()), 1);
        assert_eq!(line_amount(1999, Quantity::parse("3").unwrap()), 5997);
    }

    #[test]
    fn refunds_by_line_add_up_to_the_line() {
        // 3 × 3.33: refunding 1, then 2 gives 3.33 + 6.66 = 9.99, the line's amount.
        let line = LineState {
            unit_price: 333,
            quantity: 3000,
            refunded: 0,
        };
        assert_eq!(line.refund_amount(1000), Ok(333));
        let after = LineState {
            refunded: 1000,
            ..line
        };
        assert_eq!(after.refund_amount(2000), Ok(666));
        assert_eq!(after.refund_amount(2001), Err(LineError::MoreThanRemaining));
        assert_eq!(
            refund_total(&[line, after], &[0, 0]),
            Err((0, LineError::Nothing))
        );
        assert_eq!(
            refund_total(&[line, after], &[500, 3000]),
            Err((1, LineError::MoreThanRemaining))
        );
        assert_eq!(parse_refund_quantity(""), Ok(0));
        assert_eq!(format_thousandths(1500), "1.5");
        assert_eq!(format_thousandths(2000), "2");
        assert_eq!(format_thousandths(125), "0.125");
        assert_eq!(parse_refund_quantity("1,5"), Ok(1500));
        assert!(parse_refund_quantity("-1").is_err());
    }

    proptest! {
        #[test]
        fn refunds_in_any_steps_never_exceed_the_line(
            price in 0i64..1_000_000,
            quantity in 1i64..50_000,
            cuts in proptest::collection::vec(1i64..20_000, 0..10),
        ) {
            let mut line = LineState { unit_price: price, quantity, refunded: 0 };
            let mut total = 0;
            for cut in cuts {
                let cut = cut.min(line.remaining());
                if cut == 0 { break; }
                total += line.refund_amount(cut).unwrap();
                line.refunded += cut;
            }
            let rest = line.remaining();
            total += line.refund_amount(rest).unwrap();
            prop_assert_eq!(total, line_amount(price, Quantity::from_thousandths(quantity).unwrap()));
            line.refunded = quantity;
            prop_assert_eq!(line.refund_amount(1), Err(LineError::MoreThanRemaining));
        }

        #[test]
        fn total_is_the_sum_of_rounded_lines(
            lines in proptest::collection::vec((0i64..10_000_000, 1i64..100_000), 0..20)
        ) {
            let lines: Vec<(i64, Quantity)> = lines
                .into_iter()
                .map(|(p, q)| (p, Quantity::from_thousandths(q).unwrap()))
                .collect();
            let expected: i64 = lines.iter().map(|(p, q)| line_amount(*p, *q)).sum();
            prop_assert_eq!(cart_total(&lines), expected);
        }

        #[test]
        fn rounding_is_half_up(price in 0i64..10_000_000, q in 1i64..1_000_000) {
            let amount = line_amount(price, Quantity::from_thousandths(q).unwrap());
            let exact = i128::from(price) * i128::from(q);
            // amount − exact, in thousandths of a minor unit: a half rounds up.
            let diff = i128::from(amount) * 1000 - exact;
            prop_assert!(diff > -500 && diff <= 500, "diff {}", diff);
        }
    }
}
