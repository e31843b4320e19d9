//! The demo merchant's payment links: a reusable donation link asking the payer's name,
//! e-mail and a member number of their own, and an invoice with a cart, held back.

use super::store::{self, Kind, NewLink, StoredLine};
use crate::entities::{merchant, payment_link};
use crate::platform::db::BeginWrite;
use chrono::{Duration, Utc};
use domain::money::Currency;
use domain::paylink::{AmountRule, Asked, FieldSpec, Standard};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

/// Seeds the demo links once (nothing when the merchant has links already).
pub async fn seed_demo_links(db: &DatabaseConnection, m: &merchant::Model) -> Result<(), DbErr> {
    let existing = payment_link::Entity::find()
        .filter(payment_link::Column::MerchantId.eq(m.id))
        .count(db)
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let now = Utc::now();
    let base = |kind| NewLink {
        kind,
        name: String::new(),
        internal_note: String::new(),
        title: String::new(),
        description: String::new(),
        currency: Currency::parse("EUR").expect("EUR"),
        amount: AmountRule::Fixed(0),
        merchant_reference: String::new(),
        recipient_name: String::new(),
        recipient_email: String::new(),
        merchant_customer_id: None,
        locale: "en".to_owned(),
        cart: Vec::new(),
        asked: Asked::default(),
        reusable: false,
        due_at: None,
        expires_at: None,
        remind: false,
        return_url: None,
    };
    let donation = NewLink {
        name: "Member donation".to_owned(),
        internal_note: "Shared on the newsletter".to_owned(),
        title: "Support the Demo Shop community".to_owned(),
        description: "Any amount between 5 and 500 euros helps.".to_owned(),
        amount: AmountRule::Entered {
            min: 500,
            max: 50_000,
        },
        reusable: true,
        asked: Asked {
            standard: vec![Standard::FullName, Standard::Email],
            custom: vec![FieldSpec {
                label: "Member number".to_owned(),
                name: "member_number".to_owned(),
                placeholder: "DS-12345".to_owned(),
                pattern: "DS-[0-9]{5}".to_owned(),
                fixed: String::new(),
                required: true,
            }],
        },
        ..base(Kind::Link)
    };
    let invoice = NewLink {
        merchant_reference: "INV-DEMO-0001".to_owned(),
        recipient_name: "Camille Martin".to_owned(),
        recipient_email: "camille.martin@example.com".to_owned(),
        description: "Coffee subscription, December".to_owned(),
        amount: AmountRule::Fixed(5168),
        cart: vec![
            StoredLine {
                name: "Coffee beans 1 kg".to_owned(),
                unit_price: 2490,
                quantity_thousandths: 2000,
                measure: "pcs".to_owned(),
                article: "CB-1000".to_owned(),
            },
            StoredLine {
                name: "Oat milk".to_owned(),
                unit_price: 125,
                quantity_thousandths: 1500,
                measure: "L".to_owned(),
                article: "OM-1".to_owned(),
            },
        ],
        due_at: Some(now + Duration::days(14)),
        expires_at: Some(now + Duration::days(30)),
        ..base(Kind::Invoice)
    };
    let txn = db.begin_write().await?;
    for (n, new) in [donation, invoice].into_iter().enumerate() {
        let id = format!(
            "{:032x}",
            u128::from(rand::random::<u64>()) << 64 | n as u128
        );
        store::insert(&txn, m, &id, new, None).await?;
    }
    txn.commit().await
}
