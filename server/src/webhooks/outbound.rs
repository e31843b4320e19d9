//! Outbound calls to addresses a merchant chooses (webhook endpoints) reach public
//! addresses only ([`domain::net`]): checked when the URL is saved, and again when the
//! connection is made by a DNS resolver that drops every other address, so a name that
//! later resolves to an internal address (DNS rebinding) is refused too. URLs naming an
//! IP address skip DNS and are checked before sending. Redirects are never followed and
//! proxies from the environment are ignored. `OPENPSP_WEBHOOK_ALLOW_PRIVATE=on` lifts the
//! rule for local development and the tests.

use domain::net::{self, Reserved};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long one call may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a name may take to resolve.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an address may not be called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The host as written.
    pub host: String,
    /// The first refused address and its range.
    pub address: IpAddr,
    /// Its range.
    pub reason: Reserved,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "address not allowed: {} is {} ({:?})",
            self.host, self.address, self.reason
        )
    }
}

impl std::error::Error for Refused {}

fn refused(host: &str, address: IpAddr) -> Option<Refused> {
    net::reserved(address).map(|reason| Refused {
        host: host.to_owned(),
        address,
        reason,
    })
}

/// The IP address a URL names directly, if it does.
fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    // The URL parser already wrote other IPv4 forms (`2130706433`, `0x7f.1`) as dotted
    // quads; IPv6 comes in brackets.
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Checks a URL being saved: refused when it names, or its host resolves to, an address
/// that is not public. A name that does not resolve now is accepted (its addresses are
/// checked again at every delivery).
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), Refused> {
    if allow_private {
        return Ok(());
    }
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Ok(());
    };
    let host = parsed.host_str().unwrap_or_default().to_owned();
    if let Some(ip) = literal_ip(&parsed) {
        return refused(&host, ip).map_or(Ok(()), Err);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let Ok(Ok(addrs)) = tokio::time::timeout(
        LOOKUP_TIMEOUT,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    else {
        return Ok(());
    };
    // Any refused address refuses the name: a resolver picks among them.
    for addr in addrs {
        if let Some(r) = refused(&host, addr.ip()) {
            return Err(r);
        }
    }
    Ok(())
}

/// Checks a URL just before it is called: an IP address written in it must be public
/// (names are checked by the client's resolver).
pub fn check_before_send(url: &str, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
    match literal_ip(&parsed).and_then(|ip| refused(parsed.host_str().unwrap_or(""), ip)) {
        Some(r) => Err(r.to_string()),
        None => Ok(()),
    }
}

/// Resolves names with the system resolver and keeps public addresses only; fails when
/// none remain.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host.as_str(), 0)))
                    .await
                    .map_err(|_| format!("resolving {host} timed out"))??
                    .collect();
            let first_refused = found.iter().find_map(|a| refused(&host, a.ip()));
            let public: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| net::is_public(a.ip()))
                .collect();
            if public.is_empty() {
                let error: Box<dyn std::error::Error + Send + Sync> = match first_refused {
                    Some(r) => Box::new(r),
                    None => format!("{host} has no address").into(),
                };
                return Err(error);
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client of merchant-chosen calls: 10 s per call, no redirects, no proxy, and
/// (unless `allow_private`) public addresses only.
pub fn client(allow_private: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(Arc::new(PublicOnly))
    };
    builder.build().expect("HTTP client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn literal_and_resolved_internal_addresses_are_refused() {
        for url in [
            "http://127.0.0.1/hooks",
            "http://10.1.2.3",
            "http://[::1]:8080/x",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:7f00:1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://localhost:9/",
        ] {
            assert!(check_url(url, false).await.is_err(), "{url}");
            assert!(check_url(url, true).await.is_ok(), "{url}");
        }
        assert!(check_url("https://93.184.216.34/hooks", false)
            .await
            .is_ok());
        assert!(check_before_send("http://[fd00::1]/", false).is_err());
        assert!(check_before_send("http://192.168.0.1/", true).is_ok());
        assert!(check_before_send("https://shop.example/hooks", false).is_ok());
    }

    #[tokio::test]
    async fn the_resolver_drops_internal_addresses() {
        let name: Name = "localhost".parse().unwrap();
        let error = match PublicOnly.resolve(name).await {
            Ok(_) => panic!("localhost resolved through the filter"),
            Err(e) => e.to_string(),
        };
        assert!(error.contains("not allowed"), "{error}");
    }
}
