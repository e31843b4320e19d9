//! Authenticator codes (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift
//! either way) with the maintained `totp-rs` crate. The secret is 160 random bits,
//! kept sealed with the data key and bound to its user's row.

use rand::RngCore;
use totp_rs::{Builder, Secret, Totp};

/// The issuer the user's app shows next to the code.
const ISSUER: &str = "OpenPSP";

/// 160 random bits (RFC 4226's recommended length), in base32 as apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// The generator of a base32 secret for `account` (shown in the app as
/// `OpenPSP (account)`); `None` when the secret is not one we wrote.
pub fn generator(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    // The label may not hold a colon: the app would read it as the issuer's end.
    let account: String = account.chars().filter(|c| *c != ':').collect();
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .ok()
}

/// The time step whose code `code` is at `now` (Unix seconds), one step of drift
/// allowed; `None` when it matches none.
pub fn matching_step(totp: &Totp, code: &str, now: u64) -> Option<i64> {
    totp.check(code, now)
        .and_then(|step| i64::try_from(step).ok())
}

/// The `otpauth://` address for the QR code.
pub fn uri(totp: &Totp) -> String {
    totp.to_url().unwrap_or_default()
}

/// The secret in groups of four, easier to type.
pub fn grouped(secret_base32: &str) -> String {
    secret_base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890") and vectors, cut to
    /// six digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let totp = generator(&secret, "shop/admin").expect("valid secret");
        for (time, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp.generate(time).to_string(), code, "at {time}");
            assert_eq!(matching_step(&totp, code, time), Some((time / 30) as i64));
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = new_secret();
        let totp = generator(&secret, "shop/admin").unwrap();
        let now = 1_700_000_000u64;
        let code = totp.generate(now).to_string();
        assert!(matching_step(&totp, &code, now + 30).is_some());
        assert!(matching_step(&totp, &code, now - 30).is_some());
        assert_eq!(matching_step(&totp, &code, now + 90), None);
        assert_eq!(matching_step(&totp, "000000x", now), None);
    }

    #[test]
    fn the_address_names_the_issuer_and_account() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let url = uri(&generator(&secret, "shop/ad:min").unwrap());
        assert!(url.starts_with("otpauth://totp/OpenPSP:"), "{url}");
        assert!(url.contains("issuer=OpenPSP"), "{url}");
        assert!(grouped("ABCDEFGHIJ").eq("ABCD EFGH IJ"));
    }
}
