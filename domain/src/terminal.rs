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

mod tag {
    pub const ROOT: u32 = 0xF0;
    pub const HEADER: u32 = 0xE1;
    pub const BODY: u32 = 0xE2;
    pub const FOOTER: u32 = 0xE3;
    pub const PROTOCOL: u32 = 0x10;
    pub const TYPE: u32 = 0x11;
    pub const TERMINAL: u32 = 0x12;
    pub const ECR: u32 = 0x13;
    pub const SEQUENCE: u32 = 0x14;
    pub const CRC: u32 = 0x1C;
    pub const HELLO_RESULT: u32 = 0x16;
    pub const TRANSACTION_ID: u32 = 0x1A;
    pub const CANCEL_REASON: u32 = 0x1E;
    pub const AMOUNT_GROUP: u32 = 0xA3;
    pub const KEEP_ALIVE_GROUP: u32 = 0xA4;
    pub const PRINT_GROUP: u32 = 0xA5;
    pub const RECEIPT_GROUP: u32 = 0xA6;
    pub const RECEIPT_TICKET: u32 = 0xEF;
    pub const RECEIPT_TEXT: u32 = 0x4C;
    pub const KEEP_ALIVE_INTERVAL: u32 = 0x49;
    pub const PRINT_ORIGIN: u32 = 0x4E;
    pub const AMOUNT: u32 = 0x50;
    pub const CURRENCY: u32 = 0x51;
    pub const RESULT: u32 = 0x56;
    pub const STAGE: u32 = 0x0E;
    pub const AUTH_CODE: u32 = 0x1F70;
    pub const BRAND: u32 = 0x1F71;
    pub const MASKED_PAN: u32 = 0x1F72;
    pub const MODEL: u32 = 0xDF5F;
}

/// Why bytes are not a valid frame or message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes end inside a field.
    #[error("truncated frame")]
    Truncated,
    /// The length prefix announces more than [`MAX_FRAME`] bytes (or too few).
    #[error("frame length {0} refused")]
    FrameLength(u64),
    /// The magic is not `P4Y-ECR!`.
    #[error("bad magic")]
    BadMagic,
    /// A tag is malformed (too long, or zero).
    #[error("malformed tag")]
    BadTag,
    /// A length is malformed or larger than the bytes that follow.
    #[error("malformed length")]
    BadLength,
    /// Bytes follow the root TLV, or nesting is too deep.
    #[error("malformed structure")]
    Structure,
    /// A required field is absent.
    #[error("missing field {0:X}")]
    Missing(u32),
    /// A field has the wrong size or value.
    #[error("bad field {0:X}")]
    BadField(u32),
    /// The footer's CRC does not match the body.
    #[error("CRC mismatch")]
    BadCrc,
    /// A message type this implementation does not know.
    #[error("unknown message type {0:X}")]
    UnknownType(u32),
}

/// One BER-TLV element. Tags are kept as the number their bytes spell (`0x1F70`); a tag
/// is constructed when bit 6 of its first byte is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tlv {
    /// A value.
    Primitive {
        /// Tag.
        tag: u32,
        /// Value bytes.
        value: Vec<u8>,
    },
    /// A container.
    Constructed {
        /// Tag.
        tag: u32,
        /// Children in order.
        children: Vec<Tlv>,
    },
}

fn tag_bytes(tag: u32) -> Vec<u8> {
    let bytes = tag.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(3);
    bytes[first..].to_vec()
}

fn is_constructed(tag: u32) -> bool {
    tag_bytes(tag)[0] & 0x20 != 0
}

fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend([0x81, len as u8]);
    } else if len <= 0xFFFF {
        out.push(0x82);
        out.extend((len as u16).to_be_bytes());
    } else {
        out.push(0x83);
        out.extend(&(len as u32).to_be_bytes()[1..]);
    }
}

impl Tlv {
    fn primitive(tag: u32, value: impl Into<Vec<u8>>) -> Tlv {
        Tlv::Primitive {
            tag,
            value: value.into(),
        }
    }

    fn constructed(tag: u32, children: Vec<Tlv>) -> Tlv {
        Tlv::Constructed { tag, children }
    }

    /// The tag.
    pub fn tag(&self) -> u32 {
        match self {
            Tlv::Primitive { tag, .. } | Tlv::Constructed { tag, .. } => *tag,
        }
    }

    /// The value bytes as written (a container's are its children's encodings).
    pub fn content(&self) -> Vec<u8> {
        match self {
            Tlv::Primitive { value, .. } => value.clone(),
            Tlv::Constructed { children, .. } => {
                let mut out = Vec::new();
                for c in children {
                    c.encode_into(&mut out);
                }
                out
            }
        }
    }

    /// Appends the encoding (correct BER lengths) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let content = self.content();
        out.extend(tag_bytes(self.tag()));
        write_length(out, content.len());
        out.extend(content);
    }

    fn child(&self, tag: u32) -> Option<&Tlv> {
        match self {
            Tlv::Constructed { children, .. } => children.iter().find(|c| c.tag() == tag),
            Tlv::Primitive { .. } => None,
        }
    }

    fn value(&self, tag: u32) -> Option<&[u8]> {
        match self.child(tag)? {
            Tlv::Primitive { value, .. } => Some(value),
            Tlv::Constructed { .. } => None,
        }
    }

    fn require(&self, tag: u32) -> Result<&[u8], CodecError> {
        self.value(tag).ok_or(CodecError::Missing(tag))
    }
}

/// Reads one TLV at the start of `buf`; returns it and the bytes it used.
pub fn decode_tlv(buf: &[u8]) -> Result<(Tlv, usize), CodecError> {
    decode_at(buf, 0)
}

fn decode_at(buf: &[u8], depth: usize) -> Result<(Tlv, usize), CodecError> {
    if depth > MAX_DEPTH {
        return Err(CodecError::Structure);
    }
    let (tag, mut pos) = read_tag(buf)?;
    let (len, used) = read_length(&buf[pos..])?;
    pos += used;
    let content = &buf[pos..pos + len];
    let tlv = if is_constructed(tag) {
        let mut children = Vec::new();
        let mut at = 0;
        while at < content.len() {
            let (child, used) = decode_at(&content[at..], depth + 1)?;
            children.push(child);
            at += used;
        }
        Tlv::Constructed { tag, children }
    } else {
        Tlv::primitive(tag, content)
    };
    Ok((tlv, pos + len))
}

fn read_tag(buf: &[u8]) -> Result<(u32, usize), CodecError> {
    let first = *buf.first().ok_or(CodecError::Truncated)?;
    if first == 0 {
        return Err(CodecError::BadTag);
    }
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        // Subsequent bytes: bit 8 set means another byte follows; at most three in all.
        loop {
            let b = *buf.get(pos).ok_or(CodecError::Truncated)?;
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos >= 3 {
                return Err(CodecError::BadTag);
            }
        }
    }
    Ok((tag, pos))
}

/// Reads a length at the start of `buf` (the bytes from there to the end of the
/// container); returns the length and how many bytes it took. The length must fit in
/// what follows. A first byte of 0x80 or more is the long form (`0x81 nn`, `0x82 nn nn`
/// …) unless that reading is impossible and the byte itself fits: then it is the wrong
/// short form some cash-register software writes for lengths 128–255.
fn read_length(buf: &[u8]) -> Result<(usize, usize), CodecError> {
    let first = *buf.first().ok_or(CodecError::Truncated)?;
    let rest = buf.len() - 1;
    if first < 0x80 {
        let len = usize::from(first);
        return if len <= rest {
            Ok((len, 1))
        } else {
            Err(CodecError::Truncated)
        };
    }
    let count = usize::from(first & 0x7F);
    if (1..=4).contains(&count) && count <= rest {
        let len = buf[1..=count]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len <= rest - count {
            return Ok((len, 1 + count));
        }
    }
    let len = usize::from(first);
    if len <= rest {
        Ok((len, 1))
    } else {
        Err(CodecError::BadLength)
    }
}

/// CRC-32 with the zlib polynomial (reflected 0xEDB88320).
pub fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc = TABLE[((crc ^ u32::from(*b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// The frame length announced by a 4-byte prefix, refused when it is larger than
/// [`MAX_FRAME`] or too small to hold the magic and a root.
pub fn frame_length(prefix: [u8; 4]) -> Result<usize, CodecError> {
    let len = u32::from_be_bytes(prefix);
    if (len as usize) < MAGIC.len() + 2 || len as usize > MAX_FRAME {
        return Err(CodecError::FrameLength(u64::from(len)));
    }
    Ok(len as usize)
}

/// Amount in minor units as 4 bytes of BCD (12.34 → `00 00 12 34`).
pub fn amount_to_bcd(minor: u32) -> Result<[u8; 4], CodecError> {
    if minor > MAX_AMOUNT {
        return Err(CodecError::BadField(tag::AMOUNT));
    }
    let mut out = [0u8; 4];
    let mut n = minor;
    for byte in out.iter_mut().rev() {
        let low = (n % 10) as u8;
        n /= 10;
        let high = (n % 10) as u8;
        n /= 10;
        *byte = (high << 4) | low;
    }
    Ok(out)
}

/// Reads BCD digits (any number of bytes up to 4).
fn bcd_to_number(bytes: &[u8], field: u32) -> Result<u32, CodecError> {
    if bytes.is_empty() || bytes.len() > 4 {
        return Err(CodecError::BadField(field));
    }
    bytes.iter().try_fold(0u32, |acc, b| {
        let (high, low) = (b >> 4, b & 0x0F);
        if high > 9 || low > 9 {
            return Err(CodecError::BadField(field));
        }
        Ok(acc * 100 + u32::from(high) * 10 + u32::from(low))
    })
}

/// Message types (header tag `11`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    /// Hello (terminal) and its response (cash register).
    Hello = 0x16,
    /// Keep-alive request.
    KeepAlive = 0x18,
    /// Keep-alive response.
    KeepAliveResponse = 0x19,
    /// Bye.
    Bye = 0x20,
    /// Bye response.
    ByeResponse = 0x21,
    /// Transaction request.
    Transaction = 0x48,
    /// Transaction response.
    TransactionResponse = 0x49,
    /// Cancel request.
    Cancel = 0x54,
    /// Cancel response.
    CancelResponse = 0x55,
    /// Information report (stage updates).
    Information = 0x80,
}

impl MessageType {
    fn from_code(code: u32) -> Result<MessageType, CodecError> {
        use MessageType::*;
        [
            Hello,
            KeepAlive,
            KeepAliveResponse,
            Bye,
            ByeResponse,
            Transaction,
            TransactionResponse,
            Cancel,
            CancelResponse,
            Information,
        ]
        .into_iter()
        .find(|t| *t as u32 == code)
        .ok_or(CodecError::UnknownType(code))
    }
}

/// Where a transaction is on the terminal (tag `0E`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalStage {
    /// 01: waiting for the card.
    WaitingForCard,
    /// 02: waiting for the PIN.
    WaitingForPin,
    /// 04: finished.
    Finished,
    /// 09: waiting for the card to be removed.
    WaitingForCardRemoval,
    /// Any other stage a terminal reports.
    Other(u8),
}

impl TerminalStage {
    fn code(self) -> u8 {
        match self {
            TerminalStage::WaitingForCard => 0x01,
            TerminalStage::WaitingForPin => 0x02,
            TerminalStage::Finished => 0x04,
            TerminalStage::WaitingForCardRemoval => 0x09,
            TerminalStage::Other(c) => c,
        }
    }
    fn from_code(c: u8) -> TerminalStage {
        match c {
            0x01 => TerminalStage::WaitingForCard,
            0x02 => TerminalStage::WaitingForPin,
            0x04 => TerminalStage::Finished,
            0x09 => TerminalStage::WaitingForCardRemoval,
            other => TerminalStage::Other(other),
        }
    }
}

/// A transaction's result (tag `56`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionResult {
    /// 00.
    Approved,
    /// 01.
    Error,
    /// 02.
    Declined,
    /// 03: stopped (cancelled).
    Stopped,
    /// 04.
    TechnicalProblem,
}

impl TransactionResult {
    /// Every result.
    pub const ALL: [TransactionResult; 5] = [
        TransactionResult::Approved,
        TransactionResult::Error,
        TransactionResult::Declined,
        TransactionResult::Stopped,
        TransactionResult::TechnicalProblem,
    ];

    /// The protocol's byte.
    pub fn code(self) -> u8 {
        match self {
            TransactionResult::Approved => 0,
            TransactionResult::Error => 1,
            TransactionResult::Declined => 2,
            TransactionResult::Stopped => 3,
            TransactionResult::TechnicalProblem => 4,
        }
    }

    /// The result of a protocol byte.
    pub fn from_code(c: u8) -> Option<TransactionResult> {
        TransactionResult::ALL.into_iter().find(|r| r.code() == c)
    }

    /// The name the POS API uses.
    pub fn api_name(self) -> &'static str {
        match self {
            TransactionResult::Approved => "APPROVED",
            TransactionResult::Error => "ERROR",
            TransactionResult::Declined => "DECLINED",
            TransactionResult::Stopped => "STOPPED",
            TransactionResult::TechnicalProblem => "TECHNICAL_PROBLEM",
        }
    }

    /// The result of an API name.
    pub fn parse_api(name: &str) -> Option<TransactionResult> {
        TransactionResult::ALL
            .into_iter()
            .find(|r| r.api_name() == name)
    }
}

/// Why a cancel was asked (tag `1E`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelReason {
    /// 00: by the cashier.
    Manual,
    /// 01: by the system.
    System,
}

/// Header fields other than the message type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Protocol id (`10`).
    pub protocol_id: u32,
    /// Terminal id (`12`).
    pub terminal_id: String,
    /// Cash register id (`13`).
    pub ecr_id: String,
    /// Sequence number (`14`).
    pub sequence: u16,
}

/// A transaction response's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionOutcome {
    /// The transaction (`1A`).
    pub transaction_id: u64,
    /// Result (`56`).
    pub result: TransactionResult,
    /// Stage (`0E`).
    pub stage: TerminalStage,
    /// Amount in minor units (`A3`/`50`), when echoed.
    pub amount: Option<u32>,
    /// Currency (`51`), ISO 4217 numeric as BCD.
    pub currency: Option<u16>,
    /// Authorisation code (`1F70`).
    pub authorisation_code: Option<String>,
    /// Card brand (`1F71`).
    pub brand: Option<String>,
    /// Masked card number (`1F72`).
    pub masked_pan: Option<String>,
    /// Receipt text (`A6`/`EF`/`4C`).
    pub receipt: Option<String>,
}

/// A message body by type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Terminal → cash register on connecting (`DF5F` model).
    Hello {
        /// Terminal model.
        model: Option<String>,
    },
    /// Cash register → terminal (`16` result, `A4`/`49` keep-alive seconds).
    HelloResponse {
        /// 00 accepted.
        result: u8,
        /// Seconds between keep-alives.
        keep_alive_seconds: u16,
    },
    /// Keep-alive request.
    KeepAlive,
    /// Keep-alive response.
    KeepAliveResponse,
    /// Bye.
    Bye,
    /// Bye response.
    ByeResponse,
    /// Cash register → terminal: take a payment.
    TransactionRequest {
        /// Transaction id (`1A`, 8 bytes).
        transaction_id: u64,
        /// Minor units (`A3`/`50`).
        amount: u32,
        /// Print origin (`A5`/`4E`).
        print_origin: u8,
    },
    /// Terminal → cash register: the transaction's end.
    TransactionResponse(TransactionOutcome),
    /// Cash register → terminal: stop the transaction.
    CancelRequest {
        /// Transaction id.
        transaction_id: u64,
        /// Why.
        reason: CancelReason,
    },
    /// Terminal → cash register: the cancel was taken (`56` result).
    CancelResponse {
        /// Transaction id.
        transaction_id: u64,
        /// 00 taken.
        result: u8,
    },
    /// Terminal → cash register: the stage changed.
    Information {
        /// Transaction id.
        transaction_id: u64,
        /// New stage.
        stage: TerminalStage,
    },
}

impl Body {
    /// The message type carrying this body.
    pub fn message_type(&self) -> MessageType {
        match self {
            Body::Hello { .. } | Body::HelloResponse { .. } => MessageType::Hello,
            Body::KeepAlive => MessageType::KeepAlive,
            Body::KeepAliveResponse => MessageType::KeepAliveResponse,
            Body::Bye => MessageType::Bye,
            Body::ByeResponse => MessageType::ByeResponse,
            Body::TransactionRequest { .. } => MessageType::Transaction,
            Body::TransactionResponse(_) => MessageType::TransactionResponse,
            Body::CancelRequest { .. } => MessageType::Cancel,
            Body::CancelResponse { .. } => MessageType::CancelResponse,
            Body::Information { .. } => MessageType::Information,
        }
    }

    fn to_tlvs(&self) -> Result<Vec<Tlv>, CodecError> {
        let id = |t: u64| Tlv::primitive(tag::TRANSACTION_ID, t.to_be_bytes());
        let text = |t: u32, s: &Option<String>| s.as_ref().map(|s| Tlv::primitive(t, s.as_bytes()));
        Ok(match self {
            Body::Hello { model } => text(tag::MODEL, model).into_iter().collect(),
            Body::HelloResponse {
                result,
                keep_alive_seconds,
            } => vec![
                Tlv::primitive(tag::HELLO_RESULT, [*result]),
                Tlv::constructed(
                    tag::KEEP_ALIVE_GROUP,
                    vec![Tlv::primitive(
                        tag::KEEP_ALIVE_INTERVAL,
                        keep_alive_seconds.to_be_bytes(),
                    )],
                ),
            ],
            Body::KeepAlive | Body::KeepAliveResponse | Body::Bye | Body::ByeResponse => vec![],
            Body::TransactionRequest {
                transaction_id,
                amount,
                print_origin,
            } => vec![
                id(*transaction_id),
                Tlv::constructed(
                    tag::AMOUNT_GROUP,
                    vec![Tlv::primitive(tag::AMOUNT, amount_to_bcd(*amount)?)],
                ),
                Tlv::constructed(
                    tag::PRINT_GROUP,
                    vec![Tlv::primitive(tag::PRINT_ORIGIN, [*print_origin])],
                ),
            ],
            Body::TransactionResponse(o) => {
                let mut v = vec![
                    id(o.transaction_id),
                    Tlv::primitive(tag::RESULT, [o.result.code()]),
                    Tlv::primitive(tag::STAGE, [o.stage.code()]),
                ];
                if let Some(amount) = o.amount {
                    v.push(Tlv::constructed(
                        tag::AMOUNT_GROUP,
                        vec![Tlv::primitive(tag::AMOUNT, amount_to_bcd(amount)?)],
                    ));
                }
                if let Some(currency) = o.currency {
                    if currency > 9999 {
                        return Err(CodecError::BadField(tag::CURRENCY));
                    }
                    let bcd = amount_to_bcd(u32::from(currency))?;
                    v.push(Tlv::primitive(tag::CURRENCY, &bcd[2..]));
                }
                v.extend(text(tag::AUTH_CODE, &o.authorisation_code));
                v.extend(text(tag::BRAND, &o.brand));
                v.extend(text(tag::MASKED_PAN, &o.masked_pan));
                if let Some(receipt) = &o.receipt {
                    v.push(Tlv::constructed(
                        tag::RECEIPT_GROUP,
                        vec![Tlv::constructed(
                            tag::RECEIPT_TICKET,
                            vec![Tlv::primitive(tag::RECEIPT_TEXT, receipt.as_bytes())],
                        )],
                    ));
                }
                v
            }
            Body::CancelRequest {
                transaction_id,
                reason,
            } => vec![
                id(*transaction_id),
                Tlv::primitive(
                    tag::CANCEL_REASON,
                    [match reason {
                        CancelReason::Manual => 0,
                        CancelReason::System => 1,
                    }],
                ),
            ],
            Body::CancelResponse {
                transaction_id,
                result,
            } => vec![id(*transaction_id), Tlv::primitive(tag::RESULT, [*result])],
            Body::Information {
                transaction_id,
                stage,
            } => vec![
                id(*transaction_id),
                Tlv::primitive(tag::STAGE, [stage.code()]),
            ],
        })
    }

    fn from_tlv(kind: MessageType, body: &Tlv) -> Result<Body, CodecError> {
        let byte = |t: u32| -> Result<u8, CodecError> {
            match body.require(t)? {
                [b] => Ok(*b),
                _ => Err(CodecError::BadField(t)),
            }
        };
        let transaction_id = || -> Result<u64, CodecError> {
            let v = body.require(tag::TRANSACTION_ID)?;
            let bytes: [u8; 8] = v
                .try_into()
                .map_err(|_| CodecError::BadField(tag::TRANSACTION_ID))?;
            Ok(u64::from_be_bytes(bytes))
        };
        let text = |t: u32| body.value(t).map(text_of);
        let amount =
            |group: &Tlv| -> Result<u32, CodecError> { bcd_amount(group.require(tag::AMOUNT)?) };
        Ok(match kind {
            MessageType::Hello => match body.value(tag::HELLO_RESULT) {
                Some(_) => {
                    let interval = body
                        .child(tag::KEEP_ALIVE_GROUP)
                        .ok_or(CodecError::Missing(tag::KEEP_ALIVE_GROUP))?
                        .require(tag::KEEP_ALIVE_INTERVAL)?;
                    let interval: [u8; 2] = interval
                        .try_into()
                        .map_err(|_| CodecError::BadField(tag::KEEP_ALIVE_INTERVAL))?;
                    Body::HelloResponse {
                        result: byte(tag::HELLO_RESULT)?,
                        keep_alive_seconds: u16::from_be_bytes(interval),
                    }
                }
                None => Body::Hello {
                    model: text(tag::MODEL),
                },
            },
            MessageType::KeepAlive => Body::KeepAlive,
            MessageType::KeepAliveResponse => Body::KeepAliveResponse,
            MessageType::Bye => Body::Bye,
            MessageType::ByeResponse => Body::ByeResponse,
            MessageType::Transaction => Body::TransactionRequest {
                transaction_id: transaction_id()?,
                amount: amount(
                    body.child(tag::AMOUNT_GROUP)
                        .ok_or(CodecError::Missing(tag::AMOUNT_GROUP))?,
                )?,
                print_origin: match body.child(tag::PRINT_GROUP) {
                    Some(group) => match group.require(tag::PRINT_ORIGIN)? {
                        [b] => *b,
                        _ => return Err(CodecError::BadField(tag::PRINT_ORIGIN)),
                    },
                    None => 0,
                },
            },
            MessageType::TransactionResponse => {
                let result = TransactionResult::from_code(byte(tag::RESULT)?)
                    .ok_or(CodecError::BadField(tag::RESULT))?;
                Body::TransactionResponse(TransactionOutcome {
                    transaction_id: transaction_id()?,
                    result,
                    stage: TerminalStage::from_code(byte(tag::STAGE)?),
                    amount: body.child(tag::AMOUNT_GROUP).map(amount).transpose()?,
                    currency: body
                        .value(tag::CURRENCY)
                        .map(|v| {
                            if v.len() != 2 {
                                return Err(CodecError::BadField(tag::CURRENCY));
                            }
                            bcd_to_number(v, tag::CURRENCY).map(|n| n as u16)
                        })
                        .transpose()?,
                    authorisation_code: text(tag::AUTH_CODE),
                    brand: text(tag::BRAND),
                    masked_pan: text(tag::MASKED_PAN),
                    receipt: body
                        .child(tag::RECEIPT_GROUP)
                        .and_then(|g| g.child(tag::RECEIPT_TICKET))
                        .and_then(|t| t.value(tag::RECEIPT_TEXT))
                        .map(text_of),
                })
            }
            MessageType::Cancel => Body::CancelRequest {
                transaction_id: transaction_id()?,
                reason: match byte(tag::CANCEL_REASON)? {
                    0 => CancelReason::Manual,
                    1 => CancelReason::System,
                    _ => return Err(CodecError::BadField(tag::CANCEL_REASON)),
                },
            },
            MessageType::CancelResponse => Body::CancelResponse {
                transaction_id: transaction_id()?,
                result: byte(tag::RESULT)?,
            },
            MessageType::Information => Body::Information {
                transaction_id: transaction_id()?,
                stage: TerminalStage::from_code(byte(tag::STAGE)?),
            },
        })
    }
}

fn bcd_amount(v: &[u8]) -> Result<u32, CodecError> {
    if v.len() != 4 {
        return Err(CodecError::BadField(tag::AMOUNT));
    }
    bcd_to_number(v, tag::AMOUNT)
}

/// Text fields: UTF-8, or Latin-1 as older terminals print.
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

fn id_of(bytes: &[u8], field: u32) -> Result<String, CodecError> {
    if bytes.is_empty() || bytes.len() > MAX_ID_LEN || !bytes.iter().all(|b| b.is_ascii_graphic()) {
        return Err(CodecError::BadField(field));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// One message: header and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Header.
    pub header: Header,
    /// Body.
    pub body: Body,
}

impl Message {
    /// The whole frame, length prefix included.
    pub fn encode(&self) -> Result<Vec<u8>, CodecError> {
        let h = &self.header;
        for (field, id) in [(tag::TERMINAL, &h.terminal_id), (tag::ECR, &h.ecr_id)] {
            id_of(id.as_bytes(), field)?;
        }
        let header = Tlv::constructed(
            tag::HEADER,
            vec![
                Tlv::primitive(tag::PROTOCOL, h.protocol_id.to_be_bytes()),
                Tlv::primitive(tag::TYPE, (self.body.message_type() as u32).to_be_bytes()),
                Tlv::primitive(tag::TERMINAL, h.terminal_id.as_bytes()),
                Tlv::primitive(tag::ECR, h.ecr_id.as_bytes()),
                Tlv::primitive(tag::SEQUENCE, h.sequence.to_be_bytes()),
            ],
        );
        let body = Tlv::constructed(tag::BODY, self.body.to_tlvs()?);
        let crc = crc32(&body.content());
        let footer = Tlv::constructed(
            tag::FOOTER,
            vec![Tlv::primitive(tag::CRC, crc.to_be_bytes())],
        );
        let mut payload = MAGIC.to_vec();
        Tlv::constructed(tag::ROOT, vec![header, body, footer]).encode_into(&mut payload);
        if payload.len() > MAX_FRAME {
            return Err(CodecError::FrameLength(payload.len() as u64));
        }
        let mut frame = (payload.len() as u32).to_be_bytes().to_vec();
        frame.extend(payload);
        Ok(frame)
    }

    /// Reads the bytes after the length prefix.
    pub fn decode(payload: &[u8]) -> Result<Message, CodecError> {
        if payload.len() > MAX_FRAME {
            return Err(CodecError::FrameLength(payload.len() as u64));
        }
        let rest = payload
            .strip_prefix(&MAGIC[..])
            .ok_or(CodecError::BadMagic)?;
        let (root, used) = decode_tlv(rest)?;
        if used != rest.len() || root.tag() != tag::ROOT {
            return Err(CodecError::Structure);
        }
        let part = |t: u32| root.child(t).ok_or(CodecError::Missing(t));
        let (header, body, footer) = (part(tag::HEADER)?, part(tag::BODY)?, part(tag::FOOTER)?);
        let crc: [u8; 4] = footer
            .require(tag::CRC)?
            .try_into()
            .map_err(|_| CodecError::BadField(tag::CRC))?;
        if u32::from_be_bytes(crc) != crc32(&body.content()) {
            return Err(CodecError::BadCrc);
        }
        let word = |t: u32| -> Result<u32, CodecError> {
            let v: [u8; 4] = header
                .require(t)?
                .try_into()
                .map_err(|_| CodecError::BadField(t))?;
            Ok(u32::from_be_bytes(v))
        };
        let kind = MessageType::from_code(word(tag::TYPE)?)?;
        let sequence: [u8; 2] = header
            .require(tag::SEQUENCE)?
            .try_into()
            .map_err(|_| CodecError::BadField(tag::SEQUENCE))?;
        Ok(Message {
            header: Header {
                protocol_id: word(tag::PROTOCOL)?,
                terminal_id: id_of(header.require(tag::TERMINAL)?, tag::TERMINAL)?,
                ecr_id: id_of(header.require(tag::ECR)?, tag::ECR)?,
                sequence: u16::from_be_bytes(sequence),
            },
            body: Body::from_tlv(kind, body)?,
        })
    }
}

/// Counts one direction's sequence numbers: each message is the previous one plus one,
/// wrapping at 65536. The first message of a connection sets the start.
#[derive(Clone, Copy, Debug, Default)]
pub struct SequenceCheck {
    last: Option<u16>,
}

impl SequenceCheck {
    /// Accepts `sequence` when it is the next one; a wrong number is a protocol error.
    pub fn accept(&mut self, sequence: u16) -> bool {
        match self.last {
            Some(last) if last.wrapping_add(1) != sequence => false,
            _ => {
                self.last = Some(sequence);
                true
            }
        }
    }
}

/// Numbers one direction's outgoing messages, wrapping at 65536.
#[derive(Clone, Copy, Debug)]
pub struct SequenceCounter {
    next: u16,
}

impl SequenceCounter {
    /// Starts at `first`.
    pub fn starting_at(first: u16) -> SequenceCounter {
        SequenceCounter { next: first }
    }

    /// The number for the next message.
    pub fn next_number(&mut self) -> u16 {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        n
    }
}

/// The ISO currency of a response's numeric code.
pub fn currency_of(numeric: u16) -> Option<Currency> {
    Currency::from_numeric(numeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(sequence: u16) -> Header {
        Header {
            protocol_id: PROTOCOL_ID,
            terminal_id: "T1000001".into(),
            ecr_id: "OPENPSP".into(),
            sequence,
        }
    }

    #[test]
    fn crc_is_zlibs() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn amounts_are_bcd_of_minor_units() {
        assert_eq!(amount_to_bcd(1234).unwrap(), [0x00, 0x00, 0x12, 0x34]);
        assert_eq!(amount_to_bcd(99_999_999).unwrap(), [0x99; 4]);
        assert!(amount_to_bcd(100_000_000).is_err());
        assert_eq!(bcd_amount(&[0, 0, 0x12, 0x34]).unwrap(), 1234);
        assert!(bcd_amount(&[0, 0, 0x1A, 0x34]).is_err());
    }

    /// A TransactionRequest for 12.34, written byte by byte from the layout; the CRC is
    /// zlib's CRC-32 of the body's inner bytes, computed outside this code.
    #[test]
    fn transaction_request_known_answer() {
        #[rustfmt::skip]
        let body_inner: &[u8] = &[
            0x1A, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x2A,        // transaction id 42
            0xA3, 0x06, 0x50, 0x04, 0x00, 0x00, 0x12, 0x34, // amount 12.34
            0xA5, 0x03, 0x4E, 0x01, 0x00,                 // print origin 0
        ];
        #[rustfmt::skip]
        let expected: Vec<u8> = [
            &[0x00, 0x00, 0x00, 0x50][..],
            b"P4Y-ECR!",
            &[0xF0, 0x46],
            &[0xE1, 0x23,
                0x10, 0x04, 0x00, 0x00, 0x00, 0x01,
                0x11, 0x04, 0x00, 0x00, 0x00, 0x48,
                0x12, 0x08][..], b"T1000001",
            &[0x13, 0x07][..], b"OPENPSP",
            &[0x14, 0x02, 0x00, 0x05,
              0xE2, 0x17][..], body_inner,
            &[0xE3, 0x06, 0x1C, 0x04, 0xAE, 0x9C, 0x8A, 0xC9][..],
        ]
        .concat();
        assert_eq!(crc32(body_inner), 0xAE9C_8AC9);
        let message = Message {
            header: header(5),
            body: Body::TransactionRequest {
                transaction_id: 42,
                amount: 1234,
                print_origin: 0,
            },
        };
        assert_eq!(message.encode().unwrap(), expected);
        assert_eq!(Message::decode(&expected[4..]).unwrap(), message);
        assert_eq!(frame_length([0, 0, 0, 0x50]).unwrap(), expected.len() - 4);
    }

    #[test]
    fn multi_byte_tags_and_long_lengths() {
        let (tlv, used) = decode_tlv(&[0x1F, 0x70, 0x02, b'A', b'B']).unwrap();
        assert_eq!(used, 5);
        assert_eq!(tlv, Tlv::primitive(0x1F70, *b"AB"));
        let (tlv, _) = decode_tlv(&[0xDF, 0x5F, 0x01, b'X']).unwrap();
        assert_eq!(tlv.tag(), 0xDF5F);
        let long = vec![b'r'; 200];
        let mut enc = Vec::new();
        Tlv::primitive(0x4C, long.clone()).encode_into(&mut enc);
        assert_eq!(&enc[..3], &[0x4C, 0x81, 200]);
        let big = vec![b'r'; 300];
        let mut enc = Vec::new();
        Tlv::primitive(0x4C, big.clone()).encode_into(&mut enc);
        assert_eq!(&enc[..4], &[0x4C, 0x82, 0x01, 0x2C]);
        assert_eq!(decode_tlv(&enc).unwrap().0, Tlv::primitive(0x4C, big));
    }

    #[test]
    fn wrong_short_form_for_128_to_255_is_read_when_nothing_else_fits() {
        // 0xC8 = 200 written as if it were a short form: 72 length bytes cannot be.
        let mut bytes = vec![0x4C, 0xC8];
        bytes.extend(vec![b'x'; 200]);
        let (tlv, used) = decode_tlv(&bytes).unwrap();
        assert_eq!(used, 202);
        assert_eq!(tlv, Tlv::primitive(0x4C, vec![b'x'; 200]));
        // 0x81 followed by 0x05: the long form reads 5, and that fits: long form wins.
        let (tlv, _) = decode_tlv(&[0x4C, 0x81, 0x05, 1, 2, 3, 4, 5]).unwrap();
        assert_eq!(tlv, Tlv::primitive(0x4C, vec![1, 2, 3, 4, 5]));
        // Neither reading fits.
        assert_eq!(decode_tlv(&[0x4C, 0x90, 1, 2]), Err(CodecError::BadLength));
    }

    #[test]
    fn bad_crc_magic_and_sizes_are_refused() {
        let frame = Message {
            header: header(1),
            body: Body::KeepAlive,
        }
        .encode()
        .unwrap();
        let mut payload = frame[4..].to_vec();
        let last = payload.len() - 1;
        payload[last] ^= 0xFF;
        assert_eq!(Message::decode(&payload), Err(CodecError::BadCrc));
        let mut bad = frame[4..].to_vec();
        bad[0] = b'X';
        assert_eq!(Message::decode(&bad), Err(CodecError::BadMagic));
        assert_eq!(
            frame_length([0xFF, 0xFF, 0xFF, 0xFF]),
            Err(CodecError::FrameLength(0xFFFF_FFFF))
        );
        assert!(frame_length([0, 0, 0, 3]).is_err());
    }

    #[test]
    fn sequence_numbers_follow_each_other_and_wrap() {
        let mut check = SequenceCheck::default();
        assert!(check.accept(65_534));
        assert!(check.accept(65_535));
        assert!(check.accept(0));
        assert!(!check.accept(2));
        let mut counter = SequenceCounter::starting_at(65_535);
        assert_eq!(counter.next_number(), 65_535);
        assert_eq!(counter.next_number(), 0);
    }

    #[test]
    fn currencies_have_numeric_codes() {
        assert_eq!(Currency::parse("EUR").unwrap().numeric(), 978);
        assert_eq!(currency_of(840).unwrap().code(), "USD");
        assert!(Currency::all().all(|c| Currency::from_numeric(c.numeric()) == Some(c)));
    }

    fn id_text() -> impl Strategy<Value = String> {
        "[!-~]{1,32}"
    }

    fn opt_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("\\PC{0,300}")
    }

    fn stage() -> impl Strategy<Value = TerminalStage> {
        any::<u8>().prop_map(TerminalStage::from_code)
    }

    fn body() -> impl Strategy<Value = Body> {
        prop_oneof![
            opt_text().prop_map(|model| Body::Hello { model }),
            (any::<u8>(), any::<u16>()).prop_map(|(result, keep_alive_seconds)| {
                Body::HelloResponse {
                    result,
                    keep_alive_seconds,
                }
            }),
            Just(Body::KeepAlive),
            Just(Body::KeepAliveResponse),
            Just(Body::Bye),
            Just(Body::ByeResponse),
            (any::<u64>(), 0..=MAX_AMOUNT, any::<u8>()).prop_map(|(t, a, p)| {
                Body::TransactionRequest {
                    transaction_id: t,
                    amount: a,
                    print_origin: p,
                }
            }),
            (
                any::<u64>(),
                0..5u8,
                stage(),
                proptest::option::of(0..=MAX_AMOUNT),
                proptest::option::of(0..=9999u16),
                (opt_text(), opt_text(), opt_text(), opt_text())
            )
                .prop_map(
                    |(t, r, stage, amount, currency, (auth, brand, pan, receipt))| {
                        Body::TransactionResponse(TransactionOutcome {
                            transaction_id: t,
                            result: TransactionResult::from_code(r).unwrap(),
                            stage,
                            amount,
                            currency,
                            authorisation_code: auth,
                            brand,
                            masked_pan: pan,
                            receipt,
                        })
                    }
                ),
            (any::<u64>(), any::<bool>()).prop_map(|(t, system)| Body::CancelRequest {
                transaction_id: t,
                reason: if system {
                    CancelReason::System
                } else {
                    CancelReason::Manual
                },
            }),
            (any::<u64>(), any::<u8>()).prop_map(|(t, result)| Body::CancelResponse {
                transaction_id: t,
                result
            }),
            (any::<u64>(), stage()).prop_map(|(t, stage)| Body::Information {
                transaction_id: t,
                stage
            }),
        ]
    }

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(
            body in body(),
            terminal in id_text(),
            ecr in id_text(),
            sequence in any::<u16>(),
            protocol in any::<u32>(),
        ) {
            let message = Message {
                header: Header { protocol_id: protocol, terminal_id: terminal, ecr_id: ecr, sequence },
                body,
            };
            let frame = message.encode().unwrap();
            let len = frame_length(frame[..4].try_into().unwrap()).unwrap();
            prop_assert_eq!(len, frame.len() - 4);
            prop_assert_eq!(Message::decode(&frame[4..]).unwrap(), message);
        }

        /// The fuzz target: random bytes never panic the decoder.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = Message::decode(&bytes);
            let _ = decode_tlv(&bytes);
            if bytes.len() >= 4 {
                let _ = frame_length(bytes[..4].try_into().unwrap());
            }
        }

        /// Valid frames with bytes flipped, cut or inserted never panic the decoder,
        /// and any flip inside the body is caught.
        #[test]
        fn damaged_frames_never_panic(
            body in body(),
            at in any::<prop::sample::Index>(),
            value in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let frame = Message { header: header(7), body }.encode().unwrap();
            let payload = &frame[4..];
            let mut flipped = payload.to_vec();
            let i = at.index(flipped.len());
            flipped[i] = value;
            let _ = Message::decode(&flipped);
            let _ = Message::decode(&payload[..cut.index(payload.len())]);
            let mut grown = payload.to_vec();
            grown.insert(i, value);
            let _ = Message::decode(&grown);
        }

        /// Magic plus nested containers as deep as a frame allows are refused, not
        /// recursed into until the stack ends.
        #[test]
        fn deep_nesting_is_refused(depth in 7usize..20_000) {
            let mut bytes = MAGIC.to_vec();
            for _ in 0..depth.min(MAX_FRAME / 2 - 8) {
                bytes.extend([0xA0, 0x81]);
            }
            prop_assert!(Message::decode(&bytes).is_err());
        }
    }
}
