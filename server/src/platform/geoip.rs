//! The payer's IP country (MB-19), from an IP-to-country database in the MaxMind DB
//! format (GeoLite2/GeoIP2 Country, DB-IP, IPinfo …) that the operator points to with
//! `OPENPSP_GEOIP_DB`. Without one, IP-country fraud rules are reported as unchecked.

use domain::fraud::IpCountry;
use std::net::IpAddr;
use std::path::Path;

/// An opened IP-to-country database.
pub struct GeoIp {
    reader: maxminddb::Reader<Vec<u8>>,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoIp")
            .field("type", &self.reader.metadata().database_type)
            .finish()
    }
}

impl GeoIp {
    /// Reads the database file whole; refuses a file that is not a MaxMind DB.
    pub fn open(path: &Path) -> Result<GeoIp, String> {
        maxminddb::Reader::open_readfile(path)
            .map(|reader| GeoIp { reader })
            .map_err(|e| e.to_string())
    }

    /// The country of `ip` (ISO 3166-1 alpha-2), unknown when the address does not parse
    /// or the database has no country for it.
    pub fn country(&self, ip: &str) -> IpCountry {
        let Ok(addr) = ip.trim().parse::<IpAddr>() else {
            return IpCountry::Unknown;
        };
        let path = [
            maxminddb::PathElement::Key("country"),
            maxminddb::PathElement::Key("iso_code"),
        ];
        match self
            .reader
            .lookup(addr)
            .and_then(|found| found.decode_path::<String>(&path))
        {
            Ok(Some(code)) if domain::fraud::is_country(&code) => IpCountry::Known(code),
            _ => IpCountry::Unknown,
        }
    }
}

/// The IP country with or without a database.
pub fn country(db: Option<&GeoIp>, ip: Option<&str>) -> IpCountry {
    match (db, ip) {
        (None, _) => IpCountry::Unavailable,
        (Some(_), None) => IpCountry::Unknown,
        (Some(db), Some(ip)) => db.country(ip),
    }
}
