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

/// A Hello written byte by byte with the cash register id left out, and one with it
/// empty: both are read as an empty id (a terminal that does not know its cash register
/// yet). A transaction response without the transaction id echo is read as `None`.
#[test]
fn tolerant_of_a_missing_ecr_id_and_transaction_echo() {
    let frame = |kind: MessageType, header_ecr: Option<&[u8]>, body: Vec<Tlv>| -> Vec<u8> {
        let mut fields = vec![
            Tlv::primitive(0x10, PROTOCOL_ID.to_be_bytes()),
            Tlv::primitive(0x11, (kind as u32).to_be_bytes()),
            Tlv::primitive(0x12, *b"T1000001"),
        ];
        fields.extend(header_ecr.map(|e| Tlv::primitive(0x13, e.to_vec())));
        fields.push(Tlv::primitive(0x14, 1u16.to_be_bytes()));
        let body = Tlv::constructed(0xE2, body);
        let crc = crc32(&body.content());
        let root = Tlv::constructed(
            0xF0,
            vec![
                Tlv::constructed(0xE1, fields),
                body,
                Tlv::constructed(0xE3, vec![Tlv::primitive(0x1C, crc.to_be_bytes())]),
            ],
        );
        let mut payload = MAGIC.to_vec();
        root.encode_into(&mut payload);
        payload
    };
    for ecr in [None, Some(&b""[..])] {
        let hello = Message::decode(&frame(MessageType::Hello, ecr, vec![])).unwrap();
        assert_eq!(hello.header.ecr_id, "");
        assert_eq!(hello.body, Body::Hello { model: None });
    }
    assert!(
        Message::decode(&frame(MessageType::Hello, Some(b"has space"), vec![])).is_err(),
        "a present id is still checked"
    );
    let no_echo = Message {
        header: header(3),
        body: Body::TransactionResponse(TransactionOutcome {
            transaction_id: None,
            result: TransactionResult::Approved,
            stage: TerminalStage::Finished,
            amount: Some(100),
            currency: Some(978),
            authorisation_code: None,
            brand: None,
            masked_pan: None,
            receipt: None,
        }),
    };
    let bytes = no_echo.encode().unwrap();
    assert_eq!(Message::decode(&bytes[4..]).unwrap(), no_echo);
    // An echo that is there but malformed is still refused.
    let result = |id: Option<&[u8]>| {
        let mut body: Vec<Tlv> = id
            .map(|v| Tlv::primitive(0x1A, v.to_vec()))
            .into_iter()
            .collect();
        body.extend([Tlv::primitive(0x56, [0u8]), Tlv::primitive(0x0E, [0u8])]);
        Message::decode(&frame(MessageType::TransactionResponse, Some(b"X"), body))
    };
    let read = result(None).unwrap();
    assert!(matches!(
        read.body,
        Body::TransactionResponse(TransactionOutcome {
            transaction_id: None,
            ..
        })
    ));
    assert!(result(Some(&[7])).is_err());
    let read = result(Some(&7u64.to_be_bytes())).unwrap();
    assert!(matches!(
        read.body,
        Body::TransactionResponse(TransactionOutcome {
            transaction_id: Some(7),
            ..
        })
    ));
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
            proptest::option::of(any::<u64>()),
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
        (proptest::option::of(any::<u64>()), stage()).prop_map(|(t, stage)| Body::Information {
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
        ecr in prop_oneof![Just(String::new()), id_text()],
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
