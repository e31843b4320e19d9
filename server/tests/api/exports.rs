//! Exports of the payments list through the pages' server functions and download
//! addresses: every matching row in CSV, XLSX and XML beyond one batch, the history of
//! money moves, and the electronic-reporting settings that set the download defaults.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::operations::detail;
use crate::payments::{card_payment, key, post};
use app::error::Problem;
use app::payments::{HistoryPage, PaymentsPage};

/// Downloads an export with the session's cookie: the status and the bytes.
async fn download(app: &TestApp, cookie: &str, path: &str) -> (u16, Vec<u8>) {
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

/// Rows of an export in `format`, read back with a CSV reader, an XLSX reader or an XML
/// parser; each row as its cells.
fn parse_export(format: &str, bytes: &[u8], row_element: &str) -> Vec<Vec<String>> {
    match format {
        "csv" => {
            let mut reader = csv::Reader::from_reader(bytes);
            reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect())
                .collect()
        }
        "xlsx" => {
            use calamine::Reader;
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let name = book.sheet_names()[0].clone();
            let range = book.worksheet_range(&name).unwrap();
            range
                .rows()
                .skip(1)
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        }
        _ => {
            let mut reader = quick_xml::Reader::from_reader(bytes);
            let (mut rows, mut row, mut text) = (Vec::new(), Vec::new(), String::new());
            let mut buf = Vec::new();
            loop {
                match reader.read_event_into(&mut buf).unwrap() {
                    quick_xml::events::Event::Eof => break,
                    quick_xml::events::Event::Start(_) => text.clear(),
                    quick_xml::events::Event::Text(t) => text.push_str(&t.decode().unwrap()),
                    quick_xml::events::Event::GeneralRef(r) => {
                        let name = String::from_utf8_lossy(&r);
                        text.push_str(match name.as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            _ => "\"",
                        });
                    }
                    quick_xml::events::Event::End(e) => {
                        if e.name().as_ref() == row_element.as_bytes() {
                            rows.push(std::mem::take(&mut row));
                        } else {
                            row.push(std::mem::take(&mut text));
                        }
                    }
                    _ => {}
                }
                buf.clear();
            }
            rows
        }
    }
}

both_backends!(
    exports_hold_every_matching_row_and_the_history_lists_money_moves,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        // 1,003 payments: more than one export batch of 1,000.
        let mut ids = Vec::new();
        for i in 0..1_003 {
            let mut body = card_payment(1_000 + i, "4111111111111111", "PRE_AUTHORIZATION");
            body["order"]["references"]["merchantReference"] =
                format!("bulk-{i}{}", if i == 7 { ",\"=cmd\"" } else { "" }).into();
            let (_, v) = post(&app, &key, "/payments", &body).await;
            ids.push(v["payment"]["id"].as_str().unwrap().to_owned());
        }
        post(
            &app,
            &key,
            "/payments",
            &card_payment(500, "4000000000009995", "SALE"),
        )
        .await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        let page: PaymentsPage = serde_json::from_str(
            &app.call(
                "ops/payments",
                &[("filter[reference]", "bulk-")],
                Some(&admin),
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(page.total, 1_003);
        for format in ["csv", "xlsx", "xml"] {
            let (status, bytes) = download(
                &app,
                &admin,
                &format!("/operations/payments/export/{format}?reference=bulk-"),
            )
            .await;
            assert_eq!(status, 200, "{format}");
            let rows = parse_export(format, &bytes, "payment");
            assert_eq!(rows.len(), 1_003, "{format}");
            let mut got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
            got.sort_unstable();
            let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
            want.sort_unstable();
            assert_eq!(got, want, "{format}: every id once");
            assert!(
                rows.iter().any(|r| r[3] == "bulk-7,\"=cmd\""),
                "{format}: text survives quoting"
            );
            assert!(!String::from_utf8_lossy(&bytes).contains("4111111111111111"));
        }
        let (status, _) = download(&app, &admin, "/operations/payments/export/pdf").await;
        assert_eq!(status, 404);
        // Without a session: sent to the login page, nothing exported.
        let (status, bytes) = download(
            &app,
            "openpsp_session=nobody",
            "/operations/payments/export/csv",
        )
        .await;
        assert!(matches!(status, 303 | 401), "{status}");
        assert!(!String::from_utf8_lossy(&bytes).contains("bulk-"));

        // The financial history: captures by the operator, a refund and a cancel by the admin.
        for id in &ids[..3] {
            detail(
                app.call(
                    "ops/capture",
                    &[("id", id), ("amount", "5.00")],
                    Some(&operator),
                )
                .await,
            )
            .await;
        }
        detail(
            app.call(
                "ops/refund",
                &[("id", &ids[0]), ("amount", "1.00")],
                Some(&admin),
            )
            .await,
        )
        .await;
        detail(
            app.call("ops/cancel", &[("id", &ids[5])], Some(&admin))
                .await,
        )
        .await;
        let history = |form: Vec<(&'static str, &'static str)>| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let res = app.call("ops/history", &form, Some(&admin)).await;
                res
            }
        };
        let all: HistoryPage =
            serde_json::from_str(&history(vec![("filter[page]", "1")]).await.body).unwrap();
        assert_eq!(
            all.total, 5,
            "authorisations and declines are not money moves"
        );
        assert_eq!(all.rows[0].kind, "cancel", "newest first");
        let captures: HistoryPage = serde_json::from_str(
            &history(vec![
                ("filter[kind]", "capture"),
                ("filter[user]", "operator"),
            ])
            .await
            .body,
        )
        .unwrap();
        assert_eq!(captures.total, 3);
        assert!(captures.rows.iter().all(|r| r.by == "operator"));
        let by_admin: HistoryPage =
            serde_json::from_str(&history(vec![("filter[user]", "admin")]).await.body).unwrap();
        assert_eq!(by_admin.total, 2);
        assert_eq!(
            history(vec![("filter[user]", "nobody")])
                .await
                .error()
                .problem_for("user"),
            Some(&Problem::InvalidIdentifier)
        );
        assert_eq!(
            history(vec![("filter[kind]", "authorise")])
                .await
                .error()
                .problem_for("kind"),
            Some(&Problem::OutOfRange)
        );
        for format in ["csv", "xlsx", "xml"] {
            let (status, bytes) = download(
                &app,
                &admin,
                &format!("/operations/history/export/{format}?kind=capture&user=operator"),
            )
            .await;
            assert_eq!(status, 200);
            let rows = parse_export(format, &bytes, "operation");
            assert_eq!(rows.len(), 3, "{format}");
            assert!(
                rows.iter().all(|r| r[1] == "capture" && r[6] == "operator"),
                "{format}"
            );
        }
        // Another merchant's user sees none of it.
        app.merchant("other").await;
        let stranger = app.session("other", "admin").await;
        let (_, bytes) = download(&app, &stranger, "/operations/history/export/csv").await;
        assert_eq!(parse_export("csv", &bytes, "").len(), 0);
    }
);

both_backends!(
    electronic_reporting_sets_the_download_defaults,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        post(
            &app,
            &key,
            "/payments",
            &card_payment(1_250, "4111111111111111", "SALE"),
        )
        .await;
        let admin = app.session("shop", "admin").await;
        let settings = |format: &'static str, columns: Vec<(&'static str, &'static str)>| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let mut form = vec![
                    ("retry_count", "3"),
                    ("capture_procedure", "immediate"),
                    ("capture_delay_hours", "0"),
                    ("session_minutes", "30"),
                    ("over_capture_percent", "0"),
                    ("web_site", ""),
                    ("report_format", format),
                ];
                form.extend(columns);
                app.call("config/save_payment_settings", &form, Some(&admin))
                    .await
            }
        };
        let res = settings("pdf", vec![]).await;
        assert_eq!(
            res.error().problem_for("report_format"),
            Some(&Problem::OutOfRange)
        );
        let res = settings("xlsx", vec![("report_columns[card_number]", "on")]).await;
        assert_eq!(
            res.error().problem_for("report_columns"),
            Some(&Problem::OutOfRange)
        );
        settings(
            "xlsx",
            vec![
                ("report_columns[amount]", "on"),
                ("report_columns[payment_id]", "on"),
            ],
        )
        .await
        .ok();
        let page: PaymentsPage = serde_json::from_str(
            &app.call("ops/payments", &[("filter[page]", "1")], Some(&admin))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(page.report_format, "xlsx");
        let (_, bytes) = download(&app, &admin, "/operations/payments/export/csv").await;
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text.lines().next(),
            Some("payment_id,amount"),
            "in the download's order"
        );
        assert!(text.contains(",12.50"));
        let (_, bytes) = download(&app, &admin, "/operations/payments/export/xlsx").await;
        assert_eq!(parse_export("xlsx", &bytes, "")[0].len(), 2);
    }
);

both_backends!(
    exports_defuse_hidden_formulas_and_drop_what_xml_forbids,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        for reference in ["\t=1+1", " @SUM(A1)", "\rplain", "a\u{FFFE}b\u{FFFF}c"] {
            let mut body = card_payment(1_000, "4111111111111111", "SALE");
            body["order"]["references"]["merchantReference"] = reference.into();
            let (s, v) = post(&app, &key, "/payments", &body).await;
            assert_eq!(s, 201, "{v}");
        }
        let admin = app.session("shop", "admin").await;
        let (status, bytes) = download(&app, &admin, "/operations/payments/export/csv").await;
        assert_eq!(status, 200);
        let references: Vec<String> = parse_export("csv", &bytes, "payment")
            .into_iter()
            .map(|r| r[3].clone())
            .collect();
        for hidden in ["'\t=1+1", "' @SUM(A1)", "'\rplain"] {
            assert!(
                references.iter().any(|r| r == hidden),
                "{hidden:?} in {references:?}"
            );
        }
        let (status, bytes) = download(&app, &admin, "/operations/payments/export/xml").await;
        assert_eq!(status, 200);
        let xml = String::from_utf8(bytes).unwrap();
        assert!(!xml.contains(['\u{FFFE}', '\u{FFFF}']), "XML forbids them");
        assert!(xml.contains("abc"));
    }
);

/// Reads a whole export table from its first batch on, calling `meanwhile` once after
/// the first batch; the first cell of every row.
async fn read_table(
    table: &server::payments::export::Table,
    meanwhile: impl std::future::Future<Output = ()>,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut batch = (table.batch)(None).await.unwrap();
    let mut meanwhile = Some(meanwhile);
    loop {
        ids.extend(batch.rows.iter().map(|r| r[0].clone()));
        if let Some(m) = meanwhile.take() {
            m.await;
        }
        match batch.next.take() {
            Some(cursor) => batch = (table.batch)(Some(cursor)).await.unwrap(),
            None => break,
        }
    }
    ids
}

both_backends!(
    exports_read_batches_by_keyset_complete_and_in_order_while_payments_arrive,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use server::entities::{merchant, payment};
        use server::payments::export::payments_table;
        use server::payments::records::public_id;
        let key = key(&app, "shop").await;
        // Amounts repeat, so sorting by amount has ties the id must break.
        for i in 0..25 {
            post(
                &app,
                &key,
                "/payments",
                &card_payment(1_000 + (i % 4) * 100, "4111111111111111", "SALE"),
            )
            .await;
        }
        let shop = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        for query in [
            "desc=1",
            "",
            "sort=amount&desc=1",
            "sort=amount",
            "sort=updated&desc=1",
        ] {
            let before = payment::Entity::find()
                .filter(payment::Column::MerchantId.eq(shop.id))
                .all(&app.db)
                .await
                .unwrap();
            // The list's order, computed here: the sort column, then the id.
            let mut want = before.clone();
            want.sort_by(|a, b| {
                let key = |p: &payment::Model| match query {
                    q if q.starts_with("sort=amount") => {
                        (p.amount, chrono::DateTime::UNIX_EPOCH, p.id)
                    }
                    q if q.starts_with("sort=updated") => (0, p.updated_at, p.id),
                    _ => (0, p.created_at, p.id),
                };
                key(a).cmp(&key(b))
            });
            if query.contains("desc=1") {
                want.reverse();
            }
            let want: Vec<String> = want.iter().map(|p| public_id(p.id)).collect();
            let filter = app::payments::PaymentFilter::from_query(query);
            let table = payments_table(
                app.db.clone(),
                shop.id,
                domain::ZonePreference::default(),
                &filter,
                "",
                10,
            )
            .unwrap();
            // A payment arrives after the first batch of ten was read.
            let got = read_table(&table, async {
                post(
                    &app,
                    &key,
                    "/payments",
                    &card_payment(100, "4111111111111111", "SALE"),
                )
                .await;
            })
            .await;
            let known: Vec<String> = got.iter().filter(|id| want.contains(id)).cloned().collect();
            assert_eq!(known, want, "{query}: every row once, in the list's order");
            assert!(got.len() <= want.len() + 1, "{query}: {} rows", got.len());
        }
    }
);

both_backends!(
    a_merchant_runs_two_exports_at_once_and_the_third_is_refused,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use server::entities::merchant;
        use server::payments::export::{ExportPermit, MAX_CONCURRENT_EXPORTS};
        app.merchant("shop").await;
        app.merchant("other").await;
        let admin = app.session("shop", "admin").await;
        let other = app.session("other", "admin").await;
        let shop = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        // Finished exports give their slot back.
        for _ in 0..MAX_CONCURRENT_EXPORTS + 1 {
            let (status, _) = download(&app, &admin, "/operations/payments/export/csv").await;
            assert_eq!(status, 200);
        }
        // Two exports running (their slots held), the next one is refused, whatever
        // the list or the format.
        let running: Vec<ExportPermit> = (0..MAX_CONCURRENT_EXPORTS)
            .map(|_| ExportPermit::try_acquire(&app.config, shop.id).unwrap())
            .collect();
        for path in [
            "/operations/payments/export/csv",
            "/operations/payments/export/xlsx",
            "/operations/history/export/xml",
        ] {
            let (status, body) = download(&app, &admin, path).await;
            assert_eq!(status, 429, "{path}");
            assert!(
                String::from_utf8_lossy(&body).contains("already running"),
                "{path}"
            );
        }
        // Another merchant is not held back.
        let (status, _) = download(&app, &other, "/operations/payments/export/xlsx").await;
        assert_eq!(status, 200);
        // Once one of them ends, the next export runs.
        drop(running);
        let (status, _) = download(&app, &admin, "/operations/payments/export/xlsx").await;
        assert_eq!(status, 200);
    }
);
