//! Where the account's pages are, as their links and the redirects answering their plain
//! posts name them: the login page of a form, the password pages, the time-zone dialog's
//! query, and the short-lived cookie carrying a refused login's identifiers back to its
//! form. The pages and the server functions both ask here.

use domain::Environment;

/// The query that opens the time-zone dialog (`?time-zone`).
pub const TIME_ZONE_QUERY: &str = "time-zone";

/// The environment as the login page's address names it.
pub fn env_param(environment: Environment) -> &'static str {
    match environment {
        Environment::Test => "test",
        Environment::Production => "production",
    }
}

/// The login page for the form posted (`mode`, `env`): where a refused plain post goes
/// back to.
pub fn again(mode: &str, env: &str) -> String {
    let env = Environment::named(Some(env));
    let mode = if mode == "user" { "&mode=user" } else { "" };
    format!("/login?env={}{mode}", env_param(env))
}

/// The cookie that carries what a refused plain post typed in the identifier fields
/// (never the password) back to the login page, for two minutes and to that page only;
/// `None` clears it.
pub fn typed_cookie(typed: Option<(Option<String>, Option<String>)>) -> String {
    let (value, age) = match typed {
        Some((pspid, user_id)) => {
            let kept: Vec<String> = [("pspid", pspid), ("user_id", user_id)]
                .into_iter()
                .filter_map(|(name, value)| {
                    let value = value.filter(|v| !v.is_empty() && v.len() <= TYPED_MAX)?;
                    Some(format!("{name}={}", crate::url::encode(&value)))
                })
                .collect();
            (kept.join("&"), 120)
        }
        None => (String::new(), 0),
    };
    format!("{TYPED_COOKIE}={value}; Path=/login; Max-Age={age}; HttpOnly; SameSite=Lax")
}

/// The forgotten-password page of `environment`: where its refused post goes back to.
pub fn forgot_page(environment: Environment) -> String {
    format!("/forgot-password?env={}", env_param(environment))
}

/// The reset page of the link carrying `token`: where its refused post goes back to.
pub fn reset_page(token: &str) -> String {
    format!("/reset-password?token={}", crate::url::encode(token))
}

/// The reset page once the password is changed: the link's token is no longer in it.
pub fn reset_done_page() -> &'static str {
    "/reset-password?done=1"
}

/// [`typed_cookie`]'s name.
pub const TYPED_COOKIE: &str = "openpsp_login_typed";

/// Longest identifier sent back to the page.
const TYPED_MAX: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_post_goes_back_to_its_form_and_its_identifiers_to_a_cookie() {
        assert_eq!(again("pspid", "TEST"), "/login?env=test");
        assert_eq!(again("user", "prod"), "/login?env=production&mode=user");
        // An unknown environment is the test one.
        assert_eq!(again("pspid", "x"), "/login?env=test");
        assert_eq!(
            typed_cookie(Some((Some("demo shop;x=1".into()), Some("ops".into())))),
            "openpsp_login_typed=pspid=demo%20shop%3Bx%3D1&user_id=ops; Path=/login; \
             Max-Age=120; HttpOnly; SameSite=Lax"
        );
        // An empty or overlong identifier is not kept; a sign-in clears the cookie.
        assert_eq!(
            typed_cookie(Some((Some(String::new()), Some("a".repeat(201))))),
            "openpsp_login_typed=; Path=/login; Max-Age=120; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            typed_cookie(None),
            "openpsp_login_typed=; Path=/login; Max-Age=0; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn the_password_pages_refused_posts_go_back_to_their_forms() {
        assert_eq!(
            forgot_page(Environment::Production),
            "/forgot-password?env=production"
        );
        assert_eq!(reset_page("a b&c=d"), "/reset-password?token=a%20b%26c%3Dd");
        assert!(!reset_done_page().contains("token"));
    }
}
