//! Frames: the checked, decoded bytes of one request or response, and their encoding on the
//! wire (`docs/spec.md` §7.1).
//!
//! ```text
//! request:  seq | opcode        | length (u16 LE) | payload | CRC (u16 LE)
//! response: seq | opcode | 0x80 | status | length (u16 LE) | payload | CRC (u16 LE)
//! ```
//!
//! The CRC ([`super::crc16`]) covers every byte before it. On the wire a frame is its COBS
//! encoding followed by one 0x00.

use super::cobs::{self, CobsError};
use super::codes::Status;
use super::crc::crc16;
use super::{CRC_BYTES, DELIMITER, LINK_ERROR_OPCODE, MAX_PAYLOAD, RESPONSE_FLAG};

/// Which way a frame travels: the headers differ by the response's status byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host to chip.
    Request,
    /// Chip to host.
    Response,
}

impl Direction {
    /// Header bytes before the payload: `seq`, `opcode`, (`status`,) `length`.
    pub const fn header_len(self) -> usize {
        match self {
            Direction::Request => 4,
            Direction::Response => 5,
        }
    }

    /// Decoded bytes of a frame without payload.
    pub const fn min_len(self) -> usize {
        self.header_len() + CRC_BYTES
    }

    /// Decoded bytes of a frame with `MAX_PAYLOAD` bytes of payload.
    pub const fn max_len(self) -> usize {
        self.min_len() + MAX_PAYLOAD
    }

    /// Encoded bytes (COBS, without the delimiter) of the longest frame: a longer frame is
    /// [`FrameError::TooLong`].
    pub const fn max_encoded_len(self) -> usize {
        cobs::max_encoded_len(self.max_len())
    }
}

/// Why bytes between two delimiters are not a frame, or a frame cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// More encoded bytes than the longest frame.
    #[error("the frame has {len} encoded bytes; the longest has {max}")]
    TooLong {
        /// Encoded bytes received.
        len: usize,
        /// [`Direction::max_encoded_len`].
        max: usize,
    },
    /// Not a COBS encoding.
    #[error("the frame is not a COBS encoding: {0}")]
    Cobs(#[from] CobsError),
    /// Fewer decoded bytes than a header and a CRC.
    #[error("the frame has {len} decoded bytes; a header and a CRC take {min}")]
    TooShort {
        /// Decoded bytes.
        len: usize,
        /// [`Direction::min_len`].
        min: usize,
    },
    /// The CRC field differs from the CRC of the bytes before it.
    #[error("the frame's CRC field is {received:#06x}; its bytes give {computed:#06x}")]
    BadCrc {
        /// The CRC field.
        received: u16,
        /// The CRC computed over the frame.
        computed: u16,
    },
    /// The length field differs from the payload received, or exceeds `MAX_PAYLOAD` (the
    /// header is intact: the CRC matched).
    #[error(
        "frame seq {seq} opcode {opcode:#04x}: the length field says {declared} payload bytes, \
         the frame holds {received} (at most {MAX_PAYLOAD})"
    )]
    BadLength {
        /// The frame's `seq`.
        seq: u8,
        /// The frame's opcode byte.
        opcode: u8,
        /// The length field.
        declared: usize,
        /// Payload bytes received.
        received: usize,
    },
    /// A payload longer than `MAX_PAYLOAD` to encode.
    #[error("a payload of {len} bytes exceeds the maximum of {MAX_PAYLOAD}")]
    PayloadTooLong {
        /// Payload bytes.
        len: usize,
    },
    /// A response whose opcode byte lacks bit 7.
    #[error("opcode byte {opcode:#04x} of a response lacks the response flag 0x80")]
    NotAResponse {
        /// The opcode byte.
        opcode: u8,
    },
    /// A response with a status byte no status has.
    #[error("status byte {code:#04x} is no status")]
    UnknownStatus {
        /// The status byte.
        code: u8,
    },
}

impl FrameError {
    /// The status the chip answers a request frame with this error ([`None`] for errors of
    /// responses or of encoding).
    pub fn status(&self) -> Option<Status> {
        match self {
            FrameError::TooLong { .. } => Some(Status::TooLong),
            FrameError::Cobs(_) => Some(Status::Cobs),
            FrameError::TooShort { .. } => Some(Status::TooShort),
            FrameError::BadCrc { .. } => Some(Status::BadCrc),
            FrameError::BadLength { .. } => Some(Status::BadLength),
            FrameError::PayloadTooLong { .. }
            | FrameError::NotAResponse { .. }
            | FrameError::UnknownStatus { .. } => None,
        }
    }
}

/// A frame that passed the link checks: not too long, COBS-decoded, long enough, CRC matched.
/// Its header can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    body: Vec<u8>,
    crc: u16,
    direction: Direction,
}

impl Frame {
    /// Check and decode the bytes between two delimiters, in this order: length of the
    /// encoding, COBS, decoded length, CRC; the first failing check is the error.
    pub fn decode(encoded: &[u8], direction: Direction) -> Result<Frame, FrameError> {
        let max = direction.max_encoded_len();
        if encoded.len() > max {
            return Err(FrameError::TooLong {
                len: encoded.len(),
                max,
            });
        }
        let mut body = cobs::decode(encoded)?;
        let min = direction.min_len();
        if body.len() < min {
            return Err(FrameError::TooShort {
                len: body.len(),
                min,
            });
        }
        let crc_at = body.len() - CRC_BYTES;
        let received = u16::from_le_bytes([body[crc_at], body[crc_at + 1]]);
        body.truncate(crc_at);
        let computed = crc16(&body);
        if received != computed {
            return Err(FrameError::BadCrc { received, computed });
        }
        Ok(Frame {
            body,
            crc: received,
            direction,
        })
    }

    /// The bytes before the CRC.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The frame's CRC.
    pub fn crc(&self) -> u16 {
        self.crc
    }

    /// The first byte, `seq`.
    pub fn seq(&self) -> u8 {
        self.body[0]
    }

    /// The second byte, the opcode byte.
    pub fn opcode(&self) -> u8 {
        self.body[1]
    }

    /// The header's length field and the payload, checked against each other and
    /// `MAX_PAYLOAD`.
    fn payload(&self) -> Result<&[u8], FrameError> {
        let at = self.direction.header_len();
        let declared = usize::from(u16::from_le_bytes([self.body[at - 2], self.body[at - 1]]));
        let payload = &self.body[at..];
        if declared != payload.len() || declared > MAX_PAYLOAD {
            return Err(FrameError::BadLength {
                seq: self.seq(),
                opcode: self.opcode(),
                declared,
                received: payload.len(),
            });
        }
        Ok(payload)
    }
}

/// A request as sent by the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Sequence number, echoed in the response.
    pub seq: u8,
    /// Opcode byte ([`super::Opcode`]; any byte may be sent).
    pub opcode: u8,
    /// Payload, at most `MAX_PAYLOAD` bytes.
    pub payload: Vec<u8>,
}

impl Request {
    /// The request in a frame of requests, after the length check.
    pub fn parse(frame: &Frame) -> Result<Request, FrameError> {
        Ok(Request {
            seq: frame.seq(),
            opcode: frame.opcode(),
            payload: frame.payload()?.to_vec(),
        })
    }

    /// The bytes on the wire: COBS of header, payload and CRC, then 0x00.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let mut body = vec![self.seq, self.opcode];
        push_payload(&mut body, &self.payload)?;
        Ok(encode_body(body))
    }
}

/// Decode and check one request frame (the bytes between two delimiters).
pub fn decode_request(encoded: &[u8]) -> Result<Request, FrameError> {
    Request::parse(&Frame::decode(encoded, Direction::Request)?)
}

/// A response as sent by the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The request's `seq` (0 in a link-error response).
    pub seq: u8,
    /// The opcode byte: the request's opcode with bit 7 set (0xFF in a link-error response).
    pub opcode: u8,
    /// The outcome.
    pub status: Status,
    /// Payload (empty unless the status is [`Status::Ok`]).
    pub payload: Vec<u8>,
}

impl Response {
    /// The response to a request with `seq` and opcode byte `opcode`.
    pub fn to(seq: u8, opcode: u8, status: Status, payload: Vec<u8>) -> Response {
        Response {
            seq,
            opcode: opcode | RESPONSE_FLAG,
            status,
            payload,
        }
    }

    /// The answer to a damaged frame: `seq` 0, opcode byte 0xFF, no payload.
    pub fn link_error(status: Status) -> Response {
        Response::to(0, LINK_ERROR_OPCODE, status, Vec::new())
    }

    /// Whether this is a link-error response (the chip dropped a damaged frame).
    pub fn is_link_error(&self) -> bool {
        self.opcode == LINK_ERROR_OPCODE | RESPONSE_FLAG
    }

    /// The response in a frame of responses, after the length, flag and status checks.
    pub fn parse(frame: &Frame) -> Result<Response, FrameError> {
        let payload = frame.payload()?.to_vec();
        let opcode = frame.opcode();
        if opcode & RESPONSE_FLAG == 0 {
            return Err(FrameError::NotAResponse { opcode });
        }
        let code = frame.body()[2];
        let status = Status::from_code(code).ok_or(FrameError::UnknownStatus { code })?;
        Ok(Response {
            seq: frame.seq(),
            opcode,
            status,
            payload,
        })
    }

    /// The bytes on the wire: COBS of header, payload and CRC, then 0x00.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let mut body = vec![self.seq, self.opcode, self.status.code()];
        push_payload(&mut body, &self.payload)?;
        Ok(encode_body(body))
    }
}

/// Decode and check one response frame (the bytes between two delimiters).
pub fn decode_response(encoded: &[u8]) -> Result<Response, FrameError> {
    Response::parse(&Frame::decode(encoded, Direction::Response)?)
}

fn push_payload(body: &mut Vec<u8>, payload: &[u8]) -> Result<(), FrameError> {
    let len = u16::try_from(payload.len())
        .ok()
        .filter(|&len| usize::from(len) <= MAX_PAYLOAD)
        .ok_or(FrameError::PayloadTooLong { len: payload.len() })?;
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(payload);
    Ok(())
}

/// Append the CRC, COBS-encode, append the delimiter.
fn encode_body(mut body: Vec<u8>) -> Vec<u8> {
    let crc = crc16(&body);
    body.extend_from_slice(&crc.to_le_bytes());
    let mut wire = cobs::encode(&body);
    wire.push(DELIMITER);
    wire
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Opcode;

    /// The bytes between the delimiters of one encoded frame.
    fn inner(wire: &[u8]) -> &[u8] {
        assert_eq!(wire.last(), Some(&DELIMITER), "{wire:02X?} ends with 0x00");
        &wire[..wire.len() - 1]
    }

    #[test]
    fn limits() {
        assert_eq!(Direction::Request.max_len(), 262);
        assert_eq!(Direction::Request.max_encoded_len(), 264);
        assert_eq!(Direction::Response.max_len(), 263);
        assert_eq!(Direction::Response.max_encoded_len(), 265);
    }

    #[test]
    fn a_request_is_laid_out_as_specified() {
        let request = Request {
            seq: 7,
            opcode: Opcode::Step.code(),
            payload: vec![0x0F, 0x00, 0x03, 0x00],
        };
        let wire = request.encode().expect("small payload");
        let body = cobs::decode(inner(&wire)).expect("COBS");
        let crc = crc16(&body[..8]).to_le_bytes();
        assert_eq!(
            body,
            [7, 0x21, 4, 0, 0x0F, 0x00, 0x03, 0x00, crc[0], crc[1]]
        );
        assert_eq!(decode_request(inner(&wire)), Ok(request));
    }

    #[test]
    fn responses_round_trip() {
        let responses = [
            Response::to(200, Opcode::Read.code(), Status::Ok, vec![0; MAX_PAYLOAD]),
            Response::to(1, 0x55, Status::UnknownOpcode, Vec::new()),
            Response::link_error(Status::BadCrc),
        ];
        for response in responses {
            let wire = response.encode().expect("payload within the maximum");
            assert!(inner(&wire).len() <= Direction::Response.max_encoded_len());
            assert_eq!(decode_response(inner(&wire)), Ok(response));
        }
        let link = Response::link_error(Status::TooLong);
        assert_eq!((link.seq, link.opcode), (0, 0xFF));
        assert!(link.is_link_error());
    }

    #[test]
    fn encoding_refuses_long_payloads() {
        let request = Request {
            seq: 0,
            opcode: 1,
            payload: vec![1; MAX_PAYLOAD + 1],
        };
        assert_eq!(
            request.encode(),
            Err(FrameError::PayloadTooLong {
                len: MAX_PAYLOAD + 1
            })
        );
    }

    /// The decoded frame `body` with its CRC, COBS-encoded, without the delimiter.
    fn framed(body: &[u8]) -> Vec<u8> {
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&crc16(body).to_le_bytes());
        cobs::encode(&bytes)
    }

    #[test]
    fn every_check_in_order() {
        let too_long = vec![1u8; 265];
        assert_eq!(
            decode_request(&too_long),
            Err(FrameError::TooLong { len: 265, max: 264 })
        );
        assert!(matches!(
            decode_request(&[0x05, 1, 2]),
            Err(FrameError::Cobs(CobsError::Truncated { .. }))
        ));
        assert_eq!(
            decode_request(&framed(&[1, 2, 0])),
            Err(FrameError::TooShort { len: 5, min: 6 })
        );
        let mut damaged = framed(&[1, 2, 0, 0]);
        damaged[1] ^= 0x10;
        assert!(matches!(
            decode_request(&damaged),
            Err(FrameError::BadCrc { .. })
        ));
        assert_eq!(
            decode_request(&framed(&[9, 0x10, 3, 0, 1, 2])),
            Err(FrameError::BadLength {
                seq: 9,
                opcode: 0x10,
                declared: 3,
                received: 2
            })
        );
        // A length field that matches a payload above the maximum (263 decoded bytes with
        // zeros in them fit in 264 encoded bytes).
        let mut body = vec![9, 0x10, 0x01, 0x01];
        body.extend(vec![0u8; 257]);
        let encoded = framed(&body);
        assert_eq!(encoded.len(), 264);
        assert_eq!(
            decode_request(&encoded),
            Err(FrameError::BadLength {
                seq: 9,
                opcode: 0x10,
                declared: 257,
                received: 257
            })
        );
        assert_eq!(
            decode_response(&framed(&[9, 0x10, 0, 0, 0])),
            Err(FrameError::NotAResponse { opcode: 0x10 })
        );
        assert_eq!(
            decode_response(&framed(&[9, 0x90, 0x77, 0, 0])),
            Err(FrameError::UnknownStatus { code: 0x77 })
        );
        let err = decode_request(&framed(&[9, 0x10, 3, 0, 1, 2])).expect_err("bad length");
        assert_eq!(
            err.to_string(),
            "frame seq 9 opcode 0x10: the length field says 3 payload bytes, the frame holds 2 \
             (at most 256)"
        );
    }
}
