//! The frame's building blocks: BER-TLV reading and writing with every length checked,
//! the frame length prefix, CRC-32 and BCD amounts.

use super::*;

pub(super) mod tag {
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

pub(super) fn tag_bytes(tag: u32) -> Vec<u8> {
    let bytes = tag.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(3);
    bytes[first..].to_vec()
}

pub(super) fn is_constructed(tag: u32) -> bool {
    tag_bytes(tag)[0] & 0x20 != 0
}

pub(super) fn write_length(out: &mut Vec<u8>, len: usize) {
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
    pub(super) fn primitive(tag: u32, value: impl Into<Vec<u8>>) -> Tlv {
        Tlv::Primitive {
            tag,
            value: value.into(),
        }
    }

    pub(super) fn constructed(tag: u32, children: Vec<Tlv>) -> Tlv {
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

    pub(super) fn child(&self, tag: u32) -> Option<&Tlv> {
        match self {
            Tlv::Constructed { children, .. } => children.iter().find(|c| c.tag() == tag),
            Tlv::Primitive { .. } => None,
        }
    }

    pub(super) fn value(&self, tag: u32) -> Option<&[u8]> {
        match self.child(tag)? {
            Tlv::Primitive { value, .. } => Some(value),
            Tlv::Constructed { .. } => None,
        }
    }

    pub(super) fn require(&self, tag: u32) -> Result<&[u8], CodecError> {
        self.value(tag).ok_or(CodecError::Missing(tag))
    }
}

/// Reads one TLV at the start of `buf`; returns it and the bytes it used.
pub fn decode_tlv(buf: &[u8]) -> Result<(Tlv, usize), CodecError> {
    decode_at(buf, 0)
}

pub(super) fn decode_at(buf: &[u8], depth: usize) -> Result<(Tlv, usize), CodecError> {
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

pub(super) fn read_tag(buf: &[u8]) -> Result<(u32, usize), CodecError> {
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
pub(super) fn read_length(buf: &[u8]) -> Result<(usize, usize), CodecError> {
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
pub(super) fn bcd_to_number(bytes: &[u8], field: u32) -> Result<u32, CodecError> {
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
