//! [`Executor`]: the frame engine's command checks and execution: a request's checks, the
//! response header and the payloads it builds from the identity (in the engine's ROM), the
//! link's counters and the core's answers, the loops of core commands and the wait for a
//! `STEP` or `PHASE_RESET`.
use super::address_map::AddressMap;
use super::{constant, EngineState, COUNT_BITS, IDENTITY_AT, POSITION_BITS, ROM_BITS, VALUES_BITS};
use crate::top::{address_mask, Address};
use rust_hdl::prelude::*;
use spikeforge_sim::core_interface::{CoreShape, ADDRESS_BITS};
use spikeforge_sim::wire::{MAX_PAYLOAD, MAX_RUN_STEPS, READ_PAYLOAD, WRITE_HEADER};

/// Width of the count of a RUN_PHASE's steps: up to [`MAX_RUN_STEPS`].
const STEPS_BITS: usize = 11;
const _: () = assert!((MAX_RUN_STEPS as usize) < 1 << STEPS_BITS);

/// The bits of a READ or WRITE's start that a space of a core of `shape` reaches: a 16-bit
/// state address or register id, and every word of the largest pixel or weight space.
fn start_mask(shape: &CoreShape) -> Constant<Address> {
    let reach = shape
        .layers()
        .map(|layer| shape.weight_words(layer))
        .chain([shape.inputs, 0xFFFF])
        .max()
        .unwrap_or(0xFFFF);
    address_mask(reach)
}

/// The executing side of the frame engine (`docs/spec.md` §7.4-§7.6, checks 7 to 9).
///
/// In `Check` it decodes the request into its command (1 IDENTIFY, 2 LINK_STATUS, 3 WRITE,
/// 4 READ, 5 PHASE_RESET, 6 STEP, 7 RUN_PHASE, 8 READ_PREDICTION, 9 RESET) and its status
/// (`spikeforge_sim::wire::Status`: 0x10 BAD_LENGTH, 0x11 UNKNOWN_OPCODE, 0x12 BAD_PAYLOAD,
/// 0x13 UNKNOWN_SPACE, 0x14 OUT_OF_RANGE, 0x20 CORE_TIMEOUT), loads the range of a READ or
/// WRITE, which `Range` and `RegisterCheck` check against the [`AddressMap`], and then emits
/// the response's bytes (`emit_valid`, `emit_byte`) as it executes: the header, the identity,
/// the link's counters, each value read. It drives the core's command port only in the issue
/// states, and expects the core's timing (§6): read answers two cycles after the command,
/// `busy` from the cycle after `PHASE_RESET` or `STEP`. A read without its answer, or a `STEP`
/// or `PHASE_RESET` still busy after the wait bound, is an `abort`.
#[derive(Debug, LogicBlock)]
pub struct Executor {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// The engine's state, input.
    pub state: Signal<In, EngineState>,
    /// The request's `seq`, input.
    pub seq: Signal<In, Bits<8>>,
    /// The request's opcode, input.
    pub opcode: Signal<In, Bits<8>>,
    /// The request's `length` field, bytes, input.
    pub length: Signal<In, Bits<16>>,
    /// The payload's length as received, bytes, input.
    pub payload_length: Signal<In, Bits<16>>,
    /// Payload byte 0, the space of a READ or WRITE, input.
    pub argument_space: Signal<In, Bits<8>>,
    /// Payload bytes 1-4, the `start` of a READ or WRITE, input.
    pub argument_start: Signal<In, Bits<32>>,
    /// Payload bytes 5-6, the `count` of a READ, input.
    pub argument_count: Signal<In, Bits<16>>,
    /// Payload bytes 4-5, the `steps` of a RUN_PHASE, input.
    pub argument_steps: Signal<In, Bits<16>>,
    /// Payload bytes 0-3, the `word` of a STEP or RUN_PHASE, input.
    pub argument_word: Signal<In, Bits<32>>,
    /// LINK_STATUS counter: receive FIFO overflows, input.
    pub rx_overflows: Signal<In, Bits<16>>,
    /// LINK_STATUS counter: framing errors, input.
    pub framing_errors: Signal<In, Bits<16>>,
    /// LINK_STATUS counter: link errors, input.
    pub link_errors: Signal<In, Bits<16>>,
    /// LINK_STATUS counter: replays, input.
    pub replays: Signal<In, Bits<16>>,
    /// Request buffer position to read at this edge (a WRITE's values), output.
    pub request_address: Signal<Out, Bits<POSITION_BITS>>,
    /// Request buffer byte at the position read at the last edge, input.
    pub request_data: Signal<In, Bits<8>>,
    /// Core command strobe, output.
    pub cmd_valid: Signal<Out, Bit>,
    /// Core operation code, output.
    pub cmd_op: Signal<Out, Bits<5>>,
    /// Core address or register id, output.
    pub cmd_addr: Signal<Out, Address>,
    /// Core write data or `STEP` word, output.
    pub cmd_data: Signal<Out, Bits<32>>,
    /// Core read answer strobe, input.
    pub rsp_valid: Signal<In, Bit>,
    /// Core read answer, held until the next read's answer (`docs/spec.md` §6), input.
    pub rsp_data: Signal<In, Bits<32>>,
    /// The core is running a `STEP` or `PHASE_RESET`, input.
    pub busy: Signal<In, Bit>,
    /// A response byte in this cycle, output.
    pub emit_valid: Signal<Out, Bit>,
    /// The response byte, output.
    pub emit_byte: Signal<Out, Bits<8>>,
    /// The core failed: the response is rebuilt as CORE_TIMEOUT from its header, output.
    pub abort: Signal<Out, Bit>,
    /// The request's command (0 before `Check`, then 1 to 9), output.
    pub command: Signal<Out, Bits<4>>,
    /// The status is OK, output.
    pub ok: Signal<Out, Bit>,
    /// `Check`: the request is a READ or WRITE whose range is checked next, output.
    pub to_range: Signal<Out, Bit>,
    /// `Range`: the range is one of register ids, checked one per cycle next, output.
    pub to_registers: Signal<Out, Bit>,
    /// `RegisterCheck`: the last id is checked, or a bad one found, output.
    pub registers_done: Signal<Out, Bit>,
    /// `Header`: its last byte, output.
    pub header_done: Signal<Out, Bit>,
    /// `Identify`: the identity's last byte, output.
    pub identity_done: Signal<Out, Bit>,
    /// The engine's ROM address to read at this edge (the identity's next byte), output.
    pub rom_address: Signal<Out, Bits<ROM_BITS>>,
    /// The engine's ROM byte at the address read at the last edge, input.
    pub rom_data: Signal<In, Bits<8>>,
    /// `LinkStatus`: the counters' last byte, output.
    pub counters_done: Signal<Out, Bit>,
    /// `WriteByte`, `ReadOut`: a value's last byte, output.
    pub value_done: Signal<Out, Bit>,
    /// `WriteIssue`, `ReadOut`: the range's last value, output.
    pub last_value: Signal<Out, Bit>,
    /// `CoreWait`: RUN_PHASE has steps left to issue, output.
    pub more_steps: Signal<Out, Bit>,

    address_map: AddressMap,
    status: DFF<Bits<8>>,
    command_q: DFF<Bits<4>>,
    space: DFF<Bits<8>>,
    // The request's start, its bits the network's spaces reach (`start_mask`), and whether it
    // has others.
    start: DFF<Address>,
    start_high: DFF<Bit>,
    // Values of a READ or WRITE: at most MAX_PAYLOAD (256, one byte each).
    count: DFF<Bits<COUNT_BITS>>,
    width: DFF<Bits<3>>,
    index: DFF<Bits<16>>,
    byte_index: DFF<Bits<3>>,
    pointer: DFF<Bits<POSITION_BITS>>,
    value: DFF<Bits<32>>,
    // Payload bytes of the response: at most MAX_PAYLOAD.
    response_length: DFF<Bits<COUNT_BITS>>,
    // STEPs of a RUN_PHASE left to issue: at most MAX_RUN_STEPS (1,024).
    steps_left: DFF<Bits<STEPS_BITS>>,
    // Units of 65,536 cycles left before a `STEP` or `PHASE_RESET` of the core times out
    // (`index` counts the cycles of a unit).
    wait_left: DFF<Bits<16>>,
    write_op: DFF<Bits<5>>,
    read_op: DFF<Bits<5>>,
    core_op: DFF<Bits<5>>,

    identity_last: Constant<Bits<16>>,
    identity_length: Constant<Bits<COUNT_BITS>>,
    identity_at: Constant<Bits<ROM_BITS>>,
    max_payload: Constant<Bits<16>>,
    // The bits of a READ or WRITE's start the network's spaces reach; the header bytes of a
    // WRITE, the bytes of a READ's payload and where a WRITE's values start in the request.
    start_mask: Constant<Bits<32>>,
    start_reach: Constant<Address>,
    write_header: Constant<Bits<16>>,
    read_payload: Constant<Bits<16>>,
    values_at: Constant<Bits<POSITION_BITS>>,
    max_steps: Constant<Bits<16>>,
    wait_bound: Constant<Bits<16>>,

    values_length: Signal<Local, Bits<16>>,
    read_length: Signal<Local, Bits<COUNT_BITS>>,
    index_next: Signal<Local, Bits<16>>,
    // The identity byte the ROM reads at this edge: `index`, the next one in `Identify`.
    rom_index: Signal<Local, Bits<6>>,
    byte_next: Signal<Local, Bits<3>>,
    value_byte: Signal<Local, Bits<8>>,
    data_wide: Signal<Local, Bits<32>>,
}

impl Executor {
    /// The executor of a core of `shape`, answering IDENTIFY with `identity` (the encoded
    /// payload), waiting `wait_bound` units of 65,536 cycles besides the first for the core.
    pub fn new(shape: &CoreShape, identity: &[u8], wait_bound: usize) -> Self {
        assert!(!identity.is_empty(), "an empty identity");
        Self {
            clock: Signal::default(),
            state: Signal::default(),
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
            request_address: Signal::default(),
            request_data: Signal::default(),
            cmd_valid: Signal::default(),
            cmd_op: Signal::default(),
            cmd_addr: Signal::default(),
            cmd_data: Signal::default(),
            rsp_valid: Signal::default(),
            rsp_data: Signal::default(),
            busy: Signal::default(),
            emit_valid: Signal::default(),
            emit_byte: Signal::default(),
            abort: Signal::default(),
            command: Signal::default(),
            ok: Signal::default(),
            to_range: Signal::default(),
            to_registers: Signal::default(),
            registers_done: Signal::default(),
            header_done: Signal::default(),
            identity_done: Signal::default(),
            rom_address: Signal::default(),
            rom_data: Signal::default(),
            counters_done: Signal::default(),
            value_done: Signal::default(),
            last_value: Signal::default(),
            more_steps: Signal::default(),
            address_map: AddressMap::new(shape),
            status: DFF::default(),
            command_q: DFF::default(),
            space: DFF::default(),
            start: DFF::default(),
            start_high: DFF::default(),
            count: DFF::default(),
            width: DFF::default(),
            index: DFF::default(),
            byte_index: DFF::default(),
            pointer: DFF::default(),
            value: DFF::default(),
            response_length: DFF::default(),
            steps_left: DFF::default(),
            wait_left: DFF::default(),
            write_op: DFF::default(),
            read_op: DFF::default(),
            core_op: DFF::default(),
            identity_last: constant(identity.len() - 1),
            identity_length: constant(identity.len()),
            identity_at: constant(IDENTITY_AT),
            max_payload: constant(MAX_PAYLOAD),
            start_mask: Constant::new(start_mask(shape).val().to_u64().into()),
            start_reach: start_mask(shape),
            write_header: constant(WRITE_HEADER),
            read_payload: constant(READ_PAYLOAD),
            values_at: constant(4 + WRITE_HEADER),
            max_steps: constant(usize::from(MAX_RUN_STEPS)),
            wait_bound: constant(wait_bound),
            values_length: Signal::default(),
            read_length: Signal::default(),
            index_next: Signal::default(),
            rom_index: Signal::default(),
            byte_next: Signal::default(),
            value_byte: Signal::default(),
            data_wide: Signal::default(),
        }
    }
}

impl Logic for Executor {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            status,
            command_q,
            space,
            start,
            start_high,
            count,
            width,
            index,
            byte_index,
            pointer,
            value,
            response_length,
            steps_left,
            wait_left,
            write_op,
            read_op,
            core_op
        );

        // Defaults: nothing emitted or commanded, no state ends.
        self.cmd_valid.next = false;
        self.cmd_op.next = bits::<5>(0);
        self.cmd_data.next = self.value.q.val();
        self.emit_valid.next = false;
        self.emit_byte.next = bits::<8>(0);
        self.abort.next = false;
        self.command.next = self.command_q.q.val();
        self.ok.next = !self.status.q.val().any();
        self.to_range.next = false;
        self.to_registers.next = false;
        self.registers_done.next = false;
        self.header_done.next = false;
        self.identity_done.next = false;
        self.counters_done.next = false;

        // The space and range the address map checks.
        self.values_length.next = self.payload_length.val() - self.write_header.val();
        self.address_map.code.next = self.argument_space.val();
        // Kept only when it is at most MAX_PAYLOAD - WRITE_HEADER (checks 7 and 8).
        self.address_map.values_length.next = self.values_length.val().get_bits::<VALUES_BITS>(0);
        self.address_map.space.next = self.space.q.val();
        self.address_map.start.next = self.start.q.val();
        self.address_map.start_high.next = self.start_high.q.val();
        self.address_map.count.next = bit_cast::<16, COUNT_BITS>(self.count.q.val());
        self.address_map.index.next = self.index.q.val();
        self.address_map.write.next = self.command_q.q.val() == 3;
        self.cmd_addr.next = self.address_map.address.val();

        self.read_length.next = self.count.q.val() << 1;
        if self.width.q.val() == 1 {
            self.read_length.next = self.count.q.val();
        }
        if self.width.q.val() == 4 {
            self.read_length.next = self.count.q.val() << 2;
        }
        self.index_next.next = self.index.q.val() + 1;
        self.byte_next.next = self.byte_index.q.val() + 1;
        self.value_done.next = self.byte_next.val() == self.width.q.val();
        self.last_value.next =
            self.index_next.val() == bit_cast::<16, COUNT_BITS>(self.count.q.val());
        self.more_steps.next = (self.command_q.q.val() == 7) && self.steps_left.q.val().any();
        // A read's answer is sent from the core's response, which holds it until the next
        // read.
        self.value_byte.next = self.rsp_data.val().get_bits::<8>(0);
        match self.byte_index.q.val().index() {
            1 => {
                self.value_byte.next = self.rsp_data.val().get_bits::<8>(8);
            }
            2 => {
                self.value_byte.next = self.rsp_data.val().get_bits::<8>(16);
            }
            3 => {
                self.value_byte.next = self.rsp_data.val().get_bits::<8>(24);
            }
            _ => {}
        }
        self.data_wide.next = bit_cast::<32, 8>(self.request_data.val());
        self.request_address.next = self.pointer.q.val();
        // The identity's byte `index` (the next one in `Identify`) is read at this edge, so
        // that the ROM holds byte `index` in each `Identify` cycle.
        self.rom_index.next = self.index.q.val().get_bits::<6>(0);

        match self.state.val() {
            EngineState::Check => {
                self.status.d.next = bits::<8>(0);
                self.response_length.d.next = bits::<COUNT_BITS>(0);
                self.command_q.d.next = bits::<4>(0);
                self.index.d.next = bits::<16>(0);
                self.byte_index.d.next = bits::<3>(0);
                self.width.d.next = self.address_map.width.val();
                self.space.d.next = self.argument_space.val();
                self.start.d.next =
                    self.argument_start.val().get_bits::<ADDRESS_BITS>(0) & self.start_reach.val();
                self.start_high.d.next = (self.argument_start.val() & !self.start_mask.val()).any();
                self.write_op.d.next = (self.argument_space.val().get_bits::<5>(0) << 1) + 1;
                self.read_op.d.next = (self.argument_space.val().get_bits::<5>(0) << 1) + 2;
                if (self.length.val() != self.payload_length.val())
                    || (self.length.val() > self.max_payload.val())
                {
                    self.status.d.next = bits::<8>(0x10);
                } else {
                    match self.opcode.val().index() {
                        1 => {
                            self.command_q.d.next = bits::<4>(1);
                            self.response_length.d.next = self.identity_length.val();
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        2 => {
                            self.command_q.d.next = bits::<4>(2);
                            self.response_length.d.next = bits::<COUNT_BITS>(8);
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        3 => {
                            self.command_q.d.next = bits::<4>(9);
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        16 => {
                            self.command_q.d.next = bits::<4>(3);
                            self.count.d.next = self.address_map.write_count.val();
                            self.pointer.d.next = self.values_at.val();
                            if self.payload_length.val() < self.write_header.val() {
                                self.status.d.next = bits::<8>(0x12);
                            } else if !self.address_map.known.val() {
                                self.status.d.next = bits::<8>(0x13);
                            } else if !self.values_length.val().any()
                                || (self.values_length.val() & self.address_map.width_mask.val())
                                    .any()
                            {
                                self.status.d.next = bits::<8>(0x12);
                            } else {
                                self.to_range.next = true;
                            }
                        }
                        17 => {
                            self.command_q.d.next = bits::<4>(4);
                            // Kept only when it is at most `max_count`.
                            self.count.d.next = self.argument_count.val().get_bits::<COUNT_BITS>(0);
                            if self.payload_length.val() != self.read_payload.val() {
                                self.status.d.next = bits::<8>(0x12);
                            } else if !self.address_map.known.val() {
                                self.status.d.next = bits::<8>(0x13);
                            } else if !self.argument_count.val().any()
                                || (self.argument_count.val() > self.address_map.max_count.val())
                            {
                                self.status.d.next = bits::<8>(0x12);
                            } else {
                                self.to_range.next = true;
                            }
                        }
                        32 => {
                            self.command_q.d.next = bits::<4>(5);
                            self.core_op.d.next = bits::<5>(11);
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        33 => {
                            self.command_q.d.next = bits::<4>(6);
                            self.core_op.d.next = bits::<5>(12);
                            self.value.d.next = self.argument_word.val();
                            if self.payload_length.val() != 4 {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        34 => {
                            self.command_q.d.next = bits::<4>(7);
                            self.core_op.d.next = bits::<5>(11);
                            self.value.d.next = self.argument_word.val();
                            // Kept only when it is at most `max_steps`.
                            self.steps_left.d.next =
                                self.argument_steps.val().get_bits::<STEPS_BITS>(0);
                            if (self.payload_length.val() != 6)
                                || (self.argument_steps.val() > self.max_steps.val())
                            {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        35 => {
                            self.command_q.d.next = bits::<4>(8);
                            self.response_length.d.next = bits::<COUNT_BITS>(1);
                            self.read_op.d.next = bits::<5>(13);
                            self.width.d.next = bits::<3>(1);
                            self.count.d.next = bits::<COUNT_BITS>(1);
                            self.start.d.next = bits::<ADDRESS_BITS>(0);
                            self.start_high.d.next = false;
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        _ => {
                            self.status.d.next = bits::<8>(0x11);
                        }
                    }
                }
            }
            EngineState::Range => {
                self.status.d.next = bits::<8>(0x14);
                if self.address_map.in_range.val() {
                    self.status.d.next = bits::<8>(0);
                }
                self.to_registers.next = self.address_map.registers.val();
                if self.command_q.q.val() == 4 {
                    self.response_length.d.next = self.read_length.val();
                }
            }
            EngineState::RegisterCheck => {
                self.index.d.next = self.index_next.val();
                if !self.address_map.register_ok.val() {
                    self.status.d.next = bits::<8>(0x14);
                    self.index.d.next = bits::<16>(0);
                    self.registers_done.next = true;
                } else if self.last_value.val() {
                    self.index.d.next = bits::<16>(0);
                    self.registers_done.next = true;
                }
            }
            EngineState::Header => {
                self.emit_valid.next = true;
                self.byte_index.d.next = self.byte_next.val();
                match self.byte_index.q.val().index() {
                    0 => {
                        self.emit_byte.next = self.seq.val();
                    }
                    1 => {
                        self.emit_byte.next = self.opcode.val() | 0x80;
                    }
                    2 => {
                        self.emit_byte.next = self.status.q.val();
                    }
                    3 => {
                        // A response other than OK carries no payload.
                        if !self.status.q.val().any() {
                            self.emit_byte.next = self.response_length.q.val().get_bits::<8>(0);
                        }
                    }
                    _ => {
                        if !self.status.q.val().any() {
                            self.emit_byte.next =
                                bit_cast::<8, 1>(self.response_length.q.val().get_bits::<1>(8));
                        }
                        self.byte_index.d.next = bits::<3>(0);
                        self.header_done.next = true;
                    }
                }
            }
            EngineState::Identify => {
                self.emit_valid.next = true;
                self.emit_byte.next = self.rom_data.val();
                self.rom_index.next = self.index_next.val().get_bits::<6>(0);
                self.index.d.next = self.index_next.val();
                self.identity_done.next = self.index.q.val() == self.identity_last.val();
            }
            EngineState::LinkStatus => {
                self.emit_valid.next = true;
                self.index.d.next = self.index_next.val();
                match self.index.q.val().index() {
                    0 => {
                        self.emit_byte.next = self.rx_overflows.val().get_bits::<8>(0);
                    }
                    1 => {
                        self.emit_byte.next = self.rx_overflows.val().get_bits::<8>(8);
                    }
                    2 => {
                        self.emit_byte.next = self.framing_errors.val().get_bits::<8>(0);
                    }
                    3 => {
                        self.emit_byte.next = self.framing_errors.val().get_bits::<8>(8);
                    }
                    4 => {
                        self.emit_byte.next = self.link_errors.val().get_bits::<8>(0);
                    }
                    5 => {
                        self.emit_byte.next = self.link_errors.val().get_bits::<8>(8);
                    }
                    6 => {
                        self.emit_byte.next = self.replays.val().get_bits::<8>(0);
                    }
                    _ => {
                        self.emit_byte.next = self.replays.val().get_bits::<8>(8);
                        self.counters_done.next = true;
                    }
                }
            }
            EngineState::WriteByte => {
                // The request buffer read `pointer` at the last edge.
                match self.byte_index.q.val().index() {
                    0 => {
                        self.value.d.next = self.data_wide.val();
                    }
                    1 => {
                        self.value.d.next = self.value.q.val() | (self.data_wide.val() << 8);
                    }
                    2 => {
                        self.value.d.next = self.value.q.val() | (self.data_wide.val() << 16);
                    }
                    _ => {
                        self.value.d.next = self.value.q.val() | (self.data_wide.val() << 24);
                    }
                }
                self.pointer.d.next = self.pointer.q.val() + 1;
                self.request_address.next = self.pointer.q.val() + 1;
                self.byte_index.d.next = self.byte_next.val();
            }
            EngineState::WriteIssue => {
                self.cmd_valid.next = true;
                self.cmd_op.next = self.write_op.q.val();
                self.index.d.next = self.index_next.val();
                self.byte_index.d.next = bits::<3>(0);
            }
            EngineState::ReadIssue => {
                self.cmd_valid.next = true;
                self.cmd_op.next = self.read_op.q.val();
            }
            EngineState::ReadCapture => {
                // The core answers two cycles after the command, in this cycle; a core that
                // does not has failed.
                if self.rsp_valid.val() {
                    self.byte_index.d.next = bits::<3>(0);
                } else {
                    self.abort.next = true;
                }
            }
            EngineState::ReadOut => {
                self.emit_valid.next = true;
                self.emit_byte.next = self.value_byte.val();
                self.byte_index.d.next = self.byte_next.val();
                if self.value_done.val() {
                    self.index.d.next = self.index_next.val();
                }
            }
            EngineState::CoreIssue => {
                self.cmd_valid.next = true;
                self.cmd_op.next = self.core_op.q.val();
                self.wait_left.d.next = self.wait_bound.val();
                self.index.d.next = bits::<16>(0);
            }
            EngineState::CoreWait => {
                if !self.busy.val() {
                    if self.more_steps.val() {
                        self.steps_left.d.next = self.steps_left.q.val() - 1;
                        self.core_op.d.next = bits::<5>(12);
                    }
                } else {
                    // A unit ends as `index` wraps; after the last, the core has failed.
                    self.index.d.next = self.index_next.val();
                    if self.index.q.val().all() {
                        if !self.wait_left.q.val().any() {
                            self.abort.next = true;
                        } else {
                            self.wait_left.d.next = self.wait_left.q.val() - 1;
                        }
                    }
                }
            }
            _ => {}
        }
        self.rom_address.next =
            self.identity_at.val() | bit_cast::<ROM_BITS, 6>(self.rom_index.val());

        // The core failed (§7.6): the response is rebuilt as CORE_TIMEOUT from its header.
        if self.abort.val() {
            self.byte_index.d.next = bits::<3>(0);
            self.status.d.next = bits::<8>(0x20);
        }
    }
}
