//! [`Receiver`]: the frame engine's receiving side: COBS decoding into the request buffer,
//! the request CRC, the request's header and argument registers, the link checks and the
//! link's counters.
use super::{constant, EngineState, BUFFER_BYTES, POSITION_BITS};
use crate::link::Crc16Step;
use crate::memory::Ram;
use rust_hdl::prelude::*;
use spikeforge_sim::wire::Direction;

/// Request payload bytes kept in registers as they arrive (`space`, the 4 bytes of `start`,
/// `count` of a READ; `word`, `steps` of a RUN_PHASE).
const ARGUMENT_BYTES: usize = 7;

/// The receiving side of the frame engine (`docs/spec.md` §7.2-§7.6, checks 2 to 6).
///
/// In the engine's `Receive` state it is ready (`rx_ready`) and decodes a byte in every cycle,
/// streaming: decoded bytes go to the request buffer (block RAM) and the first header and
/// argument bytes to registers; the request CRC ([`Crc16Step`]) takes each decoded byte two
/// bytes late, so the last two (the CRC field) are left out. In `FrameEnd` it checks the frame
/// (too long, COBS, too short, CRC; the first failure is the link error) and recognises a
/// retransmission of the last request (its `seq` and CRC), and counts link errors and replays
/// there. A `restart` clears the frame's counts and the CRC for the next frame.
#[derive(Debug, LogicBlock)]
pub struct Receiver {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// The engine's state, input.
    pub state: Signal<In, EngineState>,
    /// Received byte, input.
    pub rx_data: Signal<In, Bits<8>>,
    /// `rx_data` is a byte, input.
    pub rx_valid: Signal<In, Bit>,
    /// A character with a framing error was dropped (one-cycle pulse), input.
    pub framing_error: Signal<In, Bit>,
    /// A byte was dropped because the receive FIFO was full (one-cycle pulse), input.
    pub rx_overflow: Signal<In, Bit>,
    /// The next frame starts from scratch (the engine returns to receiving), input.
    pub restart: Signal<In, Bit>,
    /// The engine takes `rx_data` in this cycle if `rx_valid` (it receives), output.
    pub rx_ready: Signal<Out, Bit>,
    /// Request buffer position read at this edge, input.
    pub read_address: Signal<In, Bits<POSITION_BITS>>,
    /// Request buffer byte at the position read at the last edge, output.
    pub read_data: Signal<Out, Bits<8>>,
    /// A delimiter ends a non-empty frame in this cycle (if the engine receives), output.
    pub frame_end: Signal<Out, Bit>,
    /// The frame fails a link check (read in `FrameEnd`), output.
    pub link_error: Signal<Out, Bit>,
    /// Position in the link-error ROM of the failed check's response (0 if none), output.
    pub link_error_at: Signal<Out, Bits<8>>,
    /// The frame is the last request again, to be answered by its stored response, output.
    pub replay: Signal<Out, Bit>,
    /// The request's `seq`, output.
    pub seq: Signal<Out, Bits<8>>,
    /// The request's opcode, output.
    pub opcode: Signal<Out, Bits<8>>,
    /// The request's `length` field, bytes, output.
    pub length: Signal<Out, Bits<16>>,
    /// The payload's length as received (decoded bytes less header and CRC), output.
    pub payload_length: Signal<Out, Bits<16>>,
    /// Payload byte 0, the space of a READ or WRITE, output.
    pub argument_space: Signal<Out, Bits<8>>,
    /// Payload bytes 1-4, the `start` of a READ or WRITE, output.
    pub argument_start: Signal<Out, Bits<32>>,
    /// Payload bytes 5-6, the `count` of a READ, output.
    pub argument_count: Signal<Out, Bits<16>>,
    /// Payload bytes 4-5, the `steps` of a RUN_PHASE, output.
    pub argument_steps: Signal<Out, Bits<16>>,
    /// Payload bytes 0-3, the `word` of a STEP or RUN_PHASE, output.
    pub argument_word: Signal<Out, Bits<32>>,
    /// LINK_STATUS: bytes dropped by the full receive FIFO (saturating), output.
    pub rx_overflows: Signal<Out, Bits<16>>,
    /// LINK_STATUS: characters dropped for a framing error (saturating), output.
    pub framing_errors: Signal<Out, Bits<16>>,
    /// LINK_STATUS: frames answered with a link error (saturating), output.
    pub link_errors: Signal<Out, Bits<16>>,
    /// LINK_STATUS: retransmissions answered by the stored response (saturating), output.
    pub replays: Signal<Out, Bits<16>>,

    request: Ram<Bits<8>, POSITION_BITS>,
    crc_step: Crc16Step,
    encoded_count: DFF<Bits<POSITION_BITS>>,
    decoded_count: DFF<Bits<POSITION_BITS>>,
    block_left: DFF<Bits<8>>,
    zero_pending: DFF<Bit>,
    // The request CRC register, complemented so that its power-up value 0 is CRC_INIT.
    crc_complement: DFF<Bits<16>>,
    older_byte: DFF<Bits<8>>,
    newer_byte: DFF<Bits<8>>,
    seq_q: DFF<Bits<8>>,
    opcode_q: DFF<Bits<8>>,
    length_q: DFF<Bits<16>>,
    arguments: Vec<DFF<Bits<8>>>,
    // The stored response's request and the link's counters.
    last_valid: DFF<Bit>,
    last_seq: DFF<Bits<8>>,
    last_crc: DFF<Bits<16>>,
    rx_overflows_q: DFF<Bits<16>>,
    framing_errors_q: DFF<Bits<16>>,
    link_errors_q: DFF<Bits<16>>,
    replays_q: DFF<Bits<16>>,

    max_encoded: Constant<Bits<POSITION_BITS>>,
    argument_at: Vec<Constant<Bits<POSITION_BITS>>>,

    decoded_valid: Signal<Local, Bit>,
    decoded_byte: Signal<Local, Bits<8>>,
    received_crc: Signal<Local, Bits<16>>,
}

impl Receiver {
    /// The receiver of requests up to the longest on the wire, into a [`BUFFER_BYTES`]-byte
    /// buffer.
    pub fn new() -> Self {
        Self {
            clock: Signal::default(),
            state: Signal::default(),
            rx_data: Signal::default(),
            rx_valid: Signal::default(),
            framing_error: Signal::default(),
            rx_overflow: Signal::default(),
            restart: Signal::default(),
            rx_ready: Signal::default(),
            read_address: Signal::default(),
            read_data: Signal::default(),
            frame_end: Signal::default(),
            link_error: Signal::default(),
            link_error_at: Signal::default(),
            replay: Signal::default(),
            seq: Signal::default(),
            opcode: Signal::default(),
            length: Signal::default(),
            payload_length: Signal::default(),
            argument_space: Signal::default(),
            argument_start: Signal::default(),
            argument_count: Signal::default(),
            argument_steps: Signal::default(),
            argument_word: Signal::default(),
            rx_overflows: Signal::default(),
            framing_errors: Signal::default(),
            link_errors: Signal::default(),
            replays: Signal::default(),
            request: Ram::new(BUFFER_BYTES),
            crc_step: Crc16Step::new(),
            encoded_count: DFF::default(),
            decoded_count: DFF::default(),
            block_left: DFF::default(),
            zero_pending: DFF::default(),
            crc_complement: DFF::default(),
            older_byte: DFF::default(),
            newer_byte: DFF::default(),
            seq_q: DFF::default(),
            opcode_q: DFF::default(),
            length_q: DFF::default(),
            arguments: (0..ARGUMENT_BYTES).map(|_| DFF::default()).collect(),
            last_valid: DFF::default(),
            last_seq: DFF::default(),
            last_crc: DFF::default(),
            rx_overflows_q: DFF::default(),
            framing_errors_q: DFF::default(),
            link_errors_q: DFF::default(),
            replays_q: DFF::default(),
            max_encoded: constant(Direction::Request.max_encoded_len()),
            argument_at: (0..ARGUMENT_BYTES).map(|i| constant(4 + i)).collect(),
            decoded_valid: Signal::default(),
            decoded_byte: Signal::default(),
            received_crc: Signal::default(),
        }
    }
}

impl Default for Receiver {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Receiver {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            encoded_count,
            decoded_count,
            block_left,
            zero_pending,
            crc_complement,
            older_byte,
            newer_byte,
            seq_q,
            opcode_q,
            length_q,
            last_valid,
            last_seq,
            last_crc,
            rx_overflows_q,
            framing_errors_q,
            link_errors_q,
            replays_q
        );
        clock!(self, clock, request);
        for i in 0..self.arguments.len() {
            self.arguments[i].clock.next = self.clock.val();
            self.arguments[i].d.next = self.arguments[i].q.val();
        }
        self.rx_ready.next = false;
        self.decoded_valid.next = false;
        self.decoded_byte.next = self.rx_data.val();

        // The link's counters of dropped characters, saturating.
        if self.framing_error.val() && !self.framing_errors_q.q.val().all() {
            self.framing_errors_q.d.next = self.framing_errors_q.q.val() + 1;
        }
        if self.rx_overflow.val() && !self.rx_overflows_q.q.val().all() {
            self.rx_overflows_q.d.next = self.rx_overflows_q.q.val() + 1;
        }

        // Fields of the request as received.
        self.seq.next = self.seq_q.q.val();
        self.opcode.next = self.opcode_q.q.val();
        self.length.next = self.length_q.q.val();
        self.rx_overflows.next = self.rx_overflows_q.q.val();
        self.framing_errors.next = self.framing_errors_q.q.val();
        self.link_errors.next = self.link_errors_q.q.val();
        self.replays.next = self.replays_q.q.val();
        self.received_crc.next = (bit_cast::<16, 8>(self.newer_byte.q.val()) << 8)
            | bit_cast::<16, 8>(self.older_byte.q.val());
        self.payload_length.next = bit_cast::<16, POSITION_BITS>(self.decoded_count.q.val()) - 6;
        self.argument_space.next = self.arguments[0].q.val();
        self.argument_start.next = (((bit_cast::<32, 8>(self.arguments[4].q.val()) << 24)
            | (bit_cast::<32, 8>(self.arguments[3].q.val()) << 16))
            | (bit_cast::<32, 8>(self.arguments[2].q.val()) << 8))
            | bit_cast::<32, 8>(self.arguments[1].q.val());
        self.argument_count.next = (bit_cast::<16, 8>(self.arguments[6].q.val()) << 8)
            | bit_cast::<16, 8>(self.arguments[5].q.val());
        self.argument_steps.next = (bit_cast::<16, 8>(self.arguments[5].q.val()) << 8)
            | bit_cast::<16, 8>(self.arguments[4].q.val());
        self.argument_word.next = (((bit_cast::<32, 8>(self.arguments[3].q.val()) << 24)
            | (bit_cast::<32, 8>(self.arguments[2].q.val()) << 16))
            | (bit_cast::<32, 8>(self.arguments[1].q.val()) << 8))
            | bit_cast::<32, 8>(self.arguments[0].q.val());

        // The link checks of an ended frame, the first that fails naming the response.
        self.frame_end.next =
            self.rx_valid.val() && !self.rx_data.val().any() && self.encoded_count.q.val().any();
        self.link_error.next = true;
        self.link_error_at.next = bits::<8>(0);
        self.replay.next = false;
        if self.encoded_count.q.val() > self.max_encoded.val() {
            self.link_error_at.next = bits::<8>(27);
        } else if self.block_left.q.val().any() {
            self.link_error_at.next = bits::<8>(9);
        } else if self.decoded_count.q.val() < 6 {
            self.link_error_at.next = bits::<8>(18);
        } else if !self.crc_complement.q.val() != self.received_crc.val() {
            self.link_error_at.next = bits::<8>(0);
        } else {
            self.link_error.next = false;
            self.replay.next = self.last_valid.q.val()
                && (self.seq_q.q.val() == self.last_seq.q.val())
                && (self.received_crc.val() == self.last_crc.q.val());
        }

        match self.state.val() {
            EngineState::Receive => {
                // A byte of the frame (not its delimiter) is decoded.
                self.rx_ready.next = true;
                if self.rx_valid.val() && self.rx_data.val().any() {
                    if !self.encoded_count.q.val().all() {
                        self.encoded_count.d.next = self.encoded_count.q.val() + 1;
                    }
                    if !self.block_left.q.val().any() {
                        // A block code: the zero the previous block stands for, if any.
                        self.decoded_valid.next = self.zero_pending.q.val();
                        self.decoded_byte.next = bits::<8>(0);
                        self.block_left.d.next = self.rx_data.val() - 1;
                        self.zero_pending.d.next = !self.rx_data.val().all();
                    } else {
                        self.decoded_valid.next = true;
                        self.block_left.d.next = self.block_left.q.val() - 1;
                    }
                }
            }
            EngineState::FrameEnd => {
                // The link's counters, or the request kept for a retransmission.
                if self.link_error.val() {
                    if !self.link_errors_q.q.val().all() {
                        self.link_errors_q.d.next = self.link_errors_q.q.val() + 1;
                    }
                } else if self.replay.val() {
                    if !self.replays_q.q.val().all() {
                        self.replays_q.d.next = self.replays_q.q.val() + 1;
                    }
                } else {
                    self.last_valid.d.next = true;
                    self.last_seq.d.next = self.seq_q.q.val();
                    self.last_crc.d.next = self.received_crc.val();
                }
            }
            _ => {}
        }

        // The next frame starts from scratch whenever the engine returns to receiving.
        if self.restart.val() {
            self.encoded_count.d.next = bits::<POSITION_BITS>(0);
            self.decoded_count.d.next = bits::<POSITION_BITS>(0);
            self.block_left.d.next = bits::<8>(0);
            self.zero_pending.d.next = false;
            self.crc_complement.d.next = bits::<16>(0);
        }

        // A decoded request byte: into the buffer (while it has room), the header and argument
        // registers, and the CRC two bytes late.
        self.request.read_address.next = self.read_address.val();
        self.request.read_enable.next = true;
        self.read_data.next = self.request.read_data.val();
        self.request.write_address.next = self.decoded_count.q.val();
        self.request.write_data.next = self.decoded_byte.val();
        self.request.write_enable.next = false;
        self.crc_step.crc.next = !self.crc_complement.q.val();
        self.crc_step.data.next = self.older_byte.q.val();
        if self.decoded_valid.val() {
            self.request.write_enable.next = !self.decoded_count.q.val().get_bit(9);
            if !self.decoded_count.q.val().all() {
                self.decoded_count.d.next = self.decoded_count.q.val() + 1;
            }
            if self.decoded_count.q.val().get_bits::<9>(1).any() {
                self.crc_complement.d.next = !self.crc_step.crc_next.val();
            }
            self.older_byte.d.next = self.newer_byte.q.val();
            self.newer_byte.d.next = self.decoded_byte.val();
            match self.decoded_count.q.val().index() {
                0 => {
                    self.seq_q.d.next = self.decoded_byte.val();
                }
                1 => {
                    self.opcode_q.d.next = self.decoded_byte.val();
                }
                2 => {
                    self.length_q.d.next = bit_cast::<16, 8>(self.decoded_byte.val());
                }
                3 => {
                    self.length_q.d.next =
                        self.length_q.q.val() | (bit_cast::<16, 8>(self.decoded_byte.val()) << 8);
                }
                _ => {}
            }
            for i in 0..self.arguments.len() {
                if self.decoded_count.q.val() == self.argument_at[i].val() {
                    self.arguments[i].d.next = self.decoded_byte.val();
                }
            }
        }
    }
}
