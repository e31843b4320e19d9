//! Password hashing (argon2id, OWASP parameters) off the async threads, and random tokens.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// argon2id, m = 19 MiB, t = 2, p = 1: the OWASP password-storage recommendation.
fn hasher() -> Argon2<'static> {
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// Hashes synchronously; call through [`hash_password`] from async code.
pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

/// Hashes on the blocking pool.
pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .expect("hashing task panicked")
}

/// A hash of a random password, verified against when the user does not exist so that
/// the response time does not tell whether a login exists.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password_blocking(&random_token()))
}

/// Verifies on the blocking pool; `None` hash verifies against the dummy and fails.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// Warms the dummy hash so the first unknown-user login is not faster.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a token, hex: what the database keeps instead of the token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Marks a value sealed with associated data: `v1.` then base64 of nonce ‖ ciphertext.
/// (The base64 alphabet has no `.`, so values sealed before have no such prefix.)
const BOUND: &str = "v1.";

/// The associated data that binds a sealed value to one column of one row: a copy
/// pasted into another row (or column) does not open.
pub fn row_binding(column: &str, row_id: &str) -> String {
    format!("{column}:{row_id}")
}

/// Encrypts with AES-256-GCM under `key` (the data key), with `aad` (see [`row_binding`])
/// as associated data: `v1.` then base64 of nonce ‖ ciphertext.
pub fn seal(key: &[u8], aad: &str, plaintext: &str) -> String {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).expect("the data key is 32 bytes");
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            aes_gcm::Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        .expect("AES-GCM encryption of a short text cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    format!(
        "{BOUND}{}",
        base64::engine::general_purpose::STANDARD.encode(out)
    )
}

/// Decrypts what [`seal`] wrote for the same `aad`; `None` when tampered with, under
/// another key, sealed for another row, or without the `v1.` prefix (a value sealed
/// before values were bound to their rows: the start-up pass of
/// [`crate::platform::reseal`] re-seals those, and a copy pasted in later opens nowhere).
pub fn open(key: &[u8], aad: &str, sealed: &str) -> Option<String> {
    decrypt(key, aad.as_bytes(), sealed.strip_prefix(BOUND)?)
}

/// Opens a value sealed before values were bound to their rows (no `v1.` prefix, no
/// associated data); `None` for anything else. Only the re-sealing pass uses it.
pub(super) fn open_unbound(key: &[u8], sealed: &str) -> Option<String> {
    if sealed.starts_with(BOUND) {
        return None;
    }
    decrypt(key, &[], sealed)
}

/// Whether `sealed` is bound to its row (carries the `v1.` prefix).
pub fn is_bound(sealed: &str) -> bool {
    sealed.starts_with(BOUND)
}

/// AES-256-GCM decryption of base64 nonce ‖ ciphertext with `aad`.
fn decrypt(key: &[u8], aad: &[u8], encoded: &str) -> Option<String> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).ok()?;
    let (nonce, body) = bytes.split_at(12);
    let plain = cipher
        .decrypt(
            aes_gcm::Nonce::from_slice(nonce),
            Payload { msg: body, aad },
        )
        .ok()?;
    String::from_utf8(plain).ok()
}

/// Base64 HMAC-SHA256 of `message` with `secret` (v1HMAC and webhook signatures).
pub fn hmac_sha256_base64(secret: &[u8], message: &[u8]) -> String {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a base64 HMAC-SHA256 in constant time.
pub fn hmac_sha256_verify(secret: &[u8], message: &[u8], signature_base64: &str) -> bool {
    use hmac::Mac;
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature_base64.trim())
    else {
        return false;
    };
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.verify_slice(&signature).is_ok()
}

/// `len` random characters from `alphabet`.
pub fn random_from(alphabet: &[u8], len: usize) -> String {
    use rand::{Rng, SeedableRng};
    // A ChaCha generator seeded from the operating system once per code, instead of a
    // system call for every character drawn.
    let mut rng = rand::rngs::StdRng::from_rng(rand::rngs::OsRng).expect("OS random source");
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sealed_text_opens_only_with_its_key_and_untampered() {
        let key = [7u8; 32];
        let sealed = super::seal(&key, "t.c:1", "secret text");
        assert!(!sealed.contains("secret"));
        assert_eq!(
            super::open(&key, "t.c:1", &sealed).as_deref(),
            Some("secret text")
        );
        assert_eq!(super::open(&[8u8; 32], "t.c:1", &sealed), None);
        let mut bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            sealed.strip_prefix("v1.").unwrap(),
        )
        .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!(
            "v1.{}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
        );
        assert_eq!(super::open(&key, "t.c:1", &tampered), None);
        assert_ne!(
            super::seal(&key, "t.c:1", "same"),
            super::seal(&key, "t.c:1", "same"),
            "fresh nonce"
        );
    }

    #[test]
    fn a_sealed_value_swapped_between_rows_does_not_open() {
        let key = [7u8; 32];
        let row_a = super::row_binding("tokens.card_enc", "a");
        let row_b = super::row_binding("tokens.card_enc", "b");
        let sealed_a = super::seal(&key, &row_a, "4111111111111111");
        let sealed_b = super::seal(&key, &row_b, "5555555555554444");
        assert_eq!(
            super::open(&key, &row_a, &sealed_a).as_deref(),
            Some("4111111111111111")
        );
        // Swapped: each row now holds the other's ciphertext.
        assert_eq!(super::open(&key, &row_a, &sealed_b), None);
        assert_eq!(super::open(&key, &row_b, &sealed_a), None);
        // Another column of the same row is another binding too.
        let other_column = super::row_binding("payments.pending_card_enc", "a");
        assert_eq!(super::open(&key, &other_column, &sealed_a), None);
        // Dropping the version prefix does not turn it into an unbound value.
        assert_eq!(
            super::open(&key, &row_b, sealed_a.strip_prefix("v1.").unwrap()),
            None
        );
    }

    #[test]
    fn values_sealed_before_row_binding_no_longer_open() {
        use aes_gcm::aead::{Aead, KeyInit};
        let key = [7u8; 32];
        // What the previous version wrote: base64 of nonce ‖ ciphertext, no associated data.
        let nonce = [3u8; 12];
        let cipher = aes_gcm::Aes256Gcm::new_from_slice(&key).unwrap();
        let mut old = nonce.to_vec();
        old.extend(
            cipher
                .encrypt(aes_gcm::Nonce::from_slice(&nonce), b"legacy".as_ref())
                .unwrap(),
        );
        let old = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, old);
        assert_eq!(super::open(&key, "any.row:1", &old), None);
        assert_eq!(super::open(&key, "", &old), None);
        assert!(!super::is_bound(&old));
        // Only the re-sealing pass reads it, and only under the right key.
        assert_eq!(super::open_unbound(&key, &old).as_deref(), Some("legacy"));
        assert_eq!(super::open_unbound(&[8u8; 32], &old), None);
        let bound = super::seal(&key, "any.row:1", "legacy");
        assert!(super::is_bound(&bound));
        assert_eq!(super::open_unbound(&key, &bound), None);
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector_and_verifies() {
        // RFC 4231 test case 2.
        let sig = super::hmac_sha256_base64(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(sig, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
        assert!(super::hmac_sha256_verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &sig
        ));
        assert!(!super::hmac_sha256_verify(
            b"Jeff",
            b"what do ya want for nothing?",
            &sig
        ));
    }

    use super::*;

    #[tokio::test]
    async fn right_password_verifies_and_wrong_or_unknown_does_not() {
        let hash = hash_password("Correct-Horse7!".into()).await;
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("Correct-Horse7!".into(), Some(hash.clone())).await);
        assert!(!verify_password("correct-horse7!".into(), Some(hash)).await);
        assert!(!verify_password("anything".into(), None).await);
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash("x"), token_hash("x"));
        assert_eq!(token_hash("x").len(), 64);
    }
}
