//! Ticket attachments (SP-6) through the upload and download addresses the ticket page
//! uses: files checked by type and size, kept outside the site, and shown only to those
//! who see the ticket.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::support::{json, raise};
use crate::support_knowledge::knowledge;
use sea_orm::{EntityTrait, PaginatorTrait};

/// Posts files as the ticket page's form does: the status and the redirect's address.
async fn upload(
    app: &TestApp,
    cookie: &str,
    reference: &str,
    files: &[(&str, Vec<u8>)],
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let res = app
        .http
        .post(format!(
            "{}/support/requests/{reference}/attachments",
            app.base
        ))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), crate::helpers::location(&res))
}

async fn download(app: &TestApp, cookie: &str, id: i64) -> reqwest::Response {
    app.http
        .get(format!("{}/support/attachments/{id}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

both_backends!(
    attachments_are_checked_kept_outside_the_site_and_shown_only_to_who_sees_the_ticket,
    &[],
    |app: TestApp| async move {
        use server::entities::support_attachment;
        let [agent, alice, bob, carol] = knowledge(&app).await;
        let reference = raise(&app, &alice, "incident", "Receipt printer", "See the photo").await;
        let png = [b"\x89PNG\r\n\x1a\n".to_vec(), vec![7u8; 2000]].concat();
        let answer = upload(
            &app,
            &alice,
            &reference,
            &[
                ("photo.png", png.clone()),
                ("log.txt", b"05 refused\n".to_vec()),
            ],
        )
        .await;
        assert_eq!(
            answer,
            (303, format!("/support/requests/{reference}?attached=2"))
        );
        let res = app
            .call(
                "support/request",
                &[("reference", &reference)],
                Some(&alice),
            )
            .await;
        let detail = json(&res.ok().body);
        let files = detail["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0]["name"], "photo.png");
        assert_eq!(files[0]["content_type"], "image/png");
        assert_eq!(files[0]["size"], png.len());
        let id = files[0]["id"].as_i64().unwrap();
        // Kept in the data directory, never under the site root.
        let stored = support_attachment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let path = app
            .config
            .data_dir
            .join("attachments")
            .join(&stored.storage_key);
        assert_eq!(std::fs::read(&path).unwrap(), png);
        assert!(!stored.storage_key.contains('/') && !stored.storage_key.contains(".."));

        let res = download(&app, &alice, id).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"));
        assert_eq!(res.bytes().await.unwrap().to_vec(), png);
        // The agent may; another organization may not, nor a coworker before sharing.
        assert_eq!(download(&app, &agent, id).await.status().as_u16(), 200);
        assert_eq!(download(&app, &carol, id).await.status().as_u16(), 404);
        assert_eq!(download(&app, &bob, id).await.status().as_u16(), 404);
        // Nobody outside the ticket can add to it either.
        assert_eq!(
            upload(&app, &carol, &reference, &[("x.txt", b"hi".to_vec())])
                .await
                .0,
            404
        );
        // Shared with Demo Retail: Bob may download it now.
        app.call(
            "support/share",
            &[("reference", &reference), ("shared", "true")],
            Some(&alice),
        )
        .await
        .ok();
        assert_eq!(download(&app, &bob, id).await.status().as_u16(), 200);

        // Refused files: the reason comes back to the page, and nothing is kept.
        let refused = |code: &str| {
            (
                303,
                format!("/support/requests/{reference}?attach_error={code}"),
            )
        };
        let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
        assert_eq!(
            upload(&app, &alice, &reference, &[("tool.exe", program.clone())]).await,
            refused("type")
        );
        assert_eq!(
            upload(&app, &alice, &reference, &[("invoice.pdf", program)]).await,
            refused("type")
        );
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("invoice.pdf", b"plain text, not a PDF".to_vec())]
            )
            .await,
            refused("disguised")
        );
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("page.txt", b"<html><script>alert(1)</script>".to_vec())]
            )
            .await,
            refused("type")
        );
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("big.txt", vec![b'a'; domain::attachment::MAX_BYTES + 1])]
            )
            .await,
            refused("too_large")
        );
        assert_eq!(
            upload(&app, &alice, &reference, &[("empty.txt", Vec::new())]).await,
            refused("empty")
        );
        let six: Vec<(&str, Vec<u8>)> = (0..6).map(|_| ("n.txt", b"note".to_vec())).collect();
        assert_eq!(
            upload(&app, &alice, &reference, &six).await,
            refused("too_many")
        );
        // One bad file among good ones: none is kept.
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[
                    ("ok.txt", b"fine".to_vec()),
                    ("bad.png", b"not png".to_vec())
                ]
            )
            .await,
            refused("disguised")
        );
        assert_eq!(
            support_attachment::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            2
        );
        let kept = std::fs::read_dir(app.config.data_dir.join("attachments"))
            .unwrap()
            .count();
        assert_eq!(kept, 2, "no stray file on disk");
        // Not signed in: to the portal's sign-in.
        let (status, location) = upload(&app, "", &reference, &[("a.txt", b"a".to_vec())]).await;
        assert_eq!((status, location.as_str()), (303, "/support/login"));
        let res = download(&app, "", id).await;
        assert_eq!(res.status().as_u16(), 303);
        assert!(res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/support/login"));
    }
);

both_backends!(
    an_organization_s_attachments_stay_within_its_storage_quota,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
        use server::entities::{support_attachment, support_ticket};
        // The organizations' storage quota: 500 MiB.
        const ORGANIZATION_QUOTA_BYTES: i64 = 500 * 1024 * 1024;
        let [_agent, alice, _bob, carol] = knowledge(&app).await;
        let reference = raise(&app, &alice, "incident", "Terminal logs", "Attached").await;
        let ticket = support_ticket::Entity::find()
            .filter(support_ticket::Column::Reference.eq(reference.clone()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        // A file of three megabytes arrives in many parts and comes back byte for byte.
        let log: Vec<u8> = (0..3_000_000u32)
            .map(|i| b"0123456789abcdef\n"[(i % 17) as usize])
            .collect();
        assert_eq!(
            upload(&app, &alice, &reference, &[("terminal.log", log.clone())]).await,
            (303, format!("/support/requests/{reference}?attached=1"))
        );
        let stored = support_attachment::Entity::find()
            .filter(support_attachment::Column::TicketId.eq(ticket.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.size, log.len() as i64);
        assert_eq!(
            stored.sha256,
            server::platform::crypto::sha256_hex(&log),
            "hashed as it streamed"
        );
        let res = download(&app, &alice, stored.id).await;
        assert_eq!(res.bytes().await.unwrap().to_vec(), log);

        // The organization's earlier attachments fill its storage but for 1,000 bytes.
        support_attachment::ActiveModel {
            ticket_id: Set(ticket.id),
            comment_id: Set(None),
            uploader_id: Set(stored.uploader_id),
            file_name: Set("archive.zip".into()),
            content_type: Set("application/zip".into()),
            size: Set(ORGANIZATION_QUOTA_BYTES - 1_000 - stored.size),
            sha256: Set(String::new()),
            storage_key: Set("accounted".into()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let rows = || async {
            support_attachment::Entity::find()
                .count(&app.db)
                .await
                .unwrap()
        };
        let files = || {
            let mut names: Vec<String> = std::fs::read_dir(app.config.data_dir.join("attachments"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let (rows_before, files_before) = (rows().await, files());
        // Over the quota: refused whole, no row and no file (not even a partial one) left.
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("a.txt", vec![b'a'; 600]), ("b.txt", vec![b'b'; 600])]
            )
            .await,
            (
                303,
                format!("/support/requests/{reference}?attach_error=storage_full")
            )
        );
        assert_eq!(rows().await, rows_before);
        assert_eq!(files(), files_before);
        // What still fits is kept.
        assert_eq!(
            upload(&app, &alice, &reference, &[("c.txt", vec![b'c'; 1_000])]).await,
            (303, format!("/support/requests/{reference}?attached=1"))
        );
        assert_eq!(rows().await, rows_before + 1);
        // Another organization has its own quota.
        let theirs = raise(&app, &carol, "incident", "Their printer", "Logs").await;
        assert_eq!(
            upload(&app, &carol, &theirs, &[("d.txt", vec![b'd'; 5_000])]).await,
            (303, format!("/support/requests/{theirs}?attached=1"))
        );
    }
);

both_backends!(
    a_person_in_no_organization_has_one_quota_across_their_tickets,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};
        use server::entities::{support_attachment, support_ticket};
        // The storage quota: 500 MiB.
        const QUOTA_BYTES: i64 = 500 * 1024 * 1024;
        let [_agent, alice, _bob, _carol] = knowledge(&app).await;
        let first = raise(&app, &alice, "incident", "Terminal logs", "Attached").await;
        let second = raise(&app, &alice, "incident", "More logs", "Attached").await;
        // Both tickets belong to no organization (a person without one raised them).
        support_ticket::Entity::update_many()
            .col_expr(
                support_ticket::Column::OrganizationId,
                sea_orm::sea_query::Expr::value(Option::<i64>::None),
            )
            .filter(support_ticket::Column::Reference.is_in([first.clone(), second.clone()]))
            .exec(&app.db)
            .await
            .unwrap();
        let ticket = support_ticket::Entity::find()
            .filter(support_ticket::Column::Reference.eq(first.clone()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        // The first ticket's attachments fill the person's storage but for 1,000 bytes.
        support_attachment::ActiveModel {
            ticket_id: Set(ticket.id),
            comment_id: Set(None),
            uploader_id: Set(ticket.reporter_id),
            file_name: Set("archive.zip".into()),
            content_type: Set("application/zip".into()),
            size: Set(QUOTA_BYTES - 1_000),
            sha256: Set(String::new()),
            storage_key: Set("accounted".into()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        // The second ticket shares that quota: 2,000 bytes do not fit, 500 do.
        assert_eq!(
            upload(&app, &alice, &second, &[("a.txt", vec![b'a'; 2_000])]).await,
            (
                303,
                format!("/support/requests/{second}?attach_error=storage_full")
            )
        );
        assert_eq!(
            upload(&app, &alice, &second, &[("b.txt", vec![b'b'; 500])]).await,
            (303, format!("/support/requests/{second}?attached=1"))
        );
    }
);
