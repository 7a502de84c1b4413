//! [`Command`]: a request's opcode and payload, parsed and checked as the chip checks them
//! (`docs/spec.md` §7.3), and built by the host.

use super::codes::{Opcode, Space, Status};
use super::frame::Request;
use super::MAX_PAYLOAD;

/// Bytes before the values of a `WRITE`: space, start address (u32 LE).
pub const WRITE_HEADER: usize = 5;
/// Payload bytes of a `READ`: space, start address (u32 LE), count (u16 LE).
pub const READ_PAYLOAD: usize = 7;
/// Most steps of one `RUN_PHASE` (the longest phase a network file may ask for), which bounds
/// the time the chip is busy with one request.
pub const MAX_RUN_STEPS: u16 = 1024;

/// One request's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `IDENTIFY`.
    Identify,
    /// `LINK_STATUS`.
    LinkStatus,
    /// `RESET`: answered, then every register returns to its power-up value.
    Reset,
    /// `WRITE`: `values[i]` to address `start + i` of `space` (the low [`Space::width`] bytes
    /// of each value go on the wire).
    Write {
        /// Memory space.
        space: Space,
        /// First address.
        start: u32,
        /// Values, at least one.
        values: Vec<u32>,
    },
    /// `READ`: `count` values from address `start` of `space` on.
    Read {
        /// Memory space.
        space: Space,
        /// First address.
        start: u32,
        /// Values, at least one.
        count: u16,
    },
    /// `PHASE_RESET`.
    PhaseReset,
    /// `STEP` with a `StepCommand` word.
    Step {
        /// The core's `STEP` word.
        word: u32,
    },
    /// `RUN_PHASE`: `PHASE_RESET`, then `steps` × `STEP` with `word`.
    RunPhase {
        /// The core's `STEP` word.
        word: u32,
        /// Steps after the reset (0: the reset only; at most [`MAX_RUN_STEPS`]).
        steps: u16,
    },
    /// `READ_PREDICTION`.
    ReadPrediction,
}

/// Why a request with an intact frame is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// No request has this opcode.
    #[error("opcode {code:#04x} is no request")]
    UnknownOpcode {
        /// The opcode byte.
        code: u8,
    },
    /// The payload's size does not fit the opcode.
    #[error("{opcode} takes {expected}; the payload has {len} bytes")]
    BadPayload {
        /// The request's name.
        opcode: &'static str,
        /// Payload bytes.
        len: usize,
        /// What the opcode takes.
        expected: &'static str,
    },
    /// A `READ` count of 0, or more values than a response holds.
    #[error("a READ of {count} values of {width} bytes does not fit a response (1..={max})")]
    BadCount {
        /// The count field.
        count: u16,
        /// Bytes per value of the space.
        width: usize,
        /// The largest count for the space.
        max: usize,
    },
    /// A `RUN_PHASE` of more than [`MAX_RUN_STEPS`] steps.
    #[error("RUN_PHASE of {steps} steps; at most {MAX_RUN_STEPS}")]
    TooManySteps {
        /// The steps field.
        steps: u16,
    },
    /// No memory space has this code.
    #[error("space {code} is no memory space")]
    UnknownSpace {
        /// The space byte.
        code: u8,
    },
}

impl CommandError {
    /// The status the chip answers with.
    pub fn status(&self) -> Status {
        match self {
            CommandError::UnknownOpcode { .. } => Status::UnknownOpcode,
            CommandError::BadPayload { .. }
            | CommandError::BadCount { .. }
            | CommandError::TooManySteps { .. } => Status::BadPayload,
            CommandError::UnknownSpace { .. } => Status::UnknownSpace,
        }
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The values packed in `bytes`, [`Space::width`] little-endian bytes each, zero-extended
/// (a trailing partial value is left out).
pub fn unpack_values(space: Space, bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(space.width())
        .map(|chunk| {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            u32::from_le_bytes(word)
        })
        .collect()
}

/// `values` packed for the wire: the low [`Space::width`] bytes of each, little-endian.
pub fn pack_values(space: Space, values: &[u32]) -> Vec<u8> {
    let width = space.width();
    values
        .iter()
        .flat_map(|v| v.to_le_bytes().into_iter().take(width))
        .collect()
}

/// Values of `space` one response holds.
pub fn max_read_count(space: Space) -> usize {
    MAX_PAYLOAD / space.width()
}

/// Values of `space` one `WRITE` request holds.
pub fn max_write_count(space: Space) -> usize {
    (MAX_PAYLOAD - WRITE_HEADER) / space.width()
}

impl Command {
    /// The command of a request with opcode byte `opcode` and `payload`. Checks in order: the
    /// opcode; the payload size for the opcode (at least the header for `WRITE`); the space
    /// byte; for `WRITE`, values that fill the rest exactly (at least one); for `READ`, a count
    /// of 1..=`MAX_PAYLOAD / width`; for `RUN_PHASE`, at most [`MAX_RUN_STEPS`] steps. Address
    /// ranges depend on the network and are checked by
    /// [`super::MemoryMap::check`]. The spaces are those of a core with `hidden_layers`
    /// hidden layers: the weights of a layer it lacks are an unknown space.
    pub fn parse(
        opcode: u8,
        payload: &[u8],
        hidden_layers: usize,
    ) -> Result<Command, CommandError> {
        let op = Opcode::from_code(opcode).ok_or(CommandError::UnknownOpcode { code: opcode })?;
        let len = payload.len();
        let expect = |ok: bool, expected: &'static str| {
            if ok {
                Ok(())
            } else {
                Err(CommandError::BadPayload {
                    opcode: op.name(),
                    len,
                    expected,
                })
            }
        };
        let space = |code: u8| {
            Space::from_code_in(code, hidden_layers).ok_or(CommandError::UnknownSpace { code })
        };
        Ok(match op {
            Opcode::Identify => {
                expect(len == 0, "no payload")?;
                Command::Identify
            }
            Opcode::LinkStatus => {
                expect(len == 0, "no payload")?;
                Command::LinkStatus
            }
            Opcode::Reset => {
                expect(len == 0, "no payload")?;
                Command::Reset
            }
            Opcode::PhaseReset => {
                expect(len == 0, "no payload")?;
                Command::PhaseReset
            }
            Opcode::ReadPrediction => {
                expect(len == 0, "no payload")?;
                Command::ReadPrediction
            }
            Opcode::Step => {
                expect(len == 4, "4 bytes (word)")?;
                Command::Step {
                    word: u32_at(payload, 0),
                }
            }
            Opcode::RunPhase => {
                expect(len == 6, "6 bytes (word, steps)")?;
                let steps = u16_at(payload, 4);
                if steps > MAX_RUN_STEPS {
                    return Err(CommandError::TooManySteps { steps });
                }
                Command::RunPhase {
                    word: u32_at(payload, 0),
                    steps,
                }
            }
            Opcode::Read => {
                expect(len == READ_PAYLOAD, "7 bytes (space, start, count)")?;
                let space = space(payload[0])?;
                let count = u16_at(payload, 5);
                let max = max_read_count(space);
                if count == 0 || usize::from(count) > max {
                    return Err(CommandError::BadCount {
                        count,
                        width: space.width(),
                        max,
                    });
                }
                Command::Read {
                    space,
                    start: u32_at(payload, 1),
                    count,
                }
            }
            Opcode::Write => {
                expect(len >= WRITE_HEADER, "space, start and values")?;
                let space = space(payload[0])?;
                let values = &payload[WRITE_HEADER..];
                expect(
                    !values.is_empty() && values.len() % space.width() == 0,
                    "space, start and a whole number (at least 1) of values",
                )?;
                Command::Write {
                    space,
                    start: u32_at(payload, 1),
                    values: unpack_values(space, values),
                }
            }
        })
    }

    /// The opcode of the command.
    pub fn opcode(&self) -> Opcode {
        match self {
            Command::Identify => Opcode::Identify,
            Command::LinkStatus => Opcode::LinkStatus,
            Command::Reset => Opcode::Reset,
            Command::Write { .. } => Opcode::Write,
            Command::Read { .. } => Opcode::Read,
            Command::PhaseReset => Opcode::PhaseReset,
            Command::Step { .. } => Opcode::Step,
            Command::RunPhase { .. } => Opcode::RunPhase,
            Command::ReadPrediction => Opcode::ReadPrediction,
        }
    }

    /// The request payload.
    pub fn payload(&self) -> Vec<u8> {
        match self {
            Command::Identify
            | Command::LinkStatus
            | Command::Reset
            | Command::PhaseReset
            | Command::ReadPrediction => Vec::new(),
            Command::Write {
                space,
                start,
                values,
            } => {
                let mut payload = vec![space.code()];
                payload.extend_from_slice(&start.to_le_bytes());
                payload.extend(pack_values(*space, values));
                payload
            }
            Command::Read {
                space,
                start,
                count,
            } => {
                let mut payload = vec![space.code()];
                payload.extend_from_slice(&start.to_le_bytes());
                payload.extend_from_slice(&count.to_le_bytes());
                payload
            }
            Command::Step { word } => word.to_le_bytes().to_vec(),
            Command::RunPhase { word, steps } => {
                let mut payload = word.to_le_bytes().to_vec();
                payload.extend_from_slice(&steps.to_le_bytes());
                payload
            }
        }
    }

    /// The request carrying the command with sequence number `seq`.
    pub fn request(&self, seq: u8) -> Request {
        Request {
            seq,
            opcode: self.opcode().code(),
            payload: self.payload(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip() {
        let commands = [
            Command::Identify,
            Command::LinkStatus,
            Command::Reset,
            Command::PhaseReset,
            Command::ReadPrediction,
            Command::Step { word: 0x0003_0F0B },
            Command::RunPhase {
                word: 0xDEAD_BEEF,
                steps: 40,
            },
            Command::Read {
                space: Space::State,
                start: 0x8001,
                count: 128,
            },
            Command::Write {
                space: Space::HIDDEN_WEIGHT,
                start: 500,
                values: vec![0xFF80, 0x7F, 0],
            },
            Command::Write {
                space: Space::Register,
                start: 16,
                values: vec![0xFFFF_FFFF; 62],
            },
            // Starts past 16 bits travel whole.
            Command::Write {
                space: Space::HIDDEN_WEIGHT,
                start: 300_000,
                values: vec![0x0102; 125],
            },
            Command::Read {
                space: Space::CLASSIFIER_WEIGHT,
                start: 0xFFFF_FFFF,
                count: 1,
            },
        ];
        for command in commands {
            let request = command.request(3);
            assert!(request.payload.len() <= MAX_PAYLOAD, "{command:?}");
            assert_eq!(
                Command::parse(request.opcode, &request.payload, 1),
                Ok(command)
            );
        }
    }

    #[test]
    fn values_pack_to_their_width() {
        let packed = pack_values(Space::HIDDEN_WEIGHT, &[0xFFFF_FF80, 0x0001_0002]);
        assert_eq!(packed, [0x80, 0xFF, 0x02, 0x00]);
        assert_eq!(
            unpack_values(Space::HIDDEN_WEIGHT, &packed),
            [0xFF80, 0x0002]
        );
        assert_eq!(pack_values(Space::Pixel, &[0x1FF]), [0xFF]);
        assert_eq!(unpack_values(Space::Register, &[1, 2, 3, 4]), [0x0403_0201]);
        assert_eq!(max_read_count(Space::Pixel), 256);
        assert_eq!(max_write_count(Space::Register), 62);
        assert_eq!(max_write_count(Space::HIDDEN_WEIGHT), 125);
        assert_eq!(max_write_count(Space::Pixel), 251);
    }

    #[test]
    fn refusals_in_order() {
        let parse = |op: Opcode, payload: &[u8]| Command::parse(op.code(), payload, 1);
        let status = |op: Opcode, payload: &[u8]| parse(op, payload).map_err(|e| e.status());
        assert_eq!(
            Command::parse(0x7E, &[], 1),
            Err(CommandError::UnknownOpcode { code: 0x7E })
        );
        assert_eq!(status(Opcode::Identify, &[0]), Err(Status::BadPayload));
        assert_eq!(status(Opcode::Step, &[0; 3]), Err(Status::BadPayload));
        assert_eq!(status(Opcode::RunPhase, &[0; 4]), Err(Status::BadPayload));
        assert_eq!(
            parse(Opcode::RunPhase, &[0, 0, 0, 0, 0x01, 0x04]),
            Err(CommandError::TooManySteps { steps: 1025 })
        );
        assert!(parse(Opcode::RunPhase, &[0, 0, 0, 0, 0x00, 0x04]).is_ok());
        // READ: size, then space, then count.
        assert_eq!(
            status(Opcode::Read, &[9, 0, 0, 1, 0]),
            Err(Status::BadPayload)
        );
        assert_eq!(
            parse(Opcode::Read, &[9, 0, 0, 0, 0, 1, 0]),
            Err(CommandError::UnknownSpace { code: 9 })
        );
        assert_eq!(
            parse(Opcode::Read, &[1, 0, 0, 0, 0, 0, 0]),
            Err(CommandError::BadCount {
                count: 0,
                width: 2,
                max: 128
            })
        );
        assert_eq!(
            status(Opcode::Read, &[1, 0, 0, 0, 0, 129, 0]),
            Err(Status::BadPayload)
        );
        // WRITE: header size, then space, then whole values.
        assert_eq!(
            status(Opcode::Write, &[9, 0, 0, 0]),
            Err(Status::BadPayload)
        );
        assert_eq!(
            status(Opcode::Write, &[9, 0, 0, 0, 0]),
            Err(Status::UnknownSpace)
        );
        // The weights of hidden layer 2 are a space of a core with three hidden layers only.
        assert_eq!(
            Command::parse(Opcode::Read.code(), &[9, 0, 0, 0, 0, 1, 0], 3),
            Ok(Command::Read {
                space: Space::Weight(crate::core_interface::LayerId::hidden(2)),
                start: 0,
                count: 1
            })
        );
        assert_eq!(
            status(Opcode::Write, &[1, 0, 0, 0, 0]),
            Err(Status::BadPayload)
        );
        assert_eq!(
            status(Opcode::Write, &[4, 0, 0, 0, 0, 1, 2]),
            Err(Status::BadPayload)
        );
        let err = parse(Opcode::Write, &[4, 0, 0, 0, 0, 1, 2]).expect_err("partial value");
        assert_eq!(
            err.to_string(),
            "WRITE takes space, start and a whole number (at least 1) of values; the payload \
             has 7 bytes"
        );
    }
}
