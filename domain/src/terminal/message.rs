//! The protocol's messages: types, stages, results, the header, and every body read from
//! and written to a frame.

use super::codec::tag;
use super::*;

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
    pub(super) fn from_code(code: u32) -> Result<MessageType, CodecError> {
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
    pub(super) fn code(self) -> u8 {
        match self {
            TerminalStage::WaitingForCard => 0x01,
            TerminalStage::WaitingForPin => 0x02,
            TerminalStage::Finished => 0x04,
            TerminalStage::WaitingForCardRemoval => 0x09,
            TerminalStage::Other(c) => c,
        }
    }
    pub(super) fn from_code(c: u8) -> TerminalStage {
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
    /// Cash register id (`13`); empty when the terminal does not know the cash
    /// register's name yet.
    pub ecr_id: String,
    /// Sequence number (`14`).
    pub sequence: u16,
}

/// A transaction response's fields. Its `Debug` masks any card number in the card field
/// and the receipt (6+4), whatever the terminal sent.
#[derive(Clone, PartialEq, Eq)]
pub struct TransactionOutcome {
    /// The transaction (`1A`); some terminals leave the echo out.
    pub transaction_id: Option<u64>,
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
        /// Transaction id; some terminals leave the echo out.
        transaction_id: Option<u64>,
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

    pub(super) fn to_tlvs(&self) -> Result<Vec<Tlv>, CodecError> {
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
                let mut v: Vec<Tlv> = o.transaction_id.map(id).into_iter().collect();
                v.push(Tlv::primitive(tag::RESULT, [o.result.code()]));
                v.push(Tlv::primitive(tag::STAGE, [o.stage.code()]));
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
            } => transaction_id
                .map(id)
                .into_iter()
                .chain([Tlv::primitive(tag::STAGE, [stage.code()])])
                .collect(),
        })
    }

    pub(super) fn from_tlv(kind: MessageType, body: &Tlv) -> Result<Body, CodecError> {
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
        // An echo a terminal may leave out: absent is `None`, present must be valid.
        let echoed_id = || -> Result<Option<u64>, CodecError> {
            match body.value(tag::TRANSACTION_ID) {
                None => Ok(None),
                Some(_) => transaction_id().map(Some),
            }
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
                    transaction_id: echoed_id()?,
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
                transaction_id: echoed_id()?,
                stage: TerminalStage::from_code(byte(tag::STAGE)?),
            },
        })
    }
}

pub(super) fn bcd_amount(v: &[u8]) -> Result<u32, CodecError> {
    if v.len() != 4 {
        return Err(CodecError::BadField(tag::AMOUNT));
    }
    bcd_to_number(v, tag::AMOUNT)
}

/// Text fields: UTF-8, or Latin-1 as older terminals print.
pub(super) fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// A cash register id: like a terminal id, but empty is accepted (a terminal that does
/// not know the cash register's name yet sends it empty, or not at all).
pub(super) fn ecr_id_of(bytes: Option<&[u8]>) -> Result<String, CodecError> {
    match bytes {
        None | Some([]) => Ok(String::new()),
        Some(bytes) => id_of(bytes, tag::ECR),
    }
}

pub(super) fn id_of(bytes: &[u8], field: u32) -> Result<String, CodecError> {
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
        id_of(h.terminal_id.as_bytes(), tag::TERMINAL)?;
        ecr_id_of(Some(h.ecr_id.as_bytes()))?;
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
                ecr_id: ecr_id_of(header.value(tag::ECR))?,
                sequence: u16::from_be_bytes(sequence),
            },
            body: Body::from_tlv(kind, body)?,
        })
    }
}

impl std::fmt::Debug for TransactionOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |text: &Option<String>| text.as_deref().map(crate::card::mask_card_numbers);
        f.debug_struct("TransactionOutcome")
            .field("transaction_id", &self.transaction_id)
            .field("result", &self.result)
            .field("stage", &self.stage)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .field("authorisation_code", &self.authorisation_code)
            .field("brand", &self.brand)
            .field("masked_pan", &masked(&self.masked_pan))
            .field("receipt", &masked(&self.receipt))
            .finish()
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_masks_card_numbers_a_terminal_reports() {
        let outcome = TransactionOutcome {
            transaction_id: Some(7),
            result: TransactionResult::Approved,
            stage: TerminalStage::Finished,
            amount: Some(1_000),
            currency: Some(978),
            authorisation_code: Some("A1B2C3".into()),
            brand: Some("VISA".into()),
            masked_pan: Some("4111111111111111".into()),
            receipt: Some("CARD 4111111111111111\nTOTAL 10.00".into()),
        };
        let shown = format!("{outcome:?}");
        assert!(!shown.contains("4111111111111111"), "{shown}");
        assert!(shown.contains("411111******1111"), "{shown}");
        let message = format!("{:?}", Body::TransactionResponse(outcome));
        assert!(!message.contains("4111111111111111"), "{message}");
    }
}
