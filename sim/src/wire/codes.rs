//! The numbers of the wire protocol: request opcodes, response status codes and memory spaces
//! (`docs/spec.md` §7).

use crate::core_interface::{
    weight_name, weight_space_code, weight_space_layer, LayerId, Op, MAX_HIDDEN_LAYERS,
};

/// Request opcodes (the second byte of a request; a response carries `opcode | 0x80`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    /// The chip's identity: protocol version, network sizes, value widths, build hash.
    Identify = 0x01,
    /// The link's counters ([`super::LinkStatus`]).
    LinkStatus = 0x02,
    /// Answer, then return every register of the chip to its power-up value; the memories
    /// keep their contents (`docs/spec.md` §7.10).
    Reset = 0x03,
    /// Write consecutive addresses of one memory space.
    Write = 0x10,
    /// Read consecutive addresses of one memory space.
    Read = 0x11,
    /// The core's `PHASE_RESET`.
    PhaseReset = 0x20,
    /// One core `STEP` with a `StepCommand` word.
    Step = 0x21,
    /// `PHASE_RESET`, then a number of `STEP`s with one word.
    RunPhase = 0x22,
    /// The core's `READ_PREDICTION`.
    ReadPrediction = 0x23,
}

impl Opcode {
    /// Every opcode, in code order.
    pub const ALL: [Opcode; 9] = [
        Opcode::Identify,
        Opcode::LinkStatus,
        Opcode::Reset,
        Opcode::Write,
        Opcode::Read,
        Opcode::PhaseReset,
        Opcode::Step,
        Opcode::RunPhase,
        Opcode::ReadPrediction,
    ];

    /// The opcode byte.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The opcode with byte `code`.
    pub fn from_code(code: u8) -> Option<Opcode> {
        Opcode::ALL.into_iter().find(|op| op.code() == code)
    }

    /// Name in the specification's opcode table.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Identify => "IDENTIFY",
            Opcode::LinkStatus => "LINK_STATUS",
            Opcode::Reset => "RESET",
            Opcode::Write => "WRITE",
            Opcode::Read => "READ",
            Opcode::PhaseReset => "PHASE_RESET",
            Opcode::Step => "STEP",
            Opcode::RunPhase => "RUN_PHASE",
            Opcode::ReadPrediction => "READ_PREDICTION",
        }
    }
}

/// Response status codes (the third byte of a response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// Executed.
    Ok = 0x00,
    /// Link error: the CRC does not match the frame.
    BadCrc = 0x01,
    /// Link error: the bytes are not a COBS encoding.
    Cobs = 0x02,
    /// Link error: fewer decoded bytes than a header and a CRC.
    TooShort = 0x03,
    /// Link error: more encoded bytes than the longest request.
    TooLong = 0x04,
    /// The length field differs from the payload received, or exceeds `MAX_PAYLOAD`.
    BadLength = 0x10,
    /// No request has this opcode.
    UnknownOpcode = 0x11,
    /// The payload's size or count does not fit the opcode.
    BadPayload = 0x12,
    /// No memory space has this code.
    UnknownSpace = 0x13,
    /// An address of the access lies outside the space for this network (or a register id
    /// that cannot be read, or written).
    OutOfRange = 0x14,
    /// The core did not finish a `STEP` or `PHASE_RESET` within the engine's bound, or did
    /// not answer a read: a hardware fault (an upset, a clock out of its limits), never an
    /// answer of a working chip or of the golden model (`docs/spec.md` §7.6).
    CoreTimeout = 0x20,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 11] = [
        Status::Ok,
        Status::BadCrc,
        Status::Cobs,
        Status::TooShort,
        Status::TooLong,
        Status::BadLength,
        Status::UnknownOpcode,
        Status::BadPayload,
        Status::UnknownSpace,
        Status::OutOfRange,
        Status::CoreTimeout,
    ];

    /// The status byte.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status with byte `code`.
    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A link error: the frame was damaged on the way; its header is not trusted and its
    /// response is a link-error response (`seq` 0, opcode byte 0xFF).
    pub fn is_link_error(self) -> bool {
        matches!(
            self,
            Status::BadCrc | Status::Cobs | Status::TooShort | Status::TooLong
        )
    }

    /// A fault of the chip itself (CORE_TIMEOUT): never the answer of a working chip, nor of
    /// the golden model.
    pub fn is_fault(self) -> bool {
        self == Status::CoreTimeout
    }

    /// Name in the specification's status table.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::BadCrc => "BAD_CRC",
            Status::Cobs => "COBS",
            Status::TooShort => "TOO_SHORT",
            Status::TooLong => "TOO_LONG",
            Status::BadLength => "BAD_LENGTH",
            Status::UnknownOpcode => "UNKNOWN_OPCODE",
            Status::BadPayload => "BAD_PAYLOAD",
            Status::UnknownSpace => "UNKNOWN_SPACE",
            Status::OutOfRange => "OUT_OF_RANGE",
            Status::CoreTimeout => "CORE_TIMEOUT",
        }
    }
}

/// Memory spaces of `READ` and `WRITE`: each is one pair of core operations, addressed as the
/// core addresses it. Codes 0..=4 are those of a core with one hidden layer; the weights of
/// hidden layer `l >= 1` are space `7 + l` (8, 9, 10), so that every space's core operations
/// are `2 s + 1` (write) and `2 s + 2` (read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    /// Pixel intensities, one byte each (code 0).
    Pixel,
    /// The weights of a layer, `row * size + neuron`, 16-bit two's complement: `W` of hidden
    /// layer 0 (code 1), `C` of the classifier (code 2), `W1`..`W3` (codes 8..=10).
    Weight(LayerId),
    /// Neuron state at the core's state address, 16 bits (code 3).
    State,
    /// Registers and parameters by the core's register id, 32 bits (code 4).
    Register,
}

impl Space {
    /// The spaces of a core with one hidden layer, in code order (codes 0..=4): the spaces
    /// whose value widths `IDENTIFY` lists.
    pub const ALL: [Space; 5] = [
        Space::Pixel,
        Space::Weight(LayerId::Hidden(0)),
        Space::Weight(LayerId::Classifier),
        Space::State,
        Space::Register,
    ];

    /// The weights of hidden layer 0, `W`.
    pub const HIDDEN_WEIGHT: Space = Space::Weight(LayerId::Hidden(0));
    /// The weights of the classifier, `C`.
    pub const CLASSIFIER_WEIGHT: Space = Space::Weight(LayerId::Classifier);

    /// Every space of a core with `hidden_layers` hidden layers, in code order.
    pub fn all(hidden_layers: usize) -> Vec<Space> {
        let extra =
            (1..hidden_layers.min(MAX_HIDDEN_LAYERS)).map(|l| Space::Weight(LayerId::hidden(l)));
        Space::ALL.into_iter().chain(extra).collect()
    }

    /// The space byte.
    pub fn code(self) -> u8 {
        match self {
            Space::Pixel => 0,
            Space::Weight(layer) => weight_space_code(layer),
            Space::State => 3,
            Space::Register => 4,
        }
    }

    /// The space with byte `code` in a core with the most hidden layers.
    pub fn from_code(code: u8) -> Option<Space> {
        match code {
            0 => Some(Space::Pixel),
            3 => Some(Space::State),
            4 => Some(Space::Register),
            _ => weight_space_layer(code).map(Space::Weight),
        }
    }

    /// The space with byte `code` in a core with `hidden_layers` hidden layers (the weights of
    /// a layer it lacks are no space).
    pub fn from_code_in(code: u8, hidden_layers: usize) -> Option<Space> {
        Space::from_code(code).filter(|space| match space {
            Space::Weight(LayerId::Hidden(l)) => usize::from(*l) < hidden_layers,
            _ => true,
        })
    }

    /// Bytes per value on the wire (little-endian, the low bytes of the core's data word).
    pub fn width(self) -> usize {
        match self {
            Space::Pixel => 1,
            Space::Weight(_) | Space::State => 2,
            Space::Register => 4,
        }
    }

    /// The core operations that write and read the space.
    pub fn core_ops(self) -> (Op, Op) {
        match self {
            Space::Pixel => (Op::WritePixel, Op::ReadPixel),
            Space::Weight(layer) => (Op::WriteWeight(layer), Op::ReadWeight(layer)),
            Space::State => (Op::WriteState, Op::ReadState),
            Space::Register => (Op::WriteRegister, Op::ReadRegister),
        }
    }

    /// Name in the specification's space table: `PIXEL`, `W`, `W1`..`W3`, `C`, `STATE`,
    /// `REG`.
    pub fn name(self) -> &'static str {
        match self {
            Space::Pixel => "PIXEL",
            Space::Weight(layer) => weight_name(layer),
            Space::State => "STATE",
            Space::Register => "REG",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for op in Opcode::ALL {
            assert_eq!(Opcode::from_code(op.code()), Some(op));
            assert!(
                op.code() < 0x7F,
                "{} leaves room for the link opcode",
                op.name()
            );
        }
        for status in Status::ALL {
            assert_eq!(Status::from_code(status.code()), Some(status));
        }
        for space in Space::all(4) {
            assert_eq!(Space::from_code(space.code()), Some(space));
            let (write, read) = space.core_ops();
            assert_eq!(
                (write.code(), read.code()),
                (2 * space.code() + 1, 2 * space.code() + 2),
                "{}",
                space.name()
            );
        }
        let codes: Vec<u8> = Space::all(4).into_iter().map(Space::code).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 8, 9, 10]);
        assert_eq!(Space::from_code_in(8, 1), None);
        assert_eq!(
            Space::from_code_in(9, 3),
            Some(Space::Weight(LayerId::hidden(2)))
        );
        assert_eq!(Space::from_code(7), None);
        assert_eq!(Space::from_code(11), None);
        assert_eq!(Opcode::from_code(0x00), None);
        assert_eq!(Opcode::from_code(0x7F), None);
        assert_eq!(Status::from_code(0x05), None);
        assert_eq!(Space::from_code(5), None);
        let links: Vec<&str> = Status::ALL
            .into_iter()
            .filter(|s| s.is_link_error())
            .map(Status::name)
            .collect();
        assert_eq!(links, ["BAD_CRC", "COBS", "TOO_SHORT", "TOO_LONG"]);
    }
}
