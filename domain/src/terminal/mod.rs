//! The Ingenico "TLV cash register" protocol spoken by Lane/Desk/Move 5000 terminals over
//! TCP (TG-1). Pure: bytes in, messages out, no I/O.
//!
//! A frame is a 4-byte big-endian length (counting what follows), the magic `P4Y-ECR!`,
//! then one BER-TLV root `F0` holding header `E1`, body `E2` and footer `E3`:
//!
//! - header: `10` protocol id (4 bytes), `11` message type (4 bytes), `12` terminal id
//!   (ASCII), `13` ECR id (ASCII), `14` sequence number (2 bytes);
//! - footer: `1C` CRC-32 (zlib polynomial) of the body's inner bytes (4 bytes);
//! - bodies per message type (see [`Body`]); amounts are 4 bytes of BCD minor units.
//!
//! Tags this implementation adds where the layout leaves a field unnamed: `DF5F` the
//! terminal model in a Hello, `1F71` the card brand and `1F72` the masked card number in
//! a transaction response.
//!
//! Decoding never trusts a declared length: a frame is refused above [`MAX_FRAME`]
//! before anything is read, every length is checked against the bytes that are really
//! there, and nesting is capped, so hostile input costs at most the frame it came in.

use crate::money::Currency;

/// The magic that follows the length prefix.
pub const MAGIC: [u8; 8] = *b"P4Y-ECR!";
/// Largest frame accepted (the bytes after the length prefix).
pub const MAX_FRAME: usize = 64 * 1024;
/// The protocol id this implementation writes.
pub const PROTOCOL_ID: u32 = 1;
/// Largest amount a 4-byte BCD field holds, in minor units.
pub const MAX_AMOUNT: u32 = 99_999_999;
/// Deepest nesting of constructed tags accepted.
const MAX_DEPTH: usize = 6;
/// Longest terminal or ECR id.
pub const MAX_ID_LEN: usize = 32;
mod codec;
mod message;
mod sequence;
#[cfg(test)]
mod tests;

pub use codec::*;
pub use message::*;
pub use sequence::*;

/// The ISO currency of a response's numeric code.
pub fn currency_of(numeric: u16) -> Option<Currency> {
    Currency::from_numeric(numeric)
}
