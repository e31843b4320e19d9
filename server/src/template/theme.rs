//! The payer's pages' template (MB-14) as the browser gets it, within the CSP
//! (`style-src 'self'`, `img-src 'self'`): a stylesheet generated from the checked
//! colours at `/pay/theme/{id}.css` and the logo at `/pay/theme/{id}/logo`, both under
//! the template's random id (never the merchant's), each URL carrying the template's
//! version so a change shows at once while a version is cached for long. The logo is
//! uploaded by a plain multipart form (`/configuration/template/logo`).

use crate::entities::page_theme;
use app::template::{ThemeLink, LOGO_MAX_BYTES, LOGO_MAX_HEIGHT, LOGO_MAX_WIDTH};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use tower_sessions::Session;

/// Why a logo is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoError {
    /// Nothing sent.
    Empty,
    /// Over [`LOGO_MAX_BYTES`].
    TooLarge,
    /// Not a PNG or JPEG by its first bytes (an SVG, say), or unreadable.
    Type,
    /// Wider or taller than allowed.
    Dimensions,
}

impl LogoError {
    /// The code the upload's redirect carries (`?logo_error=`).
    pub fn code(self) -> &'static str {
        match self {
            LogoError::Empty => "empty",
            LogoError::TooLarge => "too_large",
            LogoError::Type => "type",
            LogoError::Dimensions => "dimensions",
        }
    }
}

/// The content type of a logo, from its magic bytes and decoded header: PNG or JPEG
/// only, at most 200 KiB and 600 × 200 pixels.
pub fn check_logo(bytes: &[u8]) -> Result<&'static str, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(LogoError::TooLarge);
    }
    let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else {
        return Err(LogoError::Type);
    };
    let size = imagesize::blob_size(bytes).map_err(|_| LogoError::Type)?;
    // The header must say the same kind as the magic bytes.
    match (imagesize::image_type(bytes), content_type) {
        (Ok(imagesize::ImageType::Png), "image/png")
        | (Ok(imagesize::ImageType::Jpeg), "image/jpeg") => {}
        _ => return Err(LogoError::Type),
    }
    if size.width == 0 || size.height == 0 {
        return Err(LogoError::Type);
    }
    if size.width > LOGO_MAX_WIDTH || size.height > LOGO_MAX_HEIGHT {
        return Err(LogoError::Dimensions);
    }
    Ok(content_type)
}

/// What a payer's page links for merchant `merchant_id`: `None` without a template.
pub async fn link<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
) -> Result<Option<ThemeLink>, DbErr> {
    Ok(page_theme::Entity::find_by_id(merchant_id)
        .one(conn)
        .await?
        .map(|t| link_of(&t)))
}

/// The URLs of a template.
pub fn link_of(t: &page_theme::Model) -> ThemeLink {
    ThemeLink {
        css: format!("/pay/theme/{}.css?v={}", t.theme_id, t.version),
        logo: t
            .logo
            .is_some()
            .then(|| format!("/pay/theme/{}/logo?v={}", t.theme_id, t.version)),
    }
}

/// Long caching: the URL changes with each version.
const CACHED: &str = "public, max-age=31536000, immutable";

fn by_theme_id(id: &str) -> sea_orm::Select<page_theme::Entity> {
    page_theme::Entity::find().filter(page_theme::Column::ThemeId.eq(id))
}

/// `GET /pay/theme/{id}.css`: the stylesheet, written from the stored colours checked
/// again (a row that does not pass gives the defaults).
pub async fn stylesheet(
    State(db): State<DatabaseConnection>,
    Path(file): Path<String>,
) -> Response {
    let Some(id) = file.strip_suffix(".css") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let row = match by_theme_id(id).one(&db).await {
        Ok(Some(row)) => row,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "theme not read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let theme = domain::theme::check([
        &row.primary_colour,
        &row.button_text_colour,
        &row.background_colour,
        &row.text_colour,
    ])
    .unwrap_or(domain::theme::DEFAULT);
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHED),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        domain::theme::stylesheet(&theme),
    )
        .into_response()
}

/// `GET /pay/theme/{id}/logo`: the logo with its content type.
pub async fn logo(State(db): State<DatabaseConnection>, Path(id): Path<String>) -> Response {
    let row = match by_theme_id(&id).one(&db).await {
        Ok(Some(row)) => row,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "logo not read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (Some(bytes), Some(kind)) = (row.logo, row.logo_type) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Only the two types ever stored are served as images.
    let kind = match kind.as_str() {
        "image/png" => "image/png",
        "image/jpeg" => "image/jpeg",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, CACHED),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    response
}

/// `POST /configuration/template/logo`: a plain multipart form with the file in `logo`;
/// back to the page with `?logo=saved` or `?logo_error={code}`. Reading stops past the
/// size limit.
pub async fn upload(
    session: Session,
    State(ports): State<app::ports::Ports>,
    connect: Result<
        axum::extract::ConnectInfo<std::net::SocketAddr>,
        axum::extract::rejection::ExtensionRejection,
    >,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let page = "/configuration/template";
    let Ok(Some(actor)) = session
        .get::<app::account::Actor>(app::account::ACTOR_SESSION_KEY)
        .await
    else {
        return Redirect::to("/login").into_response();
    };
    // A refusal may come before the whole body was read: the connection is not reused.
    let refused = |code: &str| {
        (
            [(header::CONNECTION, "close")],
            Redirect::to(&format!("{page}?logo_error={code}")),
        )
            .into_response()
    };
    let Ok(mut multipart) = multipart else {
        return refused(LogoError::Empty.code());
    };
    let mut bytes = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) if field.name() == Some("logo") => loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if bytes.len() + chunk.len() > LOGO_MAX_BYTES {
                            return refused(LogoError::TooLarge.code());
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(_) => return refused(LogoError::TooLarge.code()),
                }
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return refused(LogoError::TooLarge.code()),
        }
    }
    let ip = connect
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned());
    match ports.template.save_logo(&actor, bytes, &ip).await {
        Ok(()) => Redirect::to(&format!("{page}?logo=saved")).into_response(),
        Err(app::error::AppError::Invalid(problems)) => {
            let code = problems
                .first()
                .and_then(|p| match p.problem {
                    app::error::Problem::OutOfRange => Some("dimensions"),
                    ref other => other.upload_code(),
                })
                .unwrap_or("type");
            refused(code)
        }
        Err(app::error::AppError::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(app::error::AppError::Unauthenticated) => Redirect::to("/login").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1 × 1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60,
        0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn logos_are_png_or_jpeg_within_limits() {
        assert_eq!(check_logo(PNG), Ok("image/png"));
        assert_eq!(check_logo(b""), Err(LogoError::Empty));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(check_logo(svg), Err(LogoError::Type));
        let mut wide = PNG.to_vec();
        wide[16..20].copy_from_slice(&700u32.to_be_bytes());
        assert_eq!(check_logo(&wide), Err(LogoError::Dimensions));
        let mut big = PNG.to_vec();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert_eq!(check_logo(&big), Err(LogoError::TooLarge));
    }
}
