//! A year of demo payments for the `demo` merchant, so a newcomer sees a living dashboard
//! and lists: several currencies, every status, carts, refunds, refusal codes, MOTO and
//! hosted payments, captures and refunds by the demo users. Every ledger is computed by the
//! domain's state machine, as the engine would; the draw is seeded, so it repeats.

use crate::entities::{cart_line, merchant, operation, payment, user};
use crate::payments::records::set_ledger;
use crate::platform::db::BeginWrite;
use chrono::{DateTime, Duration, Utc};
use domain::cart::{line_amount, Quantity};
use domain::payment::Payment;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

/// Days of history.
const DAYS: i64 = 365;

/// The shop's catalogue: name, code, unit price in minor units.
const PRODUCTS: [(&str, &str, i64); 8] = [
    ("Blue mug", "MUG-BL", 1290),
    ("Gift wrap", "WRAP", 350),
    ("Tea towel", "TOWEL", 800),
    ("Teapot", "POT-1L", 3400),
    ("Coffee beans 1 kg", "BEANS", 1850),
    ("Espresso cups (set of 4)", "CUPS-4", 2400),
    ("Loose tea 250 g", "TEA-250", 990),
    ("Shipping", "SHIP", 495),
];

/// Brand, masked number, last four, payment product id.
const CARDS: [(&str, &str, &str, i32); 3] = [
    ("Visa", "411111******1111", "1111", 1),
    ("Mastercard", "555555******4444", "4444", 3),
    ("American Express", "378282*****0005", "0005", 2),
];

/// Refusal code and meaning, with its weight.
const REFUSALS: [(&str, &str, u32); 4] = [
    ("05", "Do not honour", 45),
    ("51", "Insufficient funds", 30),
    ("54", "Expired card", 15),
    ("14", "Invalid card number", 10),
];

const CUSTOMERS: [&str; 8] = [
    "ada@example.com",
    "grace@example.org",
    "alan@example.net",
    "margaret@example.com",
    "linus@example.org",
    "barbara@example.net",
    "dennis@example.com",
    "frances@example.org",
];

fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut n = rng.gen_range(0..total);
    for (item, w) in items {
        if n < *w {
            return item;
        }
        n -= w;
    }
    &items[0].0
}

fn code(rng: &mut StdRng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// One operation of a demo payment: kind, amount, result, when, who, refusal index.
type DemoOp = (
    &'static str,
    i64,
    &'static str,
    DateTime<Utc>,
    Option<i64>,
    Option<usize>,
);

/// What happens to one demo payment.
enum Fate {
    Sale,
    PreAuthorised,
    Declined(usize),
    Expired,
}

/// Writes a year of payments for `m` unless it has payments already; the number written.
pub async fn seed_year(
    db: &sea_orm::DatabaseConnection,
    m: &merchant::Model,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    if payment::Entity::find()
        .filter(payment::Column::MerchantId.eq(m.id))
        .count(db)
        .await?
        > 0
    {
        return Ok(0);
    }
    let users = user::Entity::find()
        .filter(user::Column::MerchantId.eq(m.id))
        .all(db)
        .await?;
    let by = |login: &str| users.iter().find(|u| u.login == login).map(|u| u.id);
    let (admin, operator) = (by("admin"), by("operator"));
    let mut rng = StdRng::seed_from_u64(20_261_122);
    let txn = db.begin_write().await?;
    let mut written = 0;
    let start = now - Duration::days(DAYS);
    for day in 0..=DAYS {
        // Busier on Fridays and Saturdays, and growing over the year.
        let weekday = (start + Duration::days(day)).format("%u").to_string();
        let base = 4
            + day / 60
            + if weekday == "5" || weekday == "6" {
                3
            } else {
                0
            };
        let count = base + rng.gen_range(0..4);
        for _ in 0..count {
            let minute = rng.gen_range(6 * 60..22 * 60);
            let created = start + Duration::days(day) + Duration::minutes(minute);
            if created > now {
                continue;
            }
            write_one(&txn, m, &mut rng, created, now, (admin, operator)).await?;
            written += 1;
        }
    }
    txn.commit().await?;
    Ok(written)
}

async fn write_one<C: ConnectionTrait>(
    db: &C,
    m: &merchant::Model,
    rng: &mut StdRng,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    (admin, operator): (Option<i64>, Option<i64>),
) -> Result<(), DbErr> {
    let currency = *pick_weighted(rng, &[("EUR", 75), ("USD", 15), ("GBP", 10)]);
    let channel = *pick_weighted(rng, &[("ECOMMERCE", 88), ("MOTO", 12)]);
    let hosted = channel == "ECOMMERCE" && rng.gen_bool(0.7);
    // A cart for most web orders; a free amount otherwise.
    let mut cart = Vec::new();
    if channel == "ECOMMERCE" && rng.gen_bool(0.75) {
        let lines = rng.gen_range(1..=3);
        for _ in 0..lines {
            let (name, code, price) = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
            if cart
                .iter()
                .any(|(n, _, _, _): &(&str, &str, i64, i64)| *n == name)
            {
                continue;
            }
            cart.push((name, code, price, rng.gen_range(1..=3) * Quantity::SCALE));
        }
    }
    let amount = if cart.is_empty() {
        rng.gen_range(5..=250) * 100 + [0, 50, 90, 99][rng.gen_range(0..4)]
    } else {
        cart.iter()
            .map(|(_, _, price, q)| {
                line_amount(*price, Quantity::from_thousandths(*q).expect("quantity"))
            })
            .sum()
    };
    let fate = match rng.gen_range(0..100) {
        0..=61 => Fate::Sale,
        62..=81 => Fate::PreAuthorised,
        82..=96 => Fate::Declined(*pick_weighted(
            rng,
            &REFUSALS
                .iter()
                .enumerate()
                .map(|(i, (_, _, w))| (i, *w))
                .collect::<Vec<_>>(),
        )),
        _ => Fate::Expired,
    };
    let card = CARDS[*pick_weighted(rng, &[(0usize, 60), (1, 32), (2, 8)])];
    let email = CUSTOMERS[rng.gen_range(0..CUSTOMERS.len())];
    let mut ledger = Payment::new(amount).map_err(|e| DbErr::Custom(e.to_string()))?;
    let fail = |e: domain::PaymentError| DbErr::Custom(e.to_string());
    let mut ops: Vec<DemoOp> = Vec::new();
    let mut updated = created;
    let auth_code = code(rng, 6);
    let mode = match fate {
        Fate::PreAuthorised => "PRE_AUTHORIZATION",
        _ => "SALE",
    };
    let moto_user = (channel == "MOTO").then_some(operator).flatten();
    match fate {
        Fate::Sale | Fate::PreAuthorised => {
            ledger.authorise().map_err(fail)?;
            ops.push(("authorise", amount, "approved", created, moto_user, None));
            if matches!(fate, Fate::Sale) {
                ledger.capture(amount, true, 0).map_err(fail)?;
                ops.push(("capture", amount, "approved", created, moto_user, None));
            } else {
                let later = created + Duration::hours(rng.gen_range(2..72));
                if later < now - Duration::days(2) {
                    if rng.gen_bool(0.8) {
                        // Captured in full, or less when something was out of stock.
                        let part = if rng.gen_bool(0.8) {
                            amount
                        } else {
                            amount * 3 / 4
                        };
                        ledger.capture(part, true, 0).map_err(fail)?;
                        ops.push(("capture", part, "approved", later, operator, None));
                    } else {
                        ledger.cancel().map_err(fail)?;
                        ops.push(("cancel", amount, "approved", later, admin, None));
                    }
                    updated = later;
                }
            }
            // Some captured payments are refunded, in full or in part.
            if ledger.captured() > 0 && rng.gen_bool(0.1) {
                let when = updated + Duration::days(rng.gen_range(1..20));
                if when < now {
                    let full = rng.gen_bool(0.4);
                    let refund = if full {
                        ledger.refundable()
                    } else {
                        (ledger.refundable() / 3).max(1)
                    };
                    ledger.refund(refund).map_err(fail)?;
                    ops.push(("refund", refund, "approved", when, admin, None));
                    updated = when;
                }
            }
        }
        Fate::Declined(reason) => {
            ledger.reject().map_err(fail)?;
            ops.push((
                "authorise",
                amount,
                "declined",
                created,
                moto_user,
                Some(reason),
            ));
        }
        Fate::Expired => {
            ledger.expire().map_err(fail)?;
            ops.push((
                "expire",
                0,
                "approved",
                created + Duration::minutes(30),
                None,
                None,
            ));
            updated = created + Duration::minutes(30);
        }
    }
    let declined = ops.iter().find_map(|o| o.5);
    let approved = ledger.authorised() > 0;
    let reached_acquirer = !matches!(fate, Fate::Expired);
    let mut row = payment::ActiveModel {
        merchant_id: Set(m.id),
        channel: Set(channel.to_owned()),
        merchant_reference: Set(format!("ORD-{}-{}", created.format("%Y%m%d"), code(rng, 4))),
        merchant_customer_id: Set(None),
        description: Set(if channel == "MOTO" {
            "Telephone order".to_owned()
        } else {
            String::new()
        }),
        currency: Set(currency.to_owned()),
        amount: Set(amount),
        authorization_mode: Set(mode.to_owned()),
        payment_product_id: Set(reached_acquirer.then_some(card.3)),
        brand: Set(reached_acquirer.then(|| card.0.to_owned())),
        masked_card: Set(reached_acquirer.then(|| card.1.to_owned())),
        card_last4: Set(reached_acquirer.then(|| card.2.to_owned())),
        card_expiry: Set(reached_acquirer.then(|| "1229".to_owned())),
        card_holder: Set(reached_acquirer.then(|| "Demo Customer".to_owned())),
        pending_card_enc: Set(None),
        token_id: Set(None),
        eci: Set(approved.then(|| {
            if channel == "MOTO" {
                "01".to_owned()
            } else {
                "05".to_owned()
            }
        })),
        authorisation_code: Set(approved.then(|| auth_code.clone())),
        rrn: Set(reached_acquirer.then(|| code(rng, 12))),
        terminal_id: Set(reached_acquirer.then(|| "DEMO0001".to_owned())),
        refusal_code: Set(declined.map(|r| REFUSALS[r].0.to_owned())),
        refusal_reason: Set(declined.map(|r| REFUSALS[r].1.to_owned())),
        attempts: Set(i32::from(reached_acquirer)),
        return_url: Set(None),
        hosted_checkout_id: Set(None),
        customer_email: Set(Some(email.to_owned())),
        customer_ip: Set(
            (channel == "ECOMMERCE").then(|| format!("203.0.113.{}", rng.gen_range(1..250)))
        ),
        locale: Set(if hosted { "en_GB" } else { "en" }.to_owned()),
        capture_after: Set(None),
        receipt: Set(None),
        created_at: Set(created),
        updated_at: Set(updated),
        ..Default::default()
    };
    set_ledger(&mut row, &ledger);
    let row = row.insert(db).await?;
    if !cart.is_empty() {
        cart_line::Entity::insert_many(cart.iter().enumerate().map(
            |(i, (name, code, price, q))| cart_line::ActiveModel {
                payment_id: Set(row.id),
                position: Set(i as i32),
                product_code: Set((*code).to_owned()),
                product_name: Set((*name).to_owned()),
                unit_price: Set(*price),
                quantity_thousandths: Set(*q),
                amount: Set(line_amount(
                    *price,
                    Quantity::from_thousandths(*q).expect("quantity"),
                )),
                refunded_thousandths: Set(0),
                ..Default::default()
            },
        ))
        .exec(db)
        .await?;
    }
    operation::Entity::insert_many(ops.into_iter().map(
        |(kind, amount, result, at, who, refusal)| operation::ActiveModel {
            payment_id: Set(row.id),
            kind: Set(kind.to_owned()),
            amount: Set(amount),
            result: Set(result.to_owned()),
            is_final: Set(kind == "capture"),
            refusal_code: Set(refusal.map(|r| REFUSALS[r].0.to_owned())),
            refusal_reason: Set(refusal.map(|r| REFUSALS[r].1.to_owned())),
            authorisation_code: Set(
                (kind == "authorise" && result == "approved").then(|| auth_code.clone()),
            ),
            rrn: Set(None),
            terminal_id: Set(None),
            eci: Set(None),
            user_id: Set(who),
            api_key_id: Set(None),
            reference: Set(None),
            created_at: Set(at),
            ..Default::default()
        },
    ))
    .exec(db)
    .await?;
    Ok(())
}
