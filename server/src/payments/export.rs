//! Exports of the back office's lists (MB-31, MB-37): every row matching the filter, not
//! only the page, read in batches so a large export keeps memory flat, as CSV, XML or
//! XLSX. Batches follow each other by keyset (the rows after the last one's sort value
//! and id), so every query costs the same however deep the export is, and a row added
//! meanwhile neither repeats nor pushes another out. CSV and XML are streamed to the
//! client batch by batch; XLSX is written by `rust_xlsxwriter` in its constant-memory
//! mode on the blocking pool into a temporary file, then streamed. A merchant runs at most [`MAX_CONCURRENT_EXPORTS`] at
//! once; the next is answered 429. Dates are in the user's time zone; cells that a
//! spreadsheet would run as a formula are defused.

use crate::account::service::load_actor;
use crate::entities::{operation, payment};
use crate::payments::history::history_filtered;
use crate::payments::list::filtered;
use crate::payments::records::{ledger, public_id, stored_money};
use crate::platform::config::Config;
use crate::state::AppState;
use app::account::{Actor, ACTOR_SESSION_KEY};
use app::payments::{HistoryFilter, PaymentFilter};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ZonePreference;
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, QueryFilter, QuerySelect, Value};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use tower_sessions::Session;

/// Rows read per query.
pub const BATCH: u64 = 1000;

/// Exports one merchant may run at the same time.
pub const MAX_CONCURRENT_EXPORTS: usize = 2;

/// Running exports per (server instance, merchant). The instance is its configuration's
/// address, so two servers in one process (the tests) do not share counts.
static RUNNING: LazyLock<Mutex<HashMap<(usize, i64), usize>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// One of a merchant's export slots, given back when dropped (the export finished, failed
/// or its client went away).
#[derive(Debug)]
pub struct ExportPermit {
    key: (usize, i64),
}

impl ExportPermit {
    /// A slot for one more export of `merchant_id`, unless it already runs
    /// [`MAX_CONCURRENT_EXPORTS`].
    pub fn try_acquire(config: &Arc<Config>, merchant_id: i64) -> Option<ExportPermit> {
        let key = (Arc::as_ptr(config) as usize, merchant_id);
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        let count = running.entry(key).or_insert(0);
        if *count >= MAX_CONCURRENT_EXPORTS {
            return None;
        }
        *count += 1;
        Some(ExportPermit { key })
    }
}

impl Drop for ExportPermit {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = running.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.key);
            }
        }
    }
}

/// The answer when a merchant's export slots are all taken.
fn too_many_exports() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "30")],
        format!(
            "{MAX_CONCURRENT_EXPORTS} exports of this merchant are already running: \
             try again when one of them has finished"
        ),
    )
        .into_response()
}

/// The payments export's columns, in order.
pub const PAYMENT_COLUMNS: [&str; 13] = app::payments::EXPORT_COLUMNS;

/// The financial history's columns, in order.
pub const HISTORY_COLUMNS: [&str; 8] = [
    "date",
    "type",
    "payment_id",
    "merchant_reference",
    "amount",
    "currency",
    "user",
    "reference",
];

/// Columns written as numbers in XLSX.
const NUMERIC: [&str; 1] = ["amount"];

/// What an export is made of: its element names, its columns, and a reader of one batch
/// of rows (the one after a cursor, each row one cell per column).
#[derive(Clone)]
pub struct Table {
    /// XML root element and file name stem, e.g. `payments`.
    pub plural: &'static str,
    /// XML row element, e.g. `payment`.
    pub singular: &'static str,
    /// Column names.
    pub columns: Vec<&'static str>,
    /// Reads the batch after a cursor (the first batch after `None`).
    pub batch: BatchReader,
}

/// Where a batch ended: its last row's sort value and id.
pub type Cursor = (Value, i64);

/// One batch of an export: its rows, and the cursor of the next one (`None` at the end).
pub struct Batch {
    /// Each row one cell per column.
    pub rows: Vec<Vec<String>>,
    /// Where the next batch starts; `None` when this one was the last.
    pub next: Option<Cursor>,
}

/// Reads the batch of an export's rows after a cursor.
pub type BatchReader =
    Arc<dyn Fn(Option<Cursor>) -> BoxFuture<'static, Result<Batch, DbErr>> + Send + Sync>;

/// The rows after `cursor` in the order (`column`, id) both descending or both ascending:
/// `column` past the cursor's value, or equal to it with the id past the cursor's id.
fn after<C: ColumnTrait>(column: C, id: C, descending: bool, cursor: &Cursor) -> Condition {
    let (value, last_id) = cursor.clone();
    let (past, past_id) = if descending {
        (column.lt(value.clone()), id.lt(last_id))
    } else {
        (column.gt(value.clone()), id.gt(last_id))
    };
    Condition::any()
        .add(past)
        .add(Condition::all().add(column.eq(value)).add(past_id))
}

/// The cursor after `rows` when they filled a whole batch of `size`.
fn next_cursor<M>(rows: &[M], size: u64, key: impl Fn(&M) -> Cursor) -> Option<Cursor> {
    (rows.len() as u64 >= size)
        .then(|| rows.last().map(key))
        .flatten()
}

fn payment_cells(p: &payment::Model, zone: &ZonePreference) -> Vec<String> {
    vec![
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
        // What the payer entered on a payment link's page: `name=value; …`.
        crate::payments::operations::payer_fields(p.payer_fields.as_deref())
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// One CSV cell: quoted when needed, formulas defused.
pub(crate) fn csv_cell(value: &str) -> String {
    let value = defuse(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A text a spreadsheet would run as a formula, made inert with a leading quote: one
/// starting with `= + - @` (also after spaces, tabs or line breaks, which spreadsheets
/// skip) unless it is a number, and one starting with a tab or a carriage return.
fn defuse(value: &str) -> String {
    let start = value.trim_start_matches([' ', '\t', '\r', '\n']);
    let formula = start.starts_with(['=', '+', '-', '@']) && start.trim().parse::<f64>().is_err();
    if formula || value.starts_with(['\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// Whether XML 1.0 allows `c` in text: tab, line feed, carriage return, and everything
/// from U+0020 but the non-characters U+FFFE and U+FFFF (and C1 controls, which readers
/// refuse in practice).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (!c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

fn xml_text(value: &str) -> String {
    value
        .chars()
        .filter(|c| xml_allowed(*c))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, CRLF.
    Csv,
    /// One element per row.
    Xml,
    /// Office Open XML spreadsheet.
    Xlsx,
}

impl Format {
    /// From the URL's extension.
    pub fn parse(ext: &str) -> Option<Format> {
        match ext {
            "csv" => Some(Format::Csv),
            "xml" => Some(Format::Xml),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xml => "application/xml; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xml => "xml",
            Format::Xlsx => "xlsx",
        }
    }
}

fn render(format: Format, table: &Table, rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for values in rows {
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
            Format::Xml | Format::Xlsx => {
                out.push_str(&format!("  <{}>", table.singular));
                for (name, value) in table.columns.iter().zip(values.iter()) {
                    out.push_str(&format!("<{name}>{}</{name}>", xml_text(value)));
                }
                out.push_str(&format!("</{}>\n", table.singular));
            }
        }
    }
    out
}

/// CSV or XML as a stream of batches.
fn stream(
    table: Table,
    format: Format,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let head = match format {
        Format::Csv => format!("{}\r\n", table.columns.join(",")),
        _ => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{}>\n",
            table.plural
        ),
    };
    let tail = match format {
        Format::Csv => String::new(),
        _ => format!("</{}>\n", table.plural),
    };
    // The state: the text still to send first, and the cursor of the next batch (`None`
    // once the last batch was sent).
    let start: (Option<String>, Option<Option<Cursor>>) = (Some(head), Some(None));
    futures_util::stream::unfold(Some(start), move |state| {
        let (table, tail) = (table.clone(), tail.clone());
        async move {
            let (pending, cursor) = state?;
            if let Some(text) = pending {
                return Some((Ok(Bytes::from(text)), Some((None, cursor))));
            }
            let cursor = cursor?;
            match (table.batch)(cursor).await {
                Ok(batch) => {
                    let mut text = render(format, &table, &batch.rows);
                    let next = match batch.next {
                        Some(next) => Some(Some(next)),
                        None => {
                            text.push_str(&tail);
                            None
                        }
                    };
                    Some((Ok(Bytes::from(text)), Some((None, next))))
                }
                Err(e) => {
                    tracing::error!(error = %e, "export failed");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    })
}

/// The longest text a spreadsheet cell holds, in characters.
const MAX_CELL_CHARS: usize = 32_767;

/// Writes one row of cells: numbers in the numeric columns, text elsewhere (defused, so
/// a spreadsheet never reads it as a formula, and cut to what a cell holds).
fn xlsx_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    values: &[String],
    numeric: &[bool],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (i, value) in values.iter().enumerate() {
        let column = u16::try_from(i).unwrap_or(u16::MAX);
        match value.parse::<f64>() {
            Ok(number) if numeric.get(i).copied().unwrap_or(false) && number.is_finite() => {
                sheet.write_number(row, column, number)?;
            }
            _ => {
                let text: String = defuse(value).chars().take(MAX_CELL_CHARS).collect();
                sheet.write_string(row, column, text)?;
            }
        }
    }
    Ok(())
}

/// Writes the whole table as an XLSX workbook into `file`, batch by batch: the rows are
/// read here and written on the blocking pool by `rust_xlsxwriter` in its constant-memory
/// mode (each row goes to a temporary file as soon as the next begins), so a large
/// workbook neither holds an async worker nor grows in memory.
async fn write_xlsx(table: &Table, file: std::fs::File) -> Result<std::fs::File, std::io::Error> {
    // Two batches in flight at most: memory stays flat whichever side is slower.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(2);
    let plural = table.plural;
    let numeric: Vec<bool> = table.columns.iter().map(|c| NUMERIC.contains(c)).collect();
    let header: Vec<String> = table.columns.iter().map(|c| (*c).to_owned()).collect();
    let writer =
        tokio::task::spawn_blocking(move || workbook(file, plural, header, numeric, receiver));
    let mut cursor = None;
    let read: Result<(), std::io::Error> = async {
        loop {
            let batch = (table.batch)(cursor)
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            if sender.send(batch.rows).await.is_err() {
                // The writer stopped: its error is the one to report.
                return Ok(());
            }
            match batch.next {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }
    .await;
    drop(sender);
    let written = writer
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    read?;
    written
}

/// Writes the workbook into `file`: the header, then the rows as they arrive from `rows`
/// (until it is closed). Runs on the blocking pool.
fn workbook(
    mut file: std::fs::File,
    plural: &str,
    header: Vec<String>,
    numeric: Vec<bool>,
    mut rows: tokio::sync::mpsc::Receiver<Vec<Vec<String>>>,
) -> Result<std::fs::File, std::io::Error> {
    let io = |e: rust_xlsxwriter::XlsxError| std::io::Error::other(e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().map_err(io)?;
    sheet.set_name(plural).map_err(io)?;
    xlsx_row(sheet, 0, &header, &[]).map_err(io)?;
    let mut row = 0u32;
    while let Some(batch) = rows.blocking_recv() {
        for values in &batch {
            row += 1;
            xlsx_row(sheet, row, values, &numeric).map_err(io)?;
        }
    }
    book.save_to_writer(&mut file).map_err(io)?;
    Ok(file)
}

/// The export of `table` as a download, holding `permit` until its last byte is sent
/// (or its client goes away).
pub async fn download(table: Table, format: Format, permit: ExportPermit) -> Response {
    let name = format!(
        "{}-{}.{}",
        table.plural,
        chrono::Utc::now().format("%Y%m%d-%H%M%S"),
        format.extension()
    );
    let headers = [
        (header::CONTENT_TYPE, format.content_type().to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    let body = match format {
        Format::Csv | Format::Xml => Body::from_stream(stream(table, format).map(move |chunk| {
            let _held = &permit;
            chunk
        })),
        Format::Xlsx => {
            // Unlinked at once: the open handle keeps it readable until it is sent.
            let written = match tempfile::tempfile() {
                Ok(file) => write_xlsx(&table, file).await,
                Err(e) => Err(e),
            };
            let mut file = match written {
                Ok(file) => tokio::fs::File::from_std(file),
                Err(e) => {
                    tracing::error!(error = %e, "XLSX export failed");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            };
            use tokio::io::AsyncSeekExt;
            if file.seek(std::io::SeekFrom::Start(0)).await.is_err() {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Body::from_stream(tokio_util::io::ReaderStream::new(file).map(move |chunk| {
                let _held = &permit;
                chunk
            }))
        }
    };
    (headers, body).into_response()
}

/// The format asked for and the signed-in user's merchant and zone, or the status to
/// answer (404 for an unknown format, 401 without a session).
async fn caller(
    db: &DatabaseConnection,
    session: &Session,
    extension: &str,
) -> Result<(Format, crate::entities::merchant::Model, ZonePreference), StatusCode> {
    let format = Format::parse(extension).ok_or(StatusCode::NOT_FOUND)?;
    let Ok(Some(actor)) = session.get::<Actor>(ACTOR_SESSION_KEY).await else {
        return Err(StatusCode::UNAUTHORIZED);
    };
    let (merchant, user) = load_actor(db, &actor)
        .await
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    Ok((format, merchant, crate::account::service::zone_of(&user)))
}

/// The column the payments list (and so its export) is sorted by, and whether descending;
/// the list adds the id in the same direction (`payments::list::filtered`).
fn payment_sort(filter: &PaymentFilter) -> (payment::Column, bool) {
    let column = match filter.sort.as_str() {
        "amount" => payment::Column::Amount,
        "reference" => payment::Column::MerchantReference,
        "updated" => payment::Column::UpdatedAt,
        _ => payment::Column::CreatedAt,
    };
    (column, filter.desc)
}

/// A payment's value of its sort column.
fn payment_sort_value(p: &payment::Model, column: payment::Column) -> Value {
    match column {
        payment::Column::Amount => p.amount.into(),
        payment::Column::MerchantReference => p.merchant_reference.clone().into(),
        payment::Column::UpdatedAt => p.updated_at.into(),
        _ => p.created_at.into(),
    }
}

/// The merchant's payments matching `filter` as an export table read `size` rows at a
/// time, with the merchant's chosen columns (MB-20; all when none is chosen); `None`
/// when the filter is not valid.
pub fn payments_table(
    db: DatabaseConnection,
    merchant_id: i64,
    zone: ZonePreference,
    filter: &PaymentFilter,
    chosen: &str,
    size: u64,
) -> Option<Table> {
    let select = filtered(merchant_id, &zone, filter).ok()?;
    let (column, descending) = payment_sort(filter);
    let keep: Vec<usize> = PAYMENT_COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, c)| chosen.is_empty() || chosen.split(',').any(|k| k == **c))
        .map(|(i, _)| i)
        .collect();
    let keep = if keep.is_empty() {
        (0..PAYMENT_COLUMNS.len()).collect()
    } else {
        keep
    };
    Some(Table {
        plural: "payments",
        singular: "payment",
        columns: keep.iter().map(|i| PAYMENT_COLUMNS[*i]).collect(),
        batch: Arc::new(move |cursor: Option<Cursor>| {
            let (db, mut select, zone, keep) =
                (db.clone(), select.clone(), zone.clone(), keep.clone());
            Box::pin(async move {
                if let Some(cursor) = &cursor {
                    select = select.filter(after(column, payment::Column::Id, descending, cursor));
                }
                let rows = select.limit(size).all(&db).await?;
                let next = next_cursor(&rows, size, |p| (payment_sort_value(p, column), p.id));
                let rows = rows
                    .iter()
                    .map(|p| {
                        let cells = payment_cells(p, &zone);
                        keep.iter().map(|i| cells[*i].clone()).collect()
                    })
                    .collect();
                Ok(Batch { rows, next })
            })
        }),
    })
}

/// `GET /operations/payments/export/{csv|xml|xlsx}?<the list's filter>`.
pub async fn payments(
    State(state): State<AppState>,
    session: Session,
    Path(format): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (format, merchant, zone) = match caller(&state.db, &session, &format).await {
        Ok(caller) => caller,
        Err(status) => return status.into_response(),
    };
    let filter = PaymentFilter::from_query(query.as_deref().unwrap_or(""));
    let Some(table) = payments_table(
        state.db.clone(),
        merchant.id,
        zone,
        &filter,
        &merchant.report_columns,
        BATCH,
    ) else {
        return (StatusCode::BAD_REQUEST, "the filter is not valid").into_response();
    };
    let Some(permit) = ExportPermit::try_acquire(&state.config, merchant.id) else {
        return too_many_exports();
    };
    download(table, format, permit).await
}

/// The operations `select` finds (newest first, then by id, as `history_filtered`
/// sorts) as an export table read `size` rows at a time.
pub fn history_table(
    db: DatabaseConnection,
    select: sea_orm::Select<operation::Entity>,
    zone: ZonePreference,
    size: u64,
) -> Table {
    Table {
        plural: "operations",
        singular: "operation",
        columns: HISTORY_COLUMNS.to_vec(),
        batch: Arc::new(move |cursor: Option<Cursor>| {
            let (db, mut select, zone) = (db.clone(), select.clone(), zone.clone());
            Box::pin(async move {
                if let Some(cursor) = &cursor {
                    select = select.filter(after(
                        operation::Column::CreatedAt,
                        operation::Column::Id,
                        true,
                        cursor,
                    ));
                }
                let ops = select.limit(size).all(&db).await?;
                let next = next_cursor(&ops, size, |o| (o.created_at.into(), o.id));
                let rows = history_cells(&db, &ops, &zone).await?;
                Ok(Batch { rows, next })
            })
        }),
    }
}

/// The history export's cells of `ops`.
pub async fn history_cells(
    db: &DatabaseConnection,
    ops: &[operation::Model],
    zone: &ZonePreference,
) -> Result<Vec<Vec<String>>, DbErr> {
    Ok(crate::payments::history::entries(db, ops)
        .await?
        .into_iter()
        .map(|e| {
            vec![
                zone.format(e.at),
                e.kind,
                e.payment_id,
                e.reference,
                stored_money(e.amount, &e.currency)
                    .map(domain::money::Money::format_major)
                    .unwrap_or_default(),
                e.currency,
                e.by,
                e.rrn,
            ]
        })
        .collect())
}

/// `GET /operations/history/export/{csv|xml|xlsx}?<the history's filter>`.
pub async fn history(
    State(state): State<AppState>,
    session: Session,
    Path(format): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let db = &state.db;
    let (format, merchant, zone) = match caller(db, &session, &format).await {
        Ok(caller) => caller,
        Err(status) => return status.into_response(),
    };
    let filter = HistoryFilter::from_query(query.as_deref().unwrap_or(""));
    let Ok(select) = history_filtered(db, merchant.id, &zone, &filter).await else {
        return (StatusCode::BAD_REQUEST, "the filter is not valid").into_response();
    };
    let Some(permit) = ExportPermit::try_acquire(&state.config, merchant.id) else {
        return too_many_exports();
    };
    download(
        history_table(db.clone(), select, zone, BATCH),
        format,
        permit,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_safe() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-12.50"), "-12.50");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(xml_text("<a&b>"), "&lt;a&amp;b&gt;");
        // Formulas hidden behind white space, and cells starting with a tab or CR.
        for hidden in [
            " =1+1",
            "\t=cmd",
            "\r\n@SUM(A1)",
            "  -2+3",
            "\tplain",
            "\rplain",
        ] {
            assert!(defuse(hidden).starts_with('\''), "{hidden:?}");
        }
        for number in ["-12.50", " -3", "+4"] {
            assert_eq!(defuse(number), number);
        }
        // Characters XML forbids are dropped.
        assert_eq!(xml_text("a\u{FFFE}b\u{FFFF}c\u{1}d\u{85}e"), "abcde");
        assert_eq!(xml_text("line\r\nnext\tcell"), "line\r\nnext\tcell");
    }

    #[test]
    fn spreadsheet_cells_are_numbers_or_defused_text() {
        let (sender, receiver) = tokio::sync::mpsc::channel(1);
        sender
            .try_send(vec![vec!["=1+1".to_owned(), "12.50".to_owned()]])
            .unwrap();
        drop(sender);
        let file = workbook(
            tempfile::tempfile().unwrap(),
            "payments",
            vec!["reference".to_owned(), "amount".to_owned()],
            vec![false, true],
            receiver,
        )
        .unwrap();
        use calamine::{Data, Reader};
        let mut book = calamine::Xlsx::new(std::io::BufReader::new(file)).unwrap();
        let sheet = book.worksheet_range("payments").unwrap();
        let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(
            rows,
            [
                vec![
                    Data::String("reference".into()),
                    Data::String("amount".into())
                ],
                vec![Data::String("'=1+1".into()), Data::Float(12.5)],
            ]
        );
    }
}
