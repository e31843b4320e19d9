//! The e-mails a ticket sends: the acknowledgement of a new request, a status change,
//! an information request, a reply from support, being added to a request, and the
//! 7-day close. Each goes to the people who asked for e-mail, never to the person who
//! made the change.

use crate::entities::{support_participant, support_ticket, support_user};
use crate::platform::mail;
use domain::ticket::{Priority, TicketStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// To the reporter, inside the ticket's transaction: the request `reference` was received.
pub(super) async fn request_received<C: ConnectionTrait>(
    txn: &C,
    public_url: &str,
    email: &str,
    reference: &str,
    summary: &str,
    priority: Priority,
) -> Result<(), DbErr> {
    mail::enqueue(
        txn,
        None,
        email,
        &format!("[{reference}] We received your request"),
        format!(
            "Hello,\n\nWe received your request {reference}: {summary}\nPriority: {}\n\nFollow it here: {public_url}/support/requests/{reference}\n\nOpenPSP Support\n",
            priority.code(),
        ),
    )
    .await
}

/// `who` moved the ticket to `to`: an information request when it now waits for the
/// reporter, a status change otherwise.
pub(super) async fn status_changed(
    db: &impl ConnectionTrait,
    public_url: &str,
    t: &support_ticket::Model,
    by: &support_user::Model,
    to: TicketStatus,
) -> Result<(), DbErr> {
    let who = by.display_name();
    let (subject, text) = if to == TicketStatus::WaitingForReporter {
        (
            "Information requested".to_owned(),
            format!("{who} needs more information from you: please answer with a comment."),
        )
    } else {
        (
            format!("Status changed to {}", to.code()),
            format!("{who} changed the status of the request to {}.", to.code()),
        )
    };
    notify(db, public_url, t, by.id, &subject, &text).await
}

/// An agent (`by`) answered the request.
pub(super) async fn support_replied(
    db: &impl ConnectionTrait,
    public_url: &str,
    t: &support_ticket::Model,
    by: i64,
) -> Result<(), DbErr> {
    notify(
        db,
        public_url,
        t,
        by,
        "New reply from support",
        "The support team answered your request.",
    )
    .await
}

/// The request closed by itself, 7 days after it was resolved.
pub(super) async fn closed_after_resolution(
    db: &impl ConnectionTrait,
    public_url: &str,
    t: &support_ticket::Model,
) -> Result<(), DbErr> {
    notify(
        db,
        public_url,
        t,
        0,
        "Closed",
        "The request was resolved 7 days ago and is now closed. Raise a new request if you need more help.",
    )
    .await
}

/// To `person`, if they want e-mail: they now follow the request.
pub(super) async fn participant_added(
    db: &impl ConnectionTrait,
    public_url: &str,
    t: &support_ticket::Model,
    person: &support_user::Model,
) -> Result<(), DbErr> {
    if !person.notify_email {
        return Ok(());
    }
    mail::enqueue(
        db,
        None,
        &person.email,
        &format!("[{}] You were added to a request", t.reference),
        format!(
            "Hello,\n\nYou now follow the request {}: {}\n{public_url}/support/requests/{}\n\nOpenPSP Support\n",
            t.reference, t.summary, t.reference
        ),
    )
    .await
}

/// Who hears of a change: the reporter and the participants who want e-mail, but not
/// the person who made it (`by`).
async fn notify(
    db: &impl ConnectionTrait,
    public_url: &str,
    t: &support_ticket::Model,
    by: i64,
    subject: &str,
    text: &str,
) -> Result<(), DbErr> {
    let mut ids: Vec<i64> = support_participant::Entity::find()
        .filter(support_participant::Column::TicketId.eq(t.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    ids.push(t.reporter_id);
    let people = support_user::Entity::find()
        .filter(support_user::Column::Id.is_in(ids))
        .filter(support_user::Column::Id.ne(by))
        .filter(support_user::Column::NotifyEmail.eq(true))
        .all(db)
        .await?;
    for person in people {
        mail::enqueue(
            db,
            None,
            &person.email,
            &format!("[{}] {subject}", t.reference),
            format!(
                "{text}\n\n{}: {}\n{public_url}/support/requests/{}\n\nOpenPSP Support\n",
                t.reference, t.summary, t.reference
            ),
        )
        .await?;
    }
    Ok(())
}
