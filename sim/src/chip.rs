//! [`Chip`]: the golden model of the whole chip at its UART: the bytes the UART receiver
//! delivers go in, the bytes the chip transmits come out (`docs/spec.md` §7).
//!
//! The model is untimed: it assumes the host keeps the pacing rule (one request at a time), so
//! that the receive FIFO never overflows, and it sees only the characters the UART delivered
//! (a character with a framing error is dropped before the frame decoder). Its counters of
//! overflows and framing errors therefore stay 0. Everything else, including the answers to
//! damaged frames and line noise, is a function of the byte stream alone, which the RTL
//! reproduces byte for byte.

use crate::config::NetworkConfig;
use crate::core_model::{CoreModel, CoreModelError};
use crate::wire::{
    pack_values, Command, Direction, Frame, Identity, LinkStatus, MemoryMap, Request, Response,
    Status, DELIMITER,
};

/// The response to the last intact request, kept for retransmissions.
#[derive(Debug, Clone)]
struct Stored {
    seq: u8,
    crc: u16,
    response: Vec<u8>,
}

/// The chip: frame decoder, command executor and learning core.
#[derive(Debug, Clone)]
pub struct Chip {
    core: CoreModel,
    map: MemoryMap,
    identity: Vec<u8>,
    /// Encoded bytes of the frame being received (at most one more than the longest request).
    frame: Vec<u8>,
    /// Encoded bytes received since the last delimiter.
    frame_len: usize,
    last: Option<Stored>,
    status: LinkStatus,
    /// A `RESET` was answered: the chip resets at the end of the frame.
    reset_pending: bool,
}

impl Chip {
    /// The chip generated for `cfg`, at power-up.
    pub fn new(cfg: &NetworkConfig) -> Result<Self, CoreModelError> {
        Self::build(cfg, false)
    }

    /// The chip generated for `cfg` with its layers' parameters fixed (`fixed_parameters`,
    /// the network's values: writes of them are refused) or in registers, at power-up.
    pub fn build(cfg: &NetworkConfig, fixed_parameters: bool) -> Result<Self, CoreModelError> {
        let core = CoreModel::build(cfg, fixed_parameters)?;
        Ok(Self {
            map: MemoryMap::new(core.shape().clone()),
            identity: Identity::of_shape(cfg, core.shape()).encode(),
            core,
            frame: Vec::with_capacity(Direction::Request.max_encoded_len() + 1),
            frame_len: 0,
            last: None,
            status: LinkStatus::default(),
            reset_pending: false,
        })
    }

    /// Receive `bytes`; return the bytes sent in answer (whole frames, each ending in 0x00).
    /// After a `RESET` is answered the chip resets ([`Chip::reset`]) and the rest of `bytes`
    /// is dropped: on the chip, bytes that arrive before the reset ends are lost, so a host
    /// sends nothing after a `RESET` until its answer has arrived (`docs/spec.md` §7.10).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &byte in bytes {
            if byte == DELIMITER {
                if let Some(response) = self.frame_end() {
                    out.extend_from_slice(&response);
                }
                if self.reset_pending {
                    self.reset();
                    break;
                }
            } else {
                // Past the longest request nothing more is stored; the frame is too long.
                if self.frame.len() <= Direction::Request.max_encoded_len() {
                    self.frame.push(byte);
                }
                self.frame_len = self.frame_len.saturating_add(1);
            }
        }
        out
    }

    /// The chip's reset (`docs/spec.md` §7.10): the link's counters 0, no stored response,
    /// no frame being received, the core's registers at their power-up values
    /// ([`CoreModel::reset`]); the memories keep their contents.
    pub fn reset(&mut self) {
        self.core.reset();
        self.frame.clear();
        self.frame_len = 0;
        self.last = None;
        self.status = LinkStatus::default();
        self.reset_pending = false;
    }

    /// The learning core.
    pub fn core(&self) -> &CoreModel {
        &self.core
    }

    /// The link's counters.
    pub fn link_status(&self) -> LinkStatus {
        self.status
    }

    /// A delimiter: answer the frame received since the previous one, if it is not empty.
    fn frame_end(&mut self) -> Option<Vec<u8>> {
        let len = std::mem::replace(&mut self.frame_len, 0);
        let encoded = std::mem::take(&mut self.frame);
        self.frame.reserve(Direction::Request.max_encoded_len() + 1);
        if len == 0 {
            return None;
        }
        let frame = match Frame::decode(&encoded, Direction::Request) {
            Ok(frame) => frame,
            Err(err) => {
                self.status.link_errors = self.status.link_errors.saturating_add(1);
                let status = err.status().unwrap_or(Status::Cobs);
                return Some(wire(&Response::link_error(status)));
            }
        };
        if let Some(last) = &self.last {
            if last.seq == frame.seq() && last.crc == frame.crc() {
                self.status.replays = self.status.replays.saturating_add(1);
                return Some(last.response.clone());
            }
        }
        let response = match Request::parse(&frame) {
            Ok(request) => self.execute(&request),
            Err(err) => {
                let status = err.status().unwrap_or(Status::BadLength);
                Response::to(frame.seq(), frame.opcode(), status, Vec::new())
            }
        };
        let response = wire(&response);
        self.last = Some(Stored {
            seq: frame.seq(),
            crc: frame.crc(),
            response: response.clone(),
        });
        Some(response)
    }

    /// Execute an intact request: parse, check the address range, run the core commands.
    fn execute(&mut self, request: &Request) -> Response {
        let answer = |status: Status, payload: Vec<u8>| {
            Response::to(request.seq, request.opcode, status, payload)
        };
        let layers = self.map.shape().hidden_layers();
        let command = match Command::parse(request.opcode, &request.payload, layers) {
            Ok(command) => command,
            Err(err) => return answer(err.status(), Vec::new()),
        };
        let payload = match command {
            Command::Identify => self.identity.clone(),
            Command::LinkStatus => self.status.encode(),
            Command::Reset => {
                self.reset_pending = true;
                Vec::new()
            }
            Command::Write {
                space,
                start,
                values,
            } => {
                if self.map.check(space, start, values.len(), true).is_err() {
                    return answer(Status::OutOfRange, Vec::new());
                }
                let (write, _) = space.core_ops();
                for (addr, value) in (start..).zip(values) {
                    self.core.command(write, addr, value);
                }
                Vec::new()
            }
            Command::Read {
                space,
                start,
                count,
            } => {
                if self.map.check(space, start, count.into(), false).is_err() {
                    return answer(Status::OutOfRange, Vec::new());
                }
                let (_, read) = space.core_ops();
                let values: Vec<u32> = (start..)
                    .take(count.into())
                    .map(|addr| self.core.command(read, addr, 0).unwrap_or(0))
                    .collect();
                pack_values(space, &values)
            }
            Command::PhaseReset => {
                self.core.phase_reset();
                Vec::new()
            }
            Command::Step { word } => {
                self.core.step(word);
                Vec::new()
            }
            Command::RunPhase { word, steps } => {
                self.core.phase_reset();
                for _ in 0..steps {
                    self.core.step(word);
                }
                Vec::new()
            }
            Command::ReadPrediction => vec![self.core.prediction().to_le_bytes()[0]],
        };
        answer(Status::Ok, payload)
    }
}

/// A response's bytes on the wire. Every payload the chip builds is within `MAX_PAYLOAD`.
fn wire(response: &Response) -> Vec<u8> {
    response
        .encode()
        .unwrap_or_else(|err| panic!("the chip built an unencodable response: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core_interface::{LayerId, Register, StateField};
    use crate::wire::{cobs, crc16, decode_response, unpack_values, Opcode, Space, MAX_PAYLOAD};

    fn chip() -> Chip {
        let cfg = crate::config::supervised_digits();
        Chip::new(&cfg).expect("the default network fits the core")
    }

    /// Every response in `bytes` (each ends with 0x00).
    fn responses(bytes: &[u8]) -> Vec<Response> {
        assert_eq!(bytes.last().copied().unwrap_or(0), 0, "{bytes:02X?}");
        bytes
            .split(|&b| b == 0)
            .filter(|frame| !frame.is_empty())
            .map(|frame| {
                decode_response(frame).unwrap_or_else(|err| panic!("response {frame:02X?}: {err}"))
            })
            .collect()
    }

    /// The one response to `bytes`.
    fn one(chip: &mut Chip, bytes: &[u8]) -> Response {
        let all = responses(&chip.feed(bytes));
        assert_eq!(all.len(), 1, "{all:?}");
        all.into_iter().next().expect("one response")
    }

    fn send(chip: &mut Chip, seq: u8, command: &Command) -> Response {
        let wire = command.request(seq).encode().expect("request fits");
        one(chip, &wire)
    }

    /// The encoded frame of `body` with its CRC, and the delimiter.
    fn framed(body: &[u8]) -> Vec<u8> {
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&crc16(body).to_le_bytes());
        let mut wire = cobs::encode(&bytes);
        wire.push(0);
        wire
    }

    fn encoder_state(chip: &mut Chip, seq: u8) -> u32 {
        let read = Command::Read {
            space: Space::Register,
            start: Register::EncoderState.id().into(),
            count: 1,
        };
        let response = send(chip, seq, &read);
        assert_eq!(response.status, Status::Ok);
        unpack_values(Space::Register, &response.payload)[0]
    }

    /// RESET answers OK, then every register is at its power-up value (the status
    /// registers read 0, the link counters are 0, no response is stored) while the memories
    /// keep their contents; the bytes after it in the same feed are dropped.
    #[test]
    fn reset_clears_the_registers_and_keeps_the_memories() {
        let mut chip = chip();
        let weight = Command::Write {
            space: Space::Weight(LayerId::hidden(0)),
            start: 3,
            values: vec![17],
        };
        assert_eq!(send(&mut chip, 1, &weight).status, Status::Ok);
        let seed = Command::Write {
            space: Space::Register,
            start: Register::EncoderState.id().into(),
            values: vec![0x1234_5678],
        };
        assert_eq!(send(&mut chip, 2, &seed).status, Status::Ok);
        chip.feed(&[0x03, 0x55, 0x00]);
        assert_eq!(chip.link_status().link_errors, 1);
        let read_seed = Command::Read {
            space: Space::Register,
            start: Register::EncoderState.id().into(),
            count: 1,
        };
        let before = send(&mut chip, 3, &read_seed);
        assert_eq!(
            unpack_values(Space::Register, &before.payload),
            [0x1234_5678]
        );

        let mut bytes = Command::Reset.request(4).encode().expect("request fits");
        let answered = bytes.len();
        bytes.extend(Command::Identify.request(5).encode().expect("request fits"));
        let out = chip.feed(&bytes);
        let all = responses(&out);
        assert_eq!(all.len(), 1, "the IDENTIFY after RESET is dropped: {all:?}");
        assert_eq!((all[0].seq, all[0].status), (4, Status::Ok));
        assert!(all[0].payload.is_empty());
        assert!(answered < bytes.len());

        assert_eq!(chip.link_status(), LinkStatus::default());
        // Executed again, not replayed: the register reads 0 now.
        let after = send(&mut chip, 3, &read_seed);
        assert_eq!(unpack_values(Space::Register, &after.payload), [0]);
        assert_eq!(chip.link_status().replays, 0);
        let read_weight = Command::Read {
            space: Space::Weight(LayerId::hidden(0)),
            start: 3,
            count: 1,
        };
        let kept = send(&mut chip, 6, &read_weight);
        assert_eq!(
            unpack_values(Space::Weight(LayerId::hidden(0)), &kept.payload),
            [17]
        );
        // RESET takes no payload.
        let bad = Request {
            seq: 7,
            opcode: Opcode::Reset.code(),
            payload: vec![0],
        };
        let wire = bad.encode().expect("request fits");
        assert_eq!(one(&mut chip, &wire).status, Status::BadPayload);
    }

    #[test]
    fn identify_answers_with_the_identity() {
        let mut chip = chip();
        let response = send(&mut chip, 42, &Command::Identify);
        assert_eq!(
            (response.seq, response.opcode, response.status),
            (42, 0x81, Status::Ok)
        );
        let identity = Identity::decode(&response.payload).expect("identity payload");
        assert_eq!(
            (identity.inputs, identity.hidden, identity.classes),
            (64, 256, 10)
        );
    }

    /// The weights of a second hidden layer are a space of a chip with two hidden layers only.
    #[test]
    fn a_second_hidden_layer_has_its_space() {
        let mut cfg = crate::config::supervised_digits();
        cfg.hidden[0].size = 16;
        cfg.hidden.push(cfg.hidden[0].clone());
        let mut two = Chip::new(&cfg).expect("fits");
        let w1 = Space::Weight(LayerId::hidden(1));
        let write = Command::Write {
            space: w1,
            start: 5,
            values: vec![0xFFFE],
        };
        assert_eq!(send(&mut two, 1, &write).status, Status::Ok);
        let read = Command::Read {
            space: w1,
            start: 5,
            count: 1,
        };
        assert_eq!(send(&mut two, 2, &read).payload, [0xFE, 0xFF]);
        assert_eq!(two.core().network().hidden[1].weights[5], -2);
        let identity =
            Identity::decode(&send(&mut two, 3, &Command::Identify).payload).expect("identity");
        assert_eq!(identity.hidden_sizes(), [16, 16]);
        // One hidden layer: space 8 is unknown.
        assert_eq!(send(&mut chip(), 4, &read).status, Status::UnknownSpace);
    }

    #[test]
    fn empty_frames_are_ignored() {
        let mut chip = chip();
        assert_eq!(chip.feed(&[0, 0, 0]), Vec::<u8>::new());
        assert_eq!(chip.link_status(), LinkStatus::default());
    }

    #[test]
    fn damaged_frames_get_link_error_responses() {
        let mut chip = chip();
        let good = Command::PhaseReset.request(1).encode().expect("request");
        let mut bad_crc = good.clone();
        bad_crc[2] ^= 0x01;
        let cases: Vec<(Vec<u8>, Status)> = vec![
            (vec![0x05, 0x01, 0x02, 0x00], Status::Cobs),
            (framed(&[1, 0x20, 0]), Status::TooShort),
            (bad_crc, Status::BadCrc),
            ([vec![0x01; 300], vec![0]].concat(), Status::TooLong),
        ];
        for (i, (bytes, status)) in cases.into_iter().enumerate() {
            let response = one(&mut chip, &bytes);
            assert_eq!(response, Response::link_error(status), "case {i}");
        }
        // A truncated frame (its tail lost, the delimiter received), cut after each byte.
        for cut in 1..good.len() - 1 {
            let truncated = [&good[..cut], &[0]].concat();
            assert!(one(&mut chip, &truncated).is_link_error(), "cut at {cut}");
        }
        assert_eq!(
            usize::from(chip.link_status().link_errors),
            4 + good.len() - 2
        );
        // None of them was executed or stored: the good frame runs.
        let response = one(&mut chip, &good);
        assert_eq!((response.seq, response.status), (1, Status::Ok));
    }

    #[test]
    fn a_frame_longer_than_the_longest_gets_one_response_at_its_delimiter() {
        let mut chip = chip();
        // 264 encoded bytes are still a frame (here a bad one); 265 are too long.
        assert_eq!(
            one(&mut chip, &[vec![0x01; 264], vec![0]].concat()).status,
            Status::BadCrc
        );
        let long = [vec![0x02; 10_000], vec![0]].concat();
        assert_eq!(chip.feed(&long[..9_000]), Vec::<u8>::new());
        assert_eq!(
            one(&mut chip, &long[9_000..]),
            Response::link_error(Status::TooLong)
        );
    }

    #[test]
    fn intact_frames_with_bad_commands_echo_seq_and_opcode() {
        let mut chip = chip();
        let cases: Vec<(Vec<u8>, u8, Status)> = vec![
            (framed(&[3, 0x10, 5, 0, 0, 0, 0]), 0x90, Status::BadLength),
            (framed(&[4, 0x55, 0, 0]), 0xD5, Status::UnknownOpcode),
            (framed(&[5, 0x21, 2, 0, 1, 2]), 0xA1, Status::BadPayload),
            (
                framed(&[6, 0x11, 7, 0, 7, 0, 0, 0, 0, 1, 0]),
                0x91,
                Status::UnknownSpace,
            ),
            (
                framed(&[7, 0x11, 7, 0, 1, 0, 0, 0, 0, 0, 0]),
                0x91,
                Status::BadPayload,
            ),
            (
                framed(&[8, 0x22, 6, 0, 0, 0, 0, 0, 0x01, 0x04]),
                0xA2,
                Status::BadPayload,
            ),
        ];
        for (bytes, opcode, status) in cases {
            let seq = cobs::decode(&bytes[..bytes.len() - 1]).expect("COBS")[0];
            assert_eq!(
                one(&mut chip, &bytes),
                Response {
                    seq,
                    opcode,
                    status,
                    payload: Vec::new()
                }
            );
        }
        assert_eq!(chip.link_status().link_errors, 0);
    }

    #[test]
    fn out_of_range_accesses_execute_nothing() {
        let mut chip = chip();
        let before = chip.core().clone();
        let accesses = [
            (Space::Pixel, 60, 5),
            (Space::HIDDEN_WEIGHT, 18_900, 45),
            (Space::CLASSIFIER_WEIGHT, 2_560, 1),
            (
                Space::State,
                chip.map
                    .shape()
                    .state_address(LayerId::CLASSIFIER, StateField::Membrane, 5)
                    .into(),
                6,
            ),
            (Space::State, 5 << 12, 1),
            (Space::Register, 6, 2),
            // Past 16 bits: no space of this network reaches them, and nothing wraps.
            (Space::HIDDEN_WEIGHT, 1 << 16, 1),
            (Space::State, 1 << 16, 1),
            (Space::Register, u32::MAX, 1),
            (Space::Pixel, u32::MAX, 2),
        ];
        for (seq, (space, start, count)) in (10..).zip(accesses) {
            let write = Command::Write {
                space,
                start,
                values: vec![1; count],
            };
            assert_eq!(send(&mut chip, seq, &write).status, Status::OutOfRange);
            let read = Command::Read {
                space,
                start,
                count: u16::try_from(count).expect("small count"),
            };
            let status = send(&mut chip, seq + 100, &read).status;
            assert_eq!(status, Status::OutOfRange, "{read:?}");
        }
        // Parameters are write-only.
        let read = Command::Read {
            space: Space::Register,
            start: 16,
            count: 1,
        };
        assert_eq!(send(&mut chip, 1, &read).status, Status::OutOfRange);
        assert_eq!(chip.core().network(), before.network());
        assert_eq!(chip.core().pixels(), before.pixels());
    }

    #[test]
    fn writes_and_reads_reach_the_core() {
        let mut chip = chip();
        let write = Command::Write {
            space: Space::HIDDEN_WEIGHT,
            start: 18_944 - 3,
            values: vec![0xFF80, 0x7F, 0x1_0005],
        };
        assert_eq!(send(&mut chip, 1, &write).status, Status::Ok);
        let read = Command::Read {
            space: Space::HIDDEN_WEIGHT,
            start: 18_944 - 3,
            count: 3,
        };
        let response = send(&mut chip, 2, &read);
        assert_eq!(response.payload, [0x80, 0xFF, 0x7F, 0x00, 0x05, 0x00]);
        let pixels = Command::Write {
            space: Space::Pixel,
            start: 0,
            values: (0..64).collect(),
        };
        assert_eq!(send(&mut chip, 3, &pixels).status, Status::Ok);
        assert_eq!(chip.core().pixels()[63], 63);
    }

    #[test]
    fn a_retransmitted_request_is_answered_again_not_executed_again() {
        let mut chip = chip();
        let seed = Command::Write {
            space: Space::Register,
            start: Register::EncoderState.id().into(),
            values: vec![12_345],
        };
        send(&mut chip, 1, &seed);
        let step = Command::Step { word: 0 }
            .request(2)
            .encode()
            .expect("request");
        let first = chip.feed(&step);
        let after_one = encoder_state(&mut chip, 3);
        // The read came in between: the STEP is not the last request any more, so it runs.
        assert_eq!(chip.feed(&step), first);
        let after_two = encoder_state(&mut chip, 4);
        assert_ne!(after_one, after_two);
        // Back to back, or with a damaged frame in between: answered from the store.
        let step5 = Command::Step { word: 0 }
            .request(5)
            .encode()
            .expect("request");
        let answer = chip.feed(&step5);
        assert_eq!(chip.feed(&step5), answer);
        assert_eq!(one(&mut chip, &[0x05, 0]).status, Status::Cobs);
        assert_eq!(chip.feed(&step5), answer);
        assert_eq!(chip.link_status().replays, 2);
        let after_five = encoder_state(&mut chip, 6);
        assert_eq!(
            chip.core().network().encoder.state(),
            after_five,
            "the register read returns the encoder"
        );
        // One step of 64 draws from after_two.
        let mut rng = crate::rng::Xorshift32::from_state(after_two);
        for _ in 0..64 {
            rng.next();
        }
        assert_eq!(after_five, rng.state());
        // The same opcode and payload with another seq runs.
        let step7 = Command::Step { word: 0 }
            .request(7)
            .encode()
            .expect("request");
        assert_eq!(one(&mut chip, &step7).seq, 7);
        assert_ne!(encoder_state(&mut chip, 8), after_five);
    }

    #[test]
    fn noise_before_a_frame_is_dropped_with_the_frame() {
        let mut chip = chip();
        let good = Command::Identify.request(9).encode().expect("request");
        // Noise without a delimiter merges with the frame: one link error, then the host
        // retransmits.
        let noisy = [&[0x13, 0x37][..], &good].concat();
        assert!(one(&mut chip, &noisy).is_link_error());
        assert_eq!(one(&mut chip, &good).seq, 9);
        // A delimiter first (as a host sends after a timeout) ends the noise on its own.
        let flushed = [&[0x13, 0x37, 0x00][..], &good].concat();
        let answers = responses(&chip.feed(&flushed));
        assert_eq!(answers.len(), 2);
        assert!(answers[0].is_link_error());
        assert_eq!(answers[1].seq, 9);
    }

    #[test]
    fn bytes_may_arrive_in_any_chunks() {
        let mut stream = Vec::new();
        for (seq, command) in (0..).zip([
            Command::Identify,
            Command::RunPhase { word: 0, steps: 2 },
            Command::ReadPrediction,
            Command::LinkStatus,
        ]) {
            stream.extend(command.request(seq).encode().expect("request"));
        }
        stream.extend_from_slice(&[0x05, 0x01, 0x00]);
        let whole = chip().feed(&stream);
        let mut chip = chip();
        let mut piecewise = Vec::new();
        for byte in &stream {
            piecewise.extend(chip.feed(&[*byte]));
        }
        assert_eq!(piecewise, whole);
        let answers = responses(&whole);
        assert_eq!(answers.len(), 5);
        assert!(answers.iter().all(|r| r.payload.len() <= MAX_PAYLOAD));
        assert_eq!(answers[2].payload.len(), 1);
        assert_eq!(
            LinkStatus::decode(&answers[3].payload),
            Ok(LinkStatus::default())
        );
        assert_eq!(answers[1].opcode, Opcode::RunPhase.code() | 0x80);
    }
}
