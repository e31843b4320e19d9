//! The trusted browser (SP-1): after the mailed code, a browser is trusted for 7 days by
//! a signed, expiring device token bound to the person, so the second factor is asked
//! again only once a week per browser.

use crate::platform::config::Config;
use crate::platform::crypto;
use chrono::{DateTime, Utc};

/// How long a browser that passed the second factor is trusted.
pub const DEVICE_DAYS: i64 = 7;

/// The signed token trusting a browser for `user_id` until `until`.
pub fn device_token(config: &Config, user_id: i64, until: DateTime<Utc>) -> String {
    let message = format!("support-device:{user_id}:{}", until.timestamp());
    let sig = crypto::hmac_sha256_base64(&config.session_key, message.as_bytes())
        .replace('+', "-")
        .replace('/', "_")
        .replace('=', "");
    format!("{user_id}.{}.{sig}", until.timestamp())
}

/// Whether `token` trusts this browser for `user_id` now.
pub fn device_trusted(config: &Config, user_id: i64, token: &str) -> bool {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(uid), Some(exp), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(uid), Ok(exp)) = (uid.parse::<i64>(), exp.parse::<i64>()) else {
        return false;
    };
    if uid != user_id || exp <= Utc::now().timestamp() {
        return false;
    }
    let mut standard = sig.replace('-', "+").replace('_', "/");
    while standard.len() % 4 != 0 {
        standard.push('=');
    }
    let message = format!("support-device:{user_id}:{exp}");
    crypto::hmac_sha256_verify(&config.session_key, message.as_bytes(), &standard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn config() -> Config {
        let dir = std::env::temp_dir().join(format!("openpsp-dev-{}", uuid::Uuid::new_v4()));
        let vars = std::collections::HashMap::from([(
            "OPENPSP_DATA_DIR".to_owned(),
            dir.display().to_string(),
        )]);
        let config = Config::load_with(&move |k| vars.get(k).cloned()).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        config
    }

    #[test]
    fn device_tokens_are_bound_to_the_person_and_expire() {
        let config = config();
        let token = device_token(&config, 7, Utc::now() + Duration::days(DEVICE_DAYS));
        assert!(device_trusted(&config, 7, &token));
        assert!(!device_trusted(&config, 8, &token), "another person");
        let old = device_token(&config, 7, Utc::now() - Duration::seconds(1));
        assert!(!device_trusted(&config, 7, &old), "expired");
        let forged = token.replace("7.", "8.");
        assert!(!device_trusted(&config, 8, &forged), "edited");
        let mut tampered = token.clone();
        tampered.push('x');
        assert!(!device_trusted(&config, 7, &tampered));
        assert!(!device_trusted(&config, 7, "garbage"));
    }
}
