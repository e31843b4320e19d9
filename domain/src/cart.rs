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
    let exact = i128::from(unit_price) * i128::from(quantity.0);
    let scale = i128::from(Quantity::SCALE);
    ((exact + scale / 2) / scale) as i64
}

/// The sum of the rounded line amounts.
pub fn cart_total(lines: &[(i64, Quantity)]) -> i64 {
    lines
        .iter()
        .map(|(price, qty)| line_amount(*price, *qty))
        .sum()
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

    proptest! {
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
