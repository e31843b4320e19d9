//! Server functions of the hosted pages (HP-2..4). No session: the checkout id in the
//! URL is the page's secret. Card fields are checked again on the server.
//!
//! The pages post to them as plain forms: after the answer the browser goes back to the
//! page it posted from (which shows the checkout as it now stands), or on to the next one
//! (the 3-D Secure page, the payment page again) as set with [`go_to`]. The API and the
//! tests call them as functions and read the answer.

use crate::checkout::{CheckoutView, TokenizationView};
use crate::error::AppError;
use leptos::prelude::*;

/// The checkout's pages, `/pay/{centre}/…`, as the page that posted names them: its
/// centre and language (nothing else of the address is kept).
#[cfg(feature = "ssr")]
struct PostedFrom {
    centre: String,
    lang: Option<domain::Lang>,
}

#[cfg(feature = "ssr")]
impl PostedFrom {
    fn read() -> Option<PostedFrom> {
        let parts = use_context::<http::request::Parts>()?;
        let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
        let uri: http::Uri = referer.parse().ok()?;
        let centre = uri.path().strip_prefix("/pay/")?.split('/').next()?;
        let lang = uri.query().and_then(|q| {
            crate::url::pairs(q)
                .find(|(name, _)| name == "lang")
                .and_then(|(_, code)| domain::Lang::parse(&code))
        });
        simple(centre).then(|| PostedFrom {
            centre: centre.to_owned(),
            lang,
        })
    }

    /// `/pay/{centre}/{middle}{id}?lang=…`.
    fn page(&self, middle: &str, id: &str) -> Option<String> {
        let query = self
            .lang
            .map(|l| format!("?lang={}", l.code()))
            .unwrap_or_default();
        simple(id).then(|| format!("/pay/{}/{middle}{id}{query}", self.centre))
    }
}

#[cfg(feature = "ssr")]
use crate::checkout::script::simple;

/// Where a plain form's post goes next, given the checkout's new state: the 3-D Secure
/// page for a challenge, the payment page once the challenge is answered; otherwise back
/// to the page it came from.
#[cfg(feature = "ssr")]
fn go_to(view: &CheckoutView, from_challenge: bool) {
    use crate::checkout::CheckoutState;
    let Some(from) = PostedFrom::read() else {
        return;
    };
    let next = match view.state {
        CheckoutState::Challenge if !from_challenge => from.page("3ds/", &view.id),
        CheckoutState::Challenge => None,
        _ if from_challenge => from.page("", &view.id),
        _ => None,
    };
    if let Some(path) = next {
        crate::context::send_on(&path);
    }
}

/// The payment page.
#[server(endpoint = "pay/view")]
pub async fn load_checkout(id: String) -> Result<CheckoutView, AppError> {
    crate::context::ports()?.checkout.view(&id).await
}

/// Pays with a typed card, or with a saved card when `saved` names one.
#[server(endpoint = "pay/pay")]
pub async fn pay_checkout(
    id: String,
    number: Option<String>,
    expiry: Option<String>,
    cvc: Option<String>,
    holder: Option<String>,
    save: Option<String>,
    saved: Option<String>,
) -> Result<CheckoutView, AppError> {
    use crate::checkout::TypedCard;
    let ip = crate::context::client_ip().await;
    let saved = saved.filter(|s| !s.is_empty() && s != "new");
    let card = saved.is_none().then(|| TypedCard {
        number: number.unwrap_or_default(),
        expiry: expiry.unwrap_or_default(),
        cvc: cvc.unwrap_or_default(),
        holder: holder.unwrap_or_default(),
    });
    let view = crate::context::ports()?
        .checkout
        .pay(&id, card, saved, save.is_some(), &ip)
        .await?;
    go_to(&view, false);
    Ok(view)
}

/// Answers the 3-D Secure challenge.
#[server(endpoint = "pay/challenge")]
pub async fn checkout_challenge(id: String, code: String) -> Result<CheckoutView, AppError> {
    let ip = crate::context::client_ip().await;
    let view = crate::context::ports()?
        .checkout
        .challenge(&id, &code, &ip)
        .await?;
    go_to(&view, true);
    Ok(view)
}

/// The tokenization page.
#[server(endpoint = "pay/tokenization")]
pub async fn load_tokenization(id: String) -> Result<TokenizationView, AppError> {
    crate::context::ports()?.checkout.tokenization(&id).await
}

/// Saves a card on the tokenization page.
#[server(endpoint = "pay/tokenize")]
pub async fn tokenize_card(
    id: String,
    number: String,
    expiry: String,
    holder: Option<String>,
) -> Result<TokenizationView, AppError> {
    use crate::checkout::TypedCard;
    crate::context::ports()?
        .checkout
        .tokenize(
            &id,
            TypedCard {
                number,
                expiry,
                cvc: String::new(),
                holder: holder.unwrap_or_default(),
            },
        )
        .await
}
