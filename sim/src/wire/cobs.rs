//! Consistent Overhead Byte Stuffing (COBS): a frame's bytes re-encoded without any 0x00, so
//! that 0x00 can delimit frames on the wire.
//!
//! The encoded frame is a sequence of blocks. A block is a code byte `c` (1..=255) and `c - 1`
//! data bytes (none of them 0x00). A block with `c < 255` stands for its data bytes followed by
//! a 0x00, except for the last block of the frame, whose 0x00 is dropped; a block with
//! `c = 255` stands for its 254 data bytes alone. A frame whose last block is cut short by the
//! end of the frame is a decoding error ([`CobsError::Truncated`]).
//!
//! The encoder splits the data at its zeros, and runs longer than 254 bytes into blocks of 254
//! (code 255); it ends a run that is a positive multiple of 254 long with an empty block
//! (code 1) only when a 0x00 follows it. [`max_encoded_len`] bounds its output.

/// Data bytes of a full block (code 255), which has no implied zero.
pub const BLOCK_DATA: usize = 254;

/// Why bytes are not a COBS encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CobsError {
    /// A 0x00 inside an encoded frame (the delimiter never occurs inside).
    #[error("byte {at} of the encoded frame is 0x00")]
    ZeroByte {
        /// Offset of the 0x00 in the encoded frame.
        at: usize,
    },
    /// The last block announces more data bytes than the frame holds.
    #[error(
        "the block at byte {at} (code {code}) needs {needed} data bytes; the frame ends after {available}"
    )]
    Truncated {
        /// Offset of the block's code byte.
        at: usize,
        /// The code byte.
        code: u8,
        /// Data bytes the code announces (`code - 1`).
        needed: usize,
        /// Data bytes left in the frame.
        available: usize,
    },
}

/// Largest encoded length of `n` data bytes: `n + 1 + floor(n / 254)`.
pub const fn max_encoded_len(n: usize) -> usize {
    n + 1 + n / BLOCK_DATA
}

/// Encode `data` (the delimiter is not appended).
pub fn encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(max_encoded_len(data.len()));
    let segments: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        let mut chunks = segment.chunks(BLOCK_DATA).peekable();
        if chunks.peek().is_none() {
            // An empty segment: one empty block carries its zero (or ends the frame).
            out.push(1);
        }
        while let Some(chunk) = chunks.next() {
            push_block(&mut out, chunk);
            let full = chunk.len() == BLOCK_DATA;
            if full && chunks.peek().is_none() && i < last {
                // A full block has no implied zero: an empty block carries the one that follows.
                out.push(1);
            }
        }
    }
    out
}

fn push_block(out: &mut Vec<u8>, chunk: &[u8]) {
    // A chunk holds at most 254 bytes, so the code fits a byte.
    out.push((chunk.len() + 1) as u8);
    out.extend_from_slice(chunk);
}

/// Decode one encoded frame (the bytes between two delimiters).
pub fn decode(encoded: &[u8]) -> Result<Vec<u8>, CobsError> {
    let mut out = Vec::with_capacity(encoded.len());
    let mut at = 0;
    let mut zero_pending = false;
    while at < encoded.len() {
        let code = encoded[at];
        if code == 0 {
            return Err(CobsError::ZeroByte { at });
        }
        if zero_pending {
            out.push(0);
        }
        let needed = usize::from(code) - 1;
        let data = &encoded[at + 1..];
        if data.len() < needed {
            return Err(CobsError::Truncated {
                at,
                code,
                needed,
                available: data.len(),
            });
        }
        if let Some(offset) = data[..needed].iter().position(|&b| b == 0) {
            return Err(CobsError::ZeroByte {
                at: at + 1 + offset,
            });
        }
        out.extend_from_slice(&data[..needed]);
        zero_pending = code != u8::MAX;
        at += 1 + needed;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    /// Vectors worked out by hand from the block rules above.
    #[test]
    fn known_vectors() {
        let run: Vec<u8> = (1..=254).collect();
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (vec![], vec![0x01]),
            (vec![0x00], vec![0x01, 0x01]),
            (vec![0x00, 0x00], vec![0x01, 0x01, 0x01]),
            (
                vec![0x11, 0x22, 0x00, 0x33],
                vec![0x03, 0x11, 0x22, 0x02, 0x33],
            ),
            (
                vec![0x11, 0x22, 0x33, 0x44],
                vec![0x05, 0x11, 0x22, 0x33, 0x44],
            ),
            (
                vec![0x11, 0x00, 0x00, 0x00],
                vec![0x02, 0x11, 0x01, 0x01, 0x01],
            ),
            ([&run[..], &[]].concat(), [&[0xFF][..], &run].concat()),
            (
                [&run[..], &[0x00]].concat(),
                [&[0xFF][..], &run, &[0x01, 0x01]].concat(),
            ),
            (
                [&run[..], &[0x07]].concat(),
                [&[0xFF][..], &run, &[0x02, 0x07]].concat(),
            ),
        ];
        for (data, encoded) in cases {
            assert_eq!(encode(&data), encoded, "encoding {data:02X?}");
            assert_eq!(
                decode(&encoded),
                Ok(data.clone()),
                "decoding {encoded:02X?}"
            );
        }
    }

    #[test]
    fn decoding_errors_name_the_block() {
        assert_eq!(
            decode(&[0x03, 0x11, 0x22, 0x05, 0x33]),
            Err(CobsError::Truncated {
                at: 3,
                code: 5,
                needed: 4,
                available: 1
            })
        );
        assert_eq!(
            decode(&[0x03, 0x11, 0x00]),
            Err(CobsError::ZeroByte { at: 2 })
        );
        assert_eq!(decode(&[0x00]), Err(CobsError::ZeroByte { at: 0 }));
        let err = decode(&[0x02]).expect_err("truncated");
        assert_eq!(
            err.to_string(),
            "the block at byte 0 (code 2) needs 1 data bytes; the frame ends after 0"
        );
        // An empty last block adds a zero after a short block, nothing after a full one (the
        // encoder leaves that block out; the decoder accepts it).
        assert_eq!(decode(&[0x02, 0x05, 0x01]), Ok(vec![0x05, 0x00]));
        let run: Vec<u8> = (1..=254).collect();
        let encoded = [&[0xFF][..], &run, &[0x01]].concat();
        assert_eq!(decode(&encoded), Ok(run));
    }

    fn runner(seed: u8) -> TestRunner {
        let config = Config {
            cases: 2_000,
            failure_persistence: None,
            ..Config::default()
        };
        TestRunner::new_with_rng(
            config,
            TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
        )
    }

    /// Data biased toward zeros and long non-zero runs, the cases that shape blocks.
    fn data() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop_oneof![Just(0u8), 1u8..=255, Just(0xFF)], 0..=800)
            .prop_flat_map(|bytes| {
                let len = bytes.len();
                (Just(bytes), 0..=len, 0usize..600)
            })
            .prop_map(|(mut bytes, at, run)| {
                // Splice in a long run without zeros.
                let splice: Vec<u8> = (0..run).map(|i| (i % 255 + 1) as u8).collect();
                bytes.splice(at..at, splice);
                bytes
            })
    }

    #[test]
    fn round_trip_without_zeros_within_the_bound() {
        runner(1)
            .run(&data(), |data| {
                let encoded = encode(&data);
                prop_assert!(!encoded.contains(&0));
                prop_assert!(encoded.len() <= max_encoded_len(data.len()));
                prop_assert_eq!(decode(&encoded), Ok(data));
                Ok(())
            })
            .unwrap_or_else(|err| panic!("{err}"));
    }

    #[test]
    fn decoding_any_bytes_never_panics() {
        runner(2)
            .run(&prop::collection::vec(any::<u8>(), 0..600), |bytes| {
                if let Ok(data) = decode(&bytes) {
                    // Whatever decodes is shorter than its encoding (but for nothing).
                    prop_assert!(data.len() < bytes.len() || bytes.is_empty());
                    prop_assert_eq!(decode(&encode(&data)), Ok(data));
                }
                Ok(())
            })
            .unwrap_or_else(|err| panic!("{err}"));
    }
}
