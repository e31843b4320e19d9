//! The outbox is delivered through a real SMTP conversation when a relay is configured.

use crate::both_backends;
use crate::helpers::*;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryOrder, Set};
use server::entities::email_outbox;
use server::platform::config::SmtpConfig;
use server::platform::mail::{deliver_pending, SmtpSender};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP relay on loopback that accepts every message and keeps its DATA.
async fn smtp_relay(refuse_first: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        let mut refuse = refuse_first;
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 relay.test ESMTP\r\n").await.unwrap();
            let mut data: Option<String> = None;
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(body) = data.as_mut() {
                    if line == "." {
                        store.lock().unwrap().push(std::mem::take(body));
                        data = None;
                        write.write_all(b"250 queued\r\n").await.unwrap();
                    } else {
                        body.push_str(&line);
                        body.push('\n');
                    }
                    continue;
                }
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250-relay.test\r\n250 8BITMIME\r\n",
                    "MAIL" if refuse => {
                        refuse = false;
                        b"451 try again later\r\n"
                    }
                    "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                    "DATA" => {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"502 unknown\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
        }
    });
    (port, received)
}

/// Asks for a password reset of the shop's operator: one mail with a reset link.
async fn request_reset(app: &TestApp) {
    app.call(
        "request_password_reset",
        &[("env", "test"), ("pspid", "shop"), ("user_id", "operator")],
        None,
    )
    .await
    .ok();
}

/// A sender through the test relay on `port`.
fn relay_sender(port: u16) -> SmtpSender {
    SmtpSender::new(
        &SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            username: None,
            password: None,
            tls: "none".into(),
        },
        "OpenPSP <no-reply@openpsp.test>",
    )
    .unwrap()
}

both_backends!(
    outbox_is_delivered_by_smtp_and_retried,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        request_reset(&app).await;
        let (port, received) = smtp_relay(true).await;
        let sender = relay_sender(port);

        // The mail's job: the relay refuses the first try, the mail stays queued with
        // the error and the job is retried later.
        let job = server::entities::job::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .expect("a send_email job");
        assert_eq!(job.kind, "send_email");
        let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .worker(Some(sender));
        assert!(runner.run_once().await.unwrap());
        let job = server::entities::job::Entity::find_by_id(job.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 1));
        assert!(job.run_at > chrono::Utc::now(), "retried after a backoff");
        let sender = relay_sender(port);
        let row = email_outbox::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.attempts, 1);
        assert!(row.sent_at.is_none());
        assert!(row.last_error.as_deref().unwrap_or("").contains("451"));

        assert_eq!(deliver_pending(&app.db, &sender).await.unwrap(), 1);
        let row = email_outbox::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.sent_at.is_some());
        // Once sent, the stored copy no longer holds the reset link.
        assert_eq!(row.body_text, server::platform::mail::FORGOTTEN_BODY);
        assert!(!row.body_text.contains("reset-password"));
        let mails = received.lock().unwrap().clone();
        assert_eq!(mails.len(), 1);
        assert!(mails[0].contains("Subject: Reset your OpenPSP password"));
        assert!(
            mails[0].contains("reset-password"),
            "the mail itself carries the link"
        );
        assert!(mails[0].contains("operator@shop.example"));
        // Nothing is sent twice.
        assert_eq!(deliver_pending(&app.db, &sender).await.unwrap(), 0);
    }
);

both_backends!(
    unsent_mail_forgets_its_link_once_it_has_expired,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        request_reset(&app).await;
        let row = email_outbox::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.body_text.contains("reset-password?token="));
        let forget = server::platform::mail::forget_stale_bodies;
        // Still within the link's lifetime: kept for the relay (or the mailbox).
        let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        assert_eq!(forget(&app.db, an_hour_ago, 100).await.unwrap(), 0);
        assert_eq!(
            forget(
                &app.db,
                chrono::Utc::now() + chrono::Duration::seconds(1),
                100
            )
            .await
            .unwrap(),
            1
        );
        let row = email_outbox::Entity::find_by_id(row.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.body_text, server::platform::mail::FORGOTTEN_BODY);
        // Forgetting twice changes nothing.
        assert_eq!(
            forget(
                &app.db,
                chrono::Utc::now() + chrono::Duration::seconds(1),
                100
            )
            .await
            .unwrap(),
            0
        );

        // The job runner's housekeeping forgets a mail queued more than a day ago.
        request_reset(&app).await;
        let fresh = email_outbox::Entity::find()
            .order_by_desc(email_outbox::Column::Id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(fresh.body_text.contains("reset-password?token="));
        let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .worker(None);
        runner.housekeeping().await;
        let kept = email_outbox::Entity::find_by_id(fresh.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.body_text, fresh.body_text, "a fresh link is kept");
        let mut old = kept.into_active_model();
        old.created_at = Set(chrono::Utc::now() - chrono::Duration::hours(25));
        old.update(&app.db).await.unwrap();
        runner.housekeeping().await;
        let gone = email_outbox::Entity::find_by_id(fresh.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gone.body_text, server::platform::mail::FORGOTTEN_BODY);
    }
);

both_backends!(
    the_development_mailbox_is_closed_unless_asked_for,
    &[],
    |app: TestApp| async move {
        let res = app
            .http
            .get(format!("{}/dev/mailbox", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404);
        let res = app.call("mailbox", &[], None).await;
        assert_eq!(res.error(), app::error::AppError::NotFound);
    }
);

both_backends!(
    the_development_mailbox_opens_with_its_setting,
    &[("OPENPSP_DEV_MAILBOX", "on")],
    |app: TestApp| async move {
        let res = app
            .http
            .get(format!("{}/dev/mailbox", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        app.call("mailbox", &[], None).await.ok();
    }
);

both_backends!(
    production_never_opens_the_development_mailbox,
    &[
        ("OPENPSP_DEV_MAILBOX", "on"),
        ("OPENPSP_ENVIRONMENT", "production")
    ],
    |app: TestApp| async move {
        let res = app
            .http
            .get(format!("{}/dev/mailbox", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404);
        let res = app.call("mailbox", &[], None).await;
        assert_eq!(res.error(), app::error::AppError::NotFound);
    }
);
