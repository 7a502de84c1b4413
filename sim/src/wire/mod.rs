//! The wire protocol between a host and a spikeforge chip (`docs/spec.md` §7), defined once
//! for the golden model of the chip ([`crate::chip::Chip`]), the RTL and the host.
//!
//! A UART (8N1, a whole number of clock cycles per bit: [`line`](mod@line)) carries frames.
//! Each frame is COBS-encoded ([`cobs`]) and followed by one 0x00. A decoded request is `seq`,
//! `opcode`, `length` (u16 LE), payload, CRC-16/CCITT-FALSE ([`crc`]) LE over the bytes before
//! it; a response adds a status byte after the opcode, which has bit 7 set ([`frame`]). The
//! host sends one request and waits for its response (stop-and-wait). `READ` and `WRITE` reach
//! the core's memories and registers as the core addresses them ([`Space`], [`MemoryMap`]).
pub mod cobs;
mod codes;
mod command;
pub mod crc;
pub mod frame;
mod identity;
pub mod line;
mod map;

pub use codes::{Opcode, Space, Status};
pub use command::{
    max_read_count, max_write_count, pack_values, unpack_values, Command, CommandError,
    MAX_RUN_STEPS, READ_PAYLOAD, WRITE_HEADER,
};
pub use crc::crc16;
pub use frame::{decode_request, decode_response, Direction, Frame, FrameError, Request, Response};
pub use identity::{
    build_hash, parameter_hash, Identity, LinkStatus, PayloadSizeError, FLAG_CLASSIFIER_SEES_INPUT,
    FLAG_FIXED_PARAMETERS, FLAG_HIDDEN_LAYERS_MASK, FLAG_HIDDEN_LAYERS_SHIFT,
};
pub use map::{MemoryMap, RangeError};

/// Version of the protocol in `IDENTIFY` (this document's §7).
pub const PROTOCOL_VERSION: u8 = 3;
/// First bytes of the `IDENTIFY` payload.
pub const MAGIC: [u8; 4] = *b"SPKF";
/// Largest payload of a request or response, in bytes. Chosen so that the longest decoded
/// request (262 bytes) and response (263 bytes) each fit one 512-byte iCE40 block RAM.
pub const MAX_PAYLOAD: usize = 256;
/// Bytes of the CRC at the end of a frame.
pub const CRC_BYTES: usize = 2;
/// The frame delimiter on the wire.
pub const DELIMITER: u8 = 0x00;
/// Bit 7 of a response's opcode byte.
pub const RESPONSE_FLAG: u8 = 0x80;
/// The opcode of no request: a link-error response carries `LINK_ERROR_OPCODE | 0x80` = 0xFF.
pub const LINK_ERROR_OPCODE: u8 = 0x7F;
/// Bytes the chip's receive FIFO holds between the UART and the frame decoder: a longest
/// encoded request and its delimiter (265 bytes) with room to spare.
pub const RX_FIFO_BYTES: usize = 512;
/// Bits on the line per byte (8N1: start, 8 data, stop).
pub const BITS_PER_BYTE: u32 = 10;

/// Bytes on the wire of a frame of `decoded` bytes at most: its longest COBS encoding and the
/// delimiter. Exact for frames below 254 bytes: `decoded + 2`.
pub const fn max_wire_bytes(decoded: usize) -> usize {
    cobs::max_encoded_len(decoded) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_longest_request_fits_the_rx_fifo() {
        assert_eq!(max_wire_bytes(Direction::Request.max_len()), 265);
        assert!(max_wire_bytes(Direction::Request.max_len()) <= RX_FIFO_BYTES);
        assert_eq!(max_wire_bytes(6), 8);
    }
}
