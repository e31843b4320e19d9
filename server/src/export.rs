//! Exports of the payments list (MB-31): every row matching the filter, not only the
//! page, streamed in batches so a large export keeps memory flat. Dates are in the
//! user's time zone; cells that a spreadsheet would run as a formula are defused.

use crate::entities::payment;
use crate::http::AppState;
use crate::services::account::load_actor;
use crate::services::operations_port::filtered;
use crate::services::payments::{ledger, public_id, stored_money};
use app::model::PaymentFilter;
use app::ports::{Actor, ACTOR_SESSION_KEY};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ZonePreference;
use sea_orm::{DatabaseConnection, PaginatorTrait, Select};
use tower_sessions::Session;

/// Rows read per query.
const BATCH: u64 = 1000;

/// The columns, in order.
const COLUMNS: [&str; 12] = [
    "payment_id",
    "created",
    "updated",
    "merchant_reference",
    "amount",
    "currency",
    "status",
    "card",
    "brand",
    "channel",
    "authorisation_code",
    "customer_email",
];

fn decode(raw: &str) -> String {
    let bytes = raw.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The list's filter from its URL query (the same names the list page writes).
pub fn filter_from_query(query: &str) -> PaymentFilter {
    let mut f = PaymentFilter::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(v);
        match k {
            "from" => f.from = v,
            "to" => f.to = v,
            "date_kind" => f.date_kind = v,
            "min_amount" => f.min_amount = v,
            "max_amount" => f.max_amount = v,
            "reference" => f.reference = v,
            "status" => f.statuses.push(v),
            "last4" => f.last4 = v,
            "email" => f.email = v,
            "payment_id" => f.payment_id = v,
            "sort" => f.sort = v,
            "desc" => f.desc = v == "1",
            _ => {}
        }
    }
    f
}

fn cells(p: &payment::Model, zone: &ZonePreference) -> [String; 12] {
    [
        public_id(p.id),
        zone.format(p.created_at),
        zone.format(p.updated_at),
        p.merchant_reference.clone(),
        stored_money(p.amount, &p.currency)
            .map(domain::money::Money::format_major)
            .unwrap_or_default(),
        p.currency.clone(),
        ledger(p)
            .map(|l| l.label().code())
            .unwrap_or("new")
            .to_owned(),
        p.masked_card.clone().unwrap_or_default(),
        p.brand.clone().unwrap_or_default(),
        p.channel.clone(),
        p.authorisation_code.clone().unwrap_or_default(),
        p.customer_email.clone().unwrap_or_default(),
    ]
}

/// One CSV cell: quoted when needed, formulas defused.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn xml_text(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xml,
}

fn render(format: Format, rows: &[payment::Model], zone: &ZonePreference) -> String {
    let mut out = String::new();
    for p in rows {
        let values = cells(p, zone);
        match format {
            Format::Csv => {
                out.push_str(
                    &values
                        .iter()
                        .map(|v| csv_cell(v))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push_str("\r\n");
            }
            Format::Xml => {
                out.push_str("  <payment>");
                for (name, value) in COLUMNS.iter().zip(values.iter()) {
                    out.push_str(&format!("<{name}>{}</{name}>", xml_text(value)));
                }
                out.push_str("</payment>\n");
            }
        }
    }
    out
}

/// The export as a stream of batches.
fn stream(
    db: DatabaseConnection,
    query: Select<payment::Entity>,
    zone: ZonePreference,
    format: Format,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let head = match format {
        Format::Csv => format!("{}\r\n", COLUMNS.join(",")),
        Format::Xml => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<payments>\n".to_owned(),
    };
    futures_util::stream::unfold(Some((0u64, Some(head))), move |state| {
        let (db, query, zone) = (db.clone(), query.clone(), zone.clone());
        async move {
            let (page, head) = state?;
            if let Some(head) = head {
                return Some((Ok(Bytes::from(head)), Some((page, None))));
            }
            match query.paginate(&db, BATCH).fetch_page(page).await {
                Ok(rows) if rows.is_empty() => {
                    let tail = match format {
                        Format::Csv => String::new(),
                        Format::Xml => "</payments>\n".to_owned(),
                    };
                    Some((Ok(Bytes::from(tail)), None))
                }
                Ok(rows) => Some((
                    Ok(Bytes::from(render(format, &rows, &zone))),
                    Some((page + 1, None)),
                )),
                Err(e) => {
                    tracing::error!(error = %e, "export failed");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    })
}

/// `GET /operations/payments/export/{csv|xml}?<the list's filter>`.
pub async fn payments(
    State(state): State<AppState>,
    session: Session,
    Path(format): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let format = match format.as_str() {
        "csv" => Format::Csv,
        "xml" => Format::Xml,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let Ok(Some(actor)) = session.get::<Actor>(ACTOR_SESSION_KEY).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok((merchant, user)) = load_actor(&state.db, &actor).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let zone = crate::services::account::zone_of(&user);
    let filter = filter_from_query(query.as_deref().unwrap_or(""));
    let Ok(select) = filtered(merchant.id, &zone, &filter) else {
        return (StatusCode::BAD_REQUEST, "the filter is not valid").into_response();
    };
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xml => ("application/xml; charset=utf-8", "xml"),
    };
    let name = format!(
        "payments-{}.{extension}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream(state.db.clone(), select, zone, format)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips_and_cells_are_safe() {
        let f = filter_from_query(
            "reference=a%20b&status=refunded&status=declined&desc=1&min_amount=100",
        );
        assert_eq!(f.reference, "a b");
        assert_eq!(f.statuses, ["refunded", "declined"]);
        assert!(f.desc);
        assert_eq!(f.min_amount, "100");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-12.50"), "-12.50");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(xml_text("<a&b>"), "&lt;a&amp;b&gt;");
        assert_eq!(decode("100%"), "100%");
    }
}
