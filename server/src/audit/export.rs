//! The audit log as CSV: `GET /configuration/audit-log/export.csv?<the page's
//! filter>`, for Admins, their merchant's entries only, newest first, dates in the user's
//! zone. Streamed batch by batch (keyset on date and id), at most
//! [`EXPORT_MAX_ROWS`](app::audit::EXPORT_MAX_ROWS) rows: a longer log ends with a line
//! saying where it was cut. Cells a spreadsheet would run as a formula are defused.

use super::{admin, filtered, row};
use crate::account::service::zone_of;
use crate::entities::audit_log;
use crate::payments::export::{csv_cell, ExportPermit};
use crate::state::AppState;
use app::account::{Actor, ACTOR_SESSION_KEY};
use app::audit::{AuditFilter, EXPORT_MAX_ROWS};
use app::error::AppError;
use app::i18n::T;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::{Lang, ZonePreference};
use futures_util::StreamExt;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, QueryFilter, QuerySelect, Select};

/// Rows read per query.
pub const BATCH: u64 = 1_000;

/// The file's columns after the date's.
const COLUMNS: [&str; 5] = ["user", "ip", "action", "action_label", "detail"];

/// One CSV line of `cells`, CRLF-terminated.
fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| csv_cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// Where the next batch starts: after this entry's date and id.
type Cursor = (DateTime<Utc>, i64);

/// The entries `select` finds (newest first, by date then id) as CSV: a header naming
/// the zone, then at most `cap` rows read `BATCH` at a time, then, when more matched, a
/// last line saying the file was cut.
pub fn csv_stream(
    db: DatabaseConnection,
    select: Select<audit_log::Entity>,
    zone: ZonePreference,
    lang: Lang,
    cap: u64,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    use audit_log::Column as C;
    let mut header = vec![format!("date ({})", zone.zone)];
    header.extend(COLUMNS.iter().map(|c| (*c).to_owned()));
    // The state: the header still to send, the cursor of the next batch (`None` once
    // the last one was sent) and the rows sent so far.
    let start = (Some(line(&header)), Some(None::<Cursor>), 0u64);
    futures_util::stream::unfold(start, move |(pending, cursor, sent)| {
        let (db, select, zone) = (db.clone(), select.clone(), zone.clone());
        async move {
            if let Some(text) = pending {
                return Some((Ok(Bytes::from(text)), (None, cursor, sent)));
            }
            let cursor = cursor?;
            let mut query = select;
            if let Some((at, id)) = cursor {
                query = query.filter(
                    Condition::any()
                        .add(C::CreatedAt.lt(at))
                        .add(Condition::all().add(C::CreatedAt.eq(at)).add(C::Id.lt(id))),
                );
            }
            // One row past what may still be sent tells whether the file is cut.
            let room = cap - sent;
            let limit = BATCH.min(room + 1);
            let rows = match query.limit(limit).all(&db).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "audit export failed");
                    return Some((
                        Err(std::io::Error::other("export failed")),
                        (None, None, sent),
                    ));
                }
            };
            let cut = rows.len() as u64 > room;
            let more = !cut && rows.len() as u64 == limit;
            let next = rows.last().map(|r| (r.created_at, r.id));
            let mut text = String::new();
            let mut count = 0;
            for entry in rows.into_iter().take(room as usize) {
                let r = row(entry, &zone);
                let label = r
                    .family
                    .as_deref()
                    .and_then(app::audit::page::family_label)
                    .map(|t| t.text(lang))
                    .unwrap_or_default();
                text.push_str(&line(&[
                    r.date.as_str(),
                    &r.actor,
                    &r.ip,
                    &r.action,
                    label,
                    &r.detail,
                ]));
                count += 1;
            }
            if cut {
                let note = T::AuditExportCut
                    .text(lang)
                    .replace("{n}", &cap.to_string());
                text.push_str(&line(&[format!("# {note}")]));
            }
            let cursor = if more { next.map(Some) } else { None };
            Some((Ok(Bytes::from(text)), (None, cursor, sent + count)))
        }
    })
}

/// `GET /configuration/audit-log/export.csv?<the audit log's filter>`: 401 without a
/// session, 403 for anyone but an Admin, 400 for a filter the page would refuse.
pub async fn download(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(Some(actor)) = session.get::<Actor>(ACTOR_SESSION_KEY).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let (m, u) = match admin(&state.db, &actor).await {
        Ok(found) => found,
        Err(AppError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::UNAUTHORIZED.into_response(),
    };
    let zone = zone_of(&u);
    let lang = Lang::parse(&u.language).unwrap_or_default();
    let filter = AuditFilter::from_query(query.as_deref().unwrap_or(""));
    let select = match filtered(&state.db, m.id, &zone, &filter).await {
        Ok(select) => select,
        Err(AppError::Invalid(_)) => {
            return (StatusCode::BAD_REQUEST, "the filter is not valid").into_response()
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(permit) = ExportPermit::try_acquire(&state.config, m.id) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "30")],
            "other exports of this merchant are running: try again when one has finished",
        )
            .into_response();
    };
    let name = format!("audit-log-{}.csv", Utc::now().format("%Y%m%d-%H%M%S"));
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    let body =
        csv_stream(state.db.clone(), select, zone, lang, EXPORT_MAX_ROWS).map(move |chunk| {
            let _held = &permit;
            chunk
        });
    (headers, Body::from_stream(body)).into_response()
}
