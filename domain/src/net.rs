//! Which network addresses an outbound call a merchant chooses (a webhook endpoint) may
//! reach: only public unicast addresses. Loopback, private (RFC 1918, unique-local),
//! link-local, unspecified, multicast, broadcast, shared (CGNAT), documentation,
//! benchmarking and other reserved ranges are refused, also when written inside an
//! IPv6 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserved {
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`) and unique-local `fc00::/7`.
    Private,
    /// `169.254/16`, `fe80::/10` (and the old site-local `fec0::/10`).
    LinkLocal,
    /// Carrier-grade NAT, `100.64/10`.
    Shared,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18/15`, `2001:2::/48`.
    Benchmarking,
    /// Any other special-purpose range (`192.0.0/24`, `240/4`, `2001::/23`, addresses
    /// outside the IPv6 global unicast `2000::/3`, ...).
    Special,
}

/// Why `ip` may not be called, or `None` when it is a public unicast address.
pub fn reserved(ip: IpAddr) -> Option<Reserved> {
    match ip {
        IpAddr::V4(v4) => reserved_v4(v4),
        IpAddr::V6(v6) => reserved_v6(v6),
    }
}

/// Whether `ip` is a public unicast address an outbound call may reach.
pub fn is_public(ip: IpAddr) -> bool {
    reserved(ip).is_none()
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn reserved_v4(ip: Ipv4Addr) -> Option<Reserved> {
    use Reserved::*;
    const TABLE: [([u8; 4], u32, Reserved); 17] = [
        ([0, 0, 0, 0], 8, Unspecified),
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, Shared),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Special),
        ([192, 0, 2, 0], 24, Documentation),
        ([192, 31, 196, 0], 24, Special),
        ([192, 52, 193, 0], 24, Special),
        ([192, 88, 99, 0], 24, Special),
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Special),
    ];
    if ip == Ipv4Addr::BROADCAST {
        return Some(Broadcast);
    }
    TABLE
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, why)| *why)
}

fn in_v6(ip: Ipv6Addr, net: u128, prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    u128::from(ip) & mask == net & mask
}

fn embedded_v4(bits: u128) -> Ipv4Addr {
    Ipv4Addr::from((bits & 0xffff_ffff) as u32)
}

fn reserved_v6(ip: Ipv6Addr) -> Option<Reserved> {
    use Reserved::*;
    let bits = u128::from(ip);
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    // IPv4 written in IPv6: the IPv4 rule decides (mapped `::ffff:0:0/96`, NAT64
    // `64:ff9b::/96`); the deprecated IPv4-compatible `::/96` is refused outright.
    if in_v6(ip, 0xffff_0000_0000, 96) || in_v6(ip, 0x0064_ff9b << 96, 96) {
        return reserved_v4(embedded_v4(bits));
    }
    if in_v6(ip, 0, 96) {
        return Some(Special);
    }
    // 6to4 `2002::/16` carries an IPv4 address in its next 32 bits.
    if in_v6(ip, 0x2002 << 112, 16) {
        return reserved_v4(embedded_v4(bits >> 80));
    }
    const TABLE: [(u128, u32, Reserved); 8] = [
        (0xfc00 << 112, 7, Private),
        (0xfe80 << 112, 10, LinkLocal),
        (0xfec0 << 112, 10, LinkLocal),
        (0xff00 << 112, 8, Multicast),
        (0x2001_0db8 << 96, 32, Documentation),
        (0x3fff << 112, 20, Documentation),
        (0x2001_0002 << 96, 48, Benchmarking),
        (0x2001 << 112, 23, Special),
    ];
    if let Some((_, _, why)) = TABLE
        .iter()
        .find(|(net, prefix, _)| in_v6(ip, *net, *prefix))
    {
        return Some(*why);
    }
    // Only the global unicast block is routed on the Internet (64:ff9b:1::/48 and
    // 100::/64 among the rest).
    if !in_v6(ip, 0x2000 << 112, 3) {
        return Some(Special);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn why(text: &str) -> Option<Reserved> {
        reserved(text.parse().unwrap())
    }

    #[test]
    fn reserved_addresses_are_refused_with_their_reason() {
        use Reserved::*;
        let table = [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("169.254.169.254", LinkLocal),
            ("100.64.0.1", Shared),
            ("100.127.255.255", Shared),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("255.255.255.255", Broadcast),
            ("240.0.0.1", Special),
            ("192.0.0.8", Special),
            ("192.0.2.10", Documentation),
            ("198.51.100.7", Documentation),
            ("203.0.113.99", Documentation),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.255", Benchmarking),
            ("::", Unspecified),
            ("::1", Loopback),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", LinkLocal),
            ("ff02::1", Multicast),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("2001:2::1", Benchmarking),
            ("2001::1", Special),
            ("100::1", Special),
            ("64:ff9b:1::1", Special),
            ("::8.8.8.8", Special),
            // IPv4 inside IPv6 follows the IPv4 rule.
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:169.254.169.254", LinkLocal),
            ("64:ff9b::7f00:1", Loopback),
            ("2002:7f00:1::", Loopback),
            ("2002:c0a8:101::1", Private),
        ];
        for (address, expected) in table {
            assert_eq!(why(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "169.253.255.255",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4007:80e::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(why(address), None, "{address}");
        }
    }

    proptest! {
        #[test]
        fn private_ranges_are_never_public(a in any::<u8>(), b in any::<u8>(), c in any::<u8>(), x in 16u8..32) {
            prop_assert!(!is_public(IpAddr::V4(Ipv4Addr::new(10, a, b, c))));
            prop_assert!(!is_public(IpAddr::V4(Ipv4Addr::new(127, a, b, c))));
            prop_assert!(!is_public(IpAddr::V4(Ipv4Addr::new(192, 168, b, c))));
            prop_assert!(!is_public(IpAddr::V4(Ipv4Addr::new(172, x, b, c))));
            prop_assert!(!is_public(IpAddr::V4(Ipv4Addr::new(169, 254, b, c))));
            prop_assert!(!is_public(IpAddr::V4(Ipv4Addr::new(100, 64 | (a & 63), b, c))));
        }

        #[test]
        fn ipv4_inside_ipv6_gets_the_ipv4_verdict(v4 in any::<u32>()) {
            let ip = Ipv4Addr::from(v4);
            let verdict = reserved(IpAddr::V4(ip));
            prop_assert_eq!(reserved(IpAddr::V6(ip.to_ipv6_mapped())), verdict);
            let nat64 = Ipv6Addr::from((0x0064_ff9b_u128 << 96) | u128::from(v4));
            prop_assert_eq!(reserved(IpAddr::V6(nat64)), verdict);
            let six_to_four = Ipv6Addr::from((0x2002_u128 << 112) | (u128::from(v4) << 80) | 1);
            prop_assert_eq!(reserved(IpAddr::V6(six_to_four)), verdict);
        }

        #[test]
        fn unique_local_link_local_and_multicast_v6_are_never_public(low in any::<u128>()) {
            let low = low >> 16;
            for high in [0xfc00_u128, 0xfdff, 0xfe80, 0xfebf, 0xff00, 0xff0e] {
                let ip = Ipv6Addr::from((high << 112) | low);
                prop_assert!(!is_public(IpAddr::V6(ip)), "{}", ip);
            }
        }
    }
}
