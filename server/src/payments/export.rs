//! Exports of the back office's lists (MB-31, MB-37): every row matching the filter, not
//! only the page, read in batches so a large export keeps memory flat, as CSV, XML or
//! XLSX. CSV and XML are streamed to the client batch by batch; XLSX (a zip) is written
//! batch by batch to a temporary file, then streamed. Dates are in the user's time zone;
//! cells that a spreadsheet would run as a formula are defused.

use crate::account::service::load_actor;
use crate::entities::{operation, payment};
use crate::payments::history::history_filtered;
use crate::payments::list::filtered;
use crate::payments::records::{ledger, public_id, stored_money};
use app::account::{Actor, ACTOR_SESSION_KEY};
use app::payments::{HistoryFilter, PaymentFilter};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::ZonePreference;
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr, PaginatorTrait};
use std::io::Write;
use std::sync::Arc;
use tower_sessions::Session;

/// Rows read per query.
const BATCH: u64 = 1000;

/// The payments export's columns, in order.
pub const PAYMENT_COLUMNS: [&str; 12] = app::payments::EXPORT_COLUMNS;

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
/// of rows (page `n`, each row one cell per column).
#[derive(Clone)]
pub struct Table {
    /// XML root element and file name stem, e.g. `payments`.
    pub plural: &'static str,
    /// XML row element, e.g. `payment`.
    pub singular: &'static str,
    /// Column names.
    pub columns: Vec<&'static str>,
    /// Reads page `n` (of [`BATCH`] rows).
    pub batch: BatchReader,
}

/// Reads one page of an export's rows, each row one cell per column.
pub type BatchReader =
    Arc<dyn Fn(u64) -> BoxFuture<'static, Result<Vec<Vec<String>>, DbErr>> + Send + Sync>;

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
    ]
}

/// One CSV cell: quoted when needed, formulas defused.
fn csv_cell(value: &str) -> String {
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
    futures_util::stream::unfold(Some((0u64, Some(head))), move |state| {
        let table = table.clone();
        async move {
            let (page, head) = state?;
            if let Some(head) = head {
                return Some((Ok(Bytes::from(head)), Some((page, None))));
            }
            match (table.batch)(page).await {
                Ok(rows) if rows.is_empty() => {
                    let tail = match format {
                        Format::Csv => String::new(),
                        _ => format!("</{}>\n", table.plural),
                    };
                    Some((Ok(Bytes::from(tail)), None))
                }
                Ok(rows) => Some((
                    Ok(Bytes::from(render(format, &table, &rows))),
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

/// Column letters: 0 → A, 26 → AA.
fn column_letter(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn xlsx_row(out: &mut String, row: usize, values: &[String], numeric: &[bool]) {
    out.push_str(&format!("<row r=\"{row}\">"));
    for (i, value) in values.iter().enumerate() {
        let cell = format!("{}{row}", column_letter(i));
        if numeric.get(i).copied().unwrap_or(false) && value.parse::<f64>().is_ok() {
            out.push_str(&format!("<c r=\"{cell}\"><v>{value}</v></c>"));
        } else {
            out.push_str(&format!(
                "<c r=\"{cell}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                xml_text(&defuse(value))
            ));
        }
    }
    out.push_str("</row>");
}

const XLSX_CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const XLSX_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const XLSX_WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// Writes the whole table as an XLSX workbook into `file`, batch by batch.
async fn write_xlsx(table: &Table, file: std::fs::File) -> Result<std::fs::File, std::io::Error> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let io = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    for (name, body) in [
        ("[Content_Types].xml", XLSX_CONTENT_TYPES.to_owned()),
        ("_rels/.rels", XLSX_RELS.to_owned()),
        ("xl/_rels/workbook.xml.rels", XLSX_WORKBOOK_RELS.to_owned()),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                table.plural
            ),
        ),
    ] {
        zip.start_file(name, options).map_err(io)?;
        zip.write_all(body.as_bytes())?;
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .map_err(io)?;
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    )?;
    let numeric: Vec<bool> = table.columns.iter().map(|c| NUMERIC.contains(c)).collect();
    let header: Vec<String> = table.columns.iter().map(|c| (*c).to_owned()).collect();
    let mut chunk = String::new();
    xlsx_row(&mut chunk, 1, &header, &[]);
    let mut row = 1;
    let mut page = 0;
    loop {
        let rows = (table.batch)(page)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if rows.is_empty() {
            break;
        }
        for values in &rows {
            row += 1;
            xlsx_row(&mut chunk, row, values, &numeric);
        }
        zip.write_all(chunk.as_bytes())?;
        chunk.clear();
        page += 1;
    }
    zip.write_all(chunk.as_bytes())?;
    zip.write_all(b"</sheetData></worksheet>")?;
    zip.finish().map_err(io)
}

/// The export of `table` as a download.
pub async fn download(table: Table, format: Format) -> Response {
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
        Format::Csv | Format::Xml => Body::from_stream(stream(table, format)),
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
            Body::from_stream(tokio_util::io::ReaderStream::new(file))
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

/// The payments matching `filter` as an export table, with the merchant's chosen columns
/// (MB-20; all when none is chosen).
pub fn payments_table(
    db: DatabaseConnection,
    select: sea_orm::Select<payment::Entity>,
    zone: ZonePreference,
    chosen: &str,
) -> Table {
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
    Table {
        plural: "payments",
        singular: "payment",
        columns: keep.iter().map(|i| PAYMENT_COLUMNS[*i]).collect(),
        batch: Arc::new(move |page| {
            let (db, select, zone, keep) = (db.clone(), select.clone(), zone.clone(), keep.clone());
            Box::pin(async move {
                let rows = select.paginate(&db, BATCH).fetch_page(page).await?;
                Ok(rows
                    .iter()
                    .map(|p| {
                        let cells = payment_cells(p, &zone);
                        keep.iter().map(|i| cells[*i].clone()).collect()
                    })
                    .collect())
            })
        }),
    }
}

/// `GET /operations/payments/export/{csv|xml|xlsx}?<the list's filter>`.
pub async fn payments(
    State(db): State<DatabaseConnection>,
    session: Session,
    Path(format): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (format, merchant, zone) = match caller(&db, &session, &format).await {
        Ok(caller) => caller,
        Err(status) => return status.into_response(),
    };
    let filter = PaymentFilter::from_query(query.as_deref().unwrap_or(""));
    let Ok(select) = filtered(merchant.id, &zone, &filter) else {
        return (StatusCode::BAD_REQUEST, "the filter is not valid").into_response();
    };
    let table = payments_table(db.clone(), select, zone, &merchant.report_columns);
    download(table, format).await
}

/// The operations of the financial history as an export table.
pub fn history_table(
    db: DatabaseConnection,
    select: sea_orm::Select<operation::Entity>,
    zone: ZonePreference,
) -> Table {
    Table {
        plural: "operations",
        singular: "operation",
        columns: HISTORY_COLUMNS.to_vec(),
        batch: Arc::new(move |page| {
            let (db, select, zone) = (db.clone(), select.clone(), zone.clone());
            Box::pin(async move {
                let ops = select.paginate(&db, BATCH).fetch_page(page).await?;
                history_cells(&db, &ops, &zone).await
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
    State(db): State<DatabaseConnection>,
    session: Session,
    Path(format): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (format, merchant, zone) = match caller(&db, &session, &format).await {
        Ok(caller) => caller,
        Err(status) => return status.into_response(),
    };
    let filter = HistoryFilter::from_query(query.as_deref().unwrap_or(""));
    let Ok(select) = history_filtered(&db, merchant.id, &zone, &filter).await else {
        return (StatusCode::BAD_REQUEST, "the filter is not valid").into_response();
    };
    download(history_table(db.clone(), select, zone), format).await
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
    fn spreadsheet_columns_are_lettered() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(11), "L");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        let mut row = String::new();
        xlsx_row(
            &mut row,
            2,
            &["=1+1".to_owned(), "12.50".to_owned()],
            &[false, true],
        );
        assert!(row.contains("<t xml:space=\"preserve\">'=1+1</t>"), "{row}");
        assert!(row.contains("<c r=\"B2\"><v>12.50</v></c>"), "{row}");
    }
}
