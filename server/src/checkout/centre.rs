//! Data centres of hosted pages (PL-4). A hosted checkout or tokenization is created in
//! one of its cluster's data centres, stores it, and its pages are served only at that
//! centre's address: `/pay/{centre}/{id}`, `/pay/{centre}/3ds/{id}` and
//! `/pay/{centre}/tokenize/{id}`. The same page asked at another centre — another of this
//! cluster's, or a centre of another cluster — gets a plain "not found" page in the
//! payer's language, never the checkout. Sessions made before centres were stored are
//! served at any of this cluster's centres.

use super::service::data_centres;
use crate::entities::{hosted_checkout, hosted_tokenization};
use crate::platform::plain_page::{self, esc};
use app::i18n::T;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use domain::Lang;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

/// What a payer page's path names: its centre and session.
#[derive(Debug, PartialEq, Eq)]
enum Asked<'a> {
    /// A checkout's payment or 3-D Secure page.
    Checkout { centre: &'a str, id: &'a str },
    /// A tokenization page.
    Tokenization { centre: &'a str, id: &'a str },
    /// A hosted page's address whose id is not shaped like one (escaped characters).
    Malformed,
}

/// Whether `segment` is shaped like a data centre's name (`pay` and digits): the other
/// `/pay/…` addresses (the bank page, the theme) are not hosted pages of a centre.
fn centre_shaped(segment: &str) -> bool {
    segment
        .strip_prefix("pay")
        .is_some_and(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The hosted page `path` asks for, if it is one.
fn asked(path: &str) -> Option<Asked<'_>> {
    let rest = path.strip_prefix("/pay/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (centre, kind, id) = match parts.as_slice() {
        [centre, id] => (*centre, None, *id),
        [centre, kind, id] => (*centre, Some(*kind), *id),
        _ => return None,
    };
    // The router decodes escapes: an escaped segment is refused rather than read two
    // ways (here as typed, there decoded).
    if parts.iter().any(|p| p.contains('%')) {
        return Some(Asked::Malformed);
    }
    if !centre_shaped(centre) || id.is_empty() || id.len() > 64 {
        return None;
    }
    // Ids are letters and digits: an escaped one (the router would decode it) is never
    // looked up as typed, so it cannot pass for a session without a stored centre.
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Some(Asked::Malformed);
    }
    match kind {
        None | Some("3ds") => Some(Asked::Checkout { centre, id }),
        Some("tokenize") => Some(Asked::Tokenization { centre, id }),
        Some(_) => None,
    }
}

/// Whether the session `asked` names may be served at its centre in `cluster`.
async fn served_here(
    db: &DatabaseConnection,
    cluster: &str,
    asked: &Asked<'_>,
) -> Result<bool, DbErr> {
    let (centre, stored) = match asked {
        Asked::Malformed => return Ok(false),
        Asked::Checkout { centre, id } => (
            *centre,
            hosted_checkout::Entity::find_by_id(*id)
                .one(db)
                .await?
                .and_then(|c| c.data_centre),
        ),
        Asked::Tokenization { centre, id } => (
            *centre,
            hosted_tokenization::Entity::find_by_id(*id)
                .one(db)
                .await?
                .and_then(|t| t.data_centre),
        ),
    };
    Ok(data_centres(cluster).contains(&centre) && stored.is_none_or(|s| s == centre))
}

/// The page a hosted page asked at the wrong centre gets.
fn wrong_centre(lang: Lang) -> Response {
    plain_page::page(
        lang,
        StatusCode::NOT_FOUND,
        T::WrongCentreTitle.text(lang),
        &format!(
            "<p class=\"alert\" role=\"alert\">{}</p>",
            esc(T::WrongCentreText.text(lang))
        ),
    )
}

/// Serves a hosted page only at its own data centre.
pub async fn gate(db: DatabaseConnection, cluster: String, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let Some(found) = asked(req.uri().path()) else {
        return next.run(req).await;
    };
    match served_here(&db, &cluster, &found).await {
        Ok(true) => next.run(req).await,
        Ok(false) => {
            let lang = req
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
                .and_then(Lang::parse)
                .unwrap_or_default();
            wrong_centre(lang)
        }
        // Closed when the check cannot be made.
        Err(e) => {
            tracing::error!(error = %e, "data centre check");
            wrong_centre(Lang::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hosted_pages_of_a_centre_are_checked() {
        assert_eq!(
            asked("/pay/pay1/abc"),
            Some(Asked::Checkout {
                centre: "pay1",
                id: "abc"
            })
        );
        assert_eq!(
            asked("/pay/pay4/3ds/abc"),
            Some(Asked::Checkout {
                centre: "pay4",
                id: "abc"
            })
        );
        assert_eq!(
            asked("/pay/pay7/tokenize/abc"),
            Some(Asked::Tokenization {
                centre: "pay7",
                id: "abc"
            })
        );
        for other in [
            "/pay/bank/token",
            "/pay/theme/x.css",
            "/pay/theme/x/logo",
            "/pay/pay1",
            "/pay/pay1/a/b/c",
            "/pay/payx/abc",
            "/pay/pay1/other/abc",
            "/link/abc",
        ] {
            assert_eq!(asked(other), None, "{other}");
        }
        // An escaped id is never looked up as typed.
        assert_eq!(asked("/pay/pay3/ab%63"), Some(Asked::Malformed));
        assert_eq!(asked("/pay/pay3/3ds/a.b"), Some(Asked::Malformed));
        assert_eq!(asked("/pay/%70ay4/abc"), Some(Asked::Malformed));
        assert_eq!(asked("/pay/pay4/%33ds/abc"), Some(Asked::Malformed));
    }
}
