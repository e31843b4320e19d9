//! Ticket attachments over plain HTTP (SP-6): the multipart upload that works without
//! WebAssembly, and the download, for those who may see the ticket.

use crate::state::AppState;
use crate::support::tickets::SupportTicketService;
use app::ports::Ports;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use tower_sessions::Session;

/// Attaches the files of a plain multipart form to a ticket (SP-6), then goes back to
/// the ticket's page, saying how many were attached or why none was. The form works
/// without WebAssembly; the new-ticket page submits it once the ticket exists. Each file
/// is written to the data directory as its parts arrive, only after the ticket was found
/// open to the actor, and receiving stops at the first file over the size limit.
pub async fn upload(
    session: Session,
    State(state): State<AppState>,
    axum::extract::Path(reference): axum::extract::Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    use app::error::{AppError, Problem};
    let Ok(Some(actor)) = session
        .get::<app::support::accounts::SupportActor>(
            app::support::accounts::SUPPORT_ACTOR_SESSION_KEY,
        )
        .await
    else {
        return Redirect::to("/support/login").into_response();
    };
    let page = format!("/support/requests/{}", app::url::encode(&reference));
    let refused = |problem: Problem, raised: bool| {
        let code = problem.upload_code().unwrap_or("required");
        let raised = if raised { "&raised=1" } else { "" };
        Redirect::to(&format!("{page}?attach_error={code}{raised}")).into_response()
    };
    let failed = |error: AppError, raised: bool| match error {
        AppError::Invalid(problems) => refused(
            problems
                .into_iter()
                .next()
                .map(|p| p.problem)
                .unwrap_or(Problem::Required),
            raised,
        ),
        AppError::NotFound => StatusCode::NOT_FOUND.into_response(),
        AppError::Unauthenticated => Redirect::to("/support/login").into_response(),
        AppError::NotAllowedNow => StatusCode::CONFLICT.into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let tickets = SupportTicketService::new(state.db.clone(), state.config.clone());
    // Nothing is received for a ticket the actor may not attach to.
    if let Err(e) = tickets.attach_target(&actor, &reference).await {
        return failed(e, false);
    }
    let Ok(mut multipart) = multipart else {
        return refused(Problem::Required, false);
    };
    // Received files are removed when dropped unless kept: on every early return below.
    let mut files = Vec::new();
    let mut raised = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("file") => {
                    if files.len() >= domain::attachment::MAX_FILES {
                        return refused(Problem::TooManyFiles, raised);
                    }
                    let name = field.file_name().unwrap_or_default().to_owned();
                    let file = match tickets.receive_file(name, Box::pin(field)).await {
                        Ok(file) => file,
                        Err(e) => return failed(e, raised),
                    };
                    // A file input left empty still sends a part without a name.
                    if file.name().is_empty() && file.size() == 0 {
                        continue;
                    }
                    files.push(file);
                }
                Some("raised") => raised = true,
                _ => {}
            },
            Ok(None) => break,
            // The body went over the limit, or is not a multipart form.
            Err(_) => return refused(Problem::FileTooLarge, raised),
        }
    }
    let raised_part = if raised { "&raised=1" } else { "" };
    match tickets.attach_received(&actor, &reference, files).await {
        Ok(n) => Redirect::to(&format!("{page}?attached={n}{raised_part}")).into_response(),
        Err(e) => failed(e, raised),
    }
}

/// An attachment's bytes, for those who may see its ticket; always downloaded, never
/// shown in the portal's origin, and sandboxed should a browser open it anyway.
pub async fn download(
    session: Session,
    State(ports): State<Ports>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    let Ok(Some(actor)) = session
        .get::<app::support::accounts::SupportActor>(
            app::support::accounts::SUPPORT_ACTOR_SESSION_KEY,
        )
        .await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // A file is read whole (at most its 10 MB limit) and held until the client has it:
    // at most this many at once, so downloads cannot hold more than that many files in
    // memory, however slowly clients read; the others wait.
    static DOWNLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(16);
    let Ok(permit) = DOWNLOADS.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    match ports.support_tickets.attachment(&actor, id).await {
        Ok((file, bytes)) => {
            let ascii: String = file
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() || c == ' ' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let disposition = format!(
                "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                app::url::encode(&file.name)
            );
            // The body keeps the permit until it is sent or the client goes away.
            let bytes = axum::body::Bytes::from(bytes);
            let chunks: Vec<axum::body::Bytes> = (0..bytes.len())
                .step_by(64 * 1024)
                .map(|at| bytes.slice(at..bytes.len().min(at + 64 * 1024)))
                .collect();
            let stream = futures_util::stream::iter(chunks).map(move |chunk| {
                let _held = &permit;
                Ok::<_, std::convert::Infallible>(chunk)
            });
            let mut response = axum::body::Body::from_stream(stream).into_response();
            let headers = response.headers_mut();
            for (name, value) in [
                (header::CONTENT_TYPE, file.content_type.as_str()),
                (header::CONTENT_DISPOSITION, disposition.as_str()),
                (header::CACHE_CONTROL, "private, no-store"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "sandbox; default-src 'none'",
                ),
            ] {
                if let Ok(value) = HeaderValue::from_str(value) {
                    headers.insert(name, value);
                }
            }
            response
        }
        Err(app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(app::error::AppError::Unauthenticated) => StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
