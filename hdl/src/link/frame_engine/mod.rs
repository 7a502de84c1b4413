//! [`FrameEngine`]: the chip's side of the wire protocol (`docs/spec.md` §7.2-§7.7) between
//! the UART's byte streams and the learning core's command port.
mod new;
pub use new::core_wait_cycles;

use crate::link::Crc16Step;
use crate::memory::Ram;
use rust_hdl::prelude::*;
use spikeforge_sim::wire::Status;

/// Bytes of each frame buffer: a longest decoded request (262) or response (263), and one
/// block code per response byte at most.
const BUFFER_BYTES: usize = 512;
/// Width of the buffer positions and of the frame's byte counts: they count to
/// [`BUFFER_BYTES`] and saturate at 1,023, above the longest frame on the wire.
const POSITION_BITS: usize = 10;
/// Register ids below this (those of hidden layer 0, the classifier and the core) have a bit
/// in the readable / writable masks; the ids of hidden layer `l >= 1` are the block of
/// [`REGISTER_BLOCK_IDS`] from `Register::ThetaOffset(l)` on, with masks of their own.
const REGISTER_IDS: usize = 64;
/// Register ids of the block of a hidden layer `l >= 1` (`32 (l + 1) + 0..32`).
const REGISTER_BLOCK_IDS: usize = 32;
/// Link-error statuses in the order of the link-error ROM.
const LINK_ERRORS: [Status; 4] = [
    Status::BadCrc,
    Status::Cobs,
    Status::TooShort,
    Status::TooLong,
];
/// Bytes on the wire of one link-error response (7 decoded bytes, COBS, delimiter).
const LINK_ERROR_WIRE_BYTES: usize = 9;
/// Request payload bytes kept in registers as they arrive (`space`, `start`, `count` of a
/// READ; `word`, `steps` of a RUN_PHASE).
const ARGUMENT_BYTES: usize = 7;

/// States of the engine.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
enum EngineState {
    /// Take bytes from the receive FIFO and decode them into the request buffer.
    Receive,
    /// A delimiter ended a non-empty frame: the link checks (§7.6, 2 to 6).
    FrameEnd,
    /// Send a link-error response from the ROM.
    LinkSend,
    /// The command checks (§7.6, 7 and 8).
    Check,
    /// The address range of a READ or WRITE (§7.6, 9).
    Range,
    /// The register ids of a REG access, one per cycle.
    RegisterCheck,
    /// Response header: `seq`, opcode, status, length.
    Header,
    /// IDENTIFY payload.
    Identify,
    /// LINK_STATUS payload.
    LinkStatus,
    /// WRITE: the first value's first byte is being read from the request buffer.
    WriteAddress,
    /// WRITE: one byte of a value.
    WriteByte,
    /// WRITE: the value to the core.
    WriteIssue,
    /// READ: the read command to the core.
    ReadIssue,
    /// READ: the cycle between command and answer.
    ReadWait,
    /// READ: the answer.
    ReadCapture,
    /// READ: the value's bytes into the response.
    ReadOut,
    /// PHASE_RESET or STEP to the core.
    CoreIssue,
    /// Wait for the core to finish.
    CoreWait,
    /// CRC, low byte.
    Crc,
    /// CRC, high byte.
    CrcHigh,
    /// Close the last COBS block.
    Finish,
    /// Transmit: read block code `block`.
    SendCodeAddress,
    /// Transmit the block code.
    SendCode,
    /// Transmit: read response byte `tx_pointer`.
    SendDataAddress,
    /// Transmit the data byte.
    SendData,
    /// Skip the zero a block stands for; next block or the delimiter.
    BlockEnd,
    /// Transmit the delimiter.
    SendDelimiter,
    /// After the answer to RESET: wait for the transmitter to finish the delimiter, then
    /// request the chip's reset.
    ResetWait,
}

// Internal command codes (the `command` register): 1 IDENTIFY, 2 LINK_STATUS, 3 WRITE,
// 4 READ, 5 PHASE_RESET, 6 STEP, 7 RUN_PHASE, 8 READ_PREDICTION, 9 RESET. Status codes are those of
// `spikeforge_sim::wire::Status` (checked by a test): 0x10 BAD_LENGTH, 0x11 UNKNOWN_OPCODE,
// 0x12 BAD_PAYLOAD, 0x13 UNKNOWN_SPACE, 0x14 OUT_OF_RANGE, 0x20 CORE_TIMEOUT.

/// The frame engine: decodes request frames as their bytes arrive, checks them in the order
/// of `docs/spec.md` §7.6, executes intact requests as loops of core commands, and builds and
/// sends the response; `spikeforge_sim::chip::Chip` is its golden model, byte for byte.
///
/// | part | how |
/// |---|---|
/// | COBS decoding | streaming, one byte per clock; decoded bytes go to the request buffer (block RAM) and the first header and argument bytes to registers |
/// | request CRC | [`Crc16Step`] on each decoded byte two bytes late, so the last two bytes (the CRC field) are left out |
/// | response | written decoded into the response buffer while it is built, one byte per clock, CRC alongside; the COBS block codes go to a third buffer as blocks close, so no byte is read twice |
/// | transmission | per block: its code, then its data bytes, skipping the zero the block stands for; then the delimiter. A replay sends the stored buffers again |
/// | link errors | the nine bytes of each link-error response are a ROM built from `Response::link_error` |
/// | the network | the identity ROM, the sizes of the spaces and the register masks are constants of the network it is generated for (`MemoryMap`), for 1 to 4 hidden layers; the spaces `W1`..`W3`, the layers in bits 11..10 of a state address and the register blocks of the hidden layers past the first exist only in the engine of a core that has them, so the engine of a one-hidden-layer core has no logic for them |
///
/// One request at a time: `rx_ready` is high only while receiving. The engine drives the
/// core's command port only while executing, and expects the core's timing (§6): read answers
/// two cycles after the command, `busy` from the cycle after `PHASE_RESET` or `STEP`. A read
/// without its answer, or a `STEP` or `PHASE_RESET` still busy after the wait bound (twice
/// `CoreShape::longest_command_cycles`, and 64 more, rounded up to whole units of 65,536
/// cycles, and one unit more), is answered CORE_TIMEOUT. Every unused encoding of the state register returns to
/// receiving, so no upset of it wedges the engine.
#[derive(LogicBlock)]
pub struct FrameEngine {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Received byte, input.
    pub rx_data: Signal<In, Bits<8>>,
    /// `rx_data` is a byte, input.
    pub rx_valid: Signal<In, Bit>,
    /// The engine takes `rx_data` in this cycle if `rx_valid`, output.
    pub rx_ready: Signal<Out, Bit>,
    /// Byte to transmit, output.
    pub tx_data: Signal<Out, Bits<8>>,
    /// `tx_data` is a byte, held until taken, output.
    pub tx_valid: Signal<Out, Bit>,
    /// The transmitter takes `tx_data` in this cycle, input.
    pub tx_ready: Signal<In, Bit>,
    /// A character with a framing error was dropped (one-cycle pulse), input.
    pub framing_error: Signal<In, Bit>,
    /// A byte was dropped because the receive FIFO was full (one-cycle pulse), input.
    pub rx_overflow: Signal<In, Bit>,
    /// Core command strobe, output.
    pub cmd_valid: Signal<Out, Bit>,
    /// Core operation code, output.
    pub cmd_op: Signal<Out, Bits<5>>,
    /// Core address or register id, output.
    pub cmd_addr: Signal<Out, Bits<16>>,
    /// Core write data or `STEP` word, output.
    pub cmd_data: Signal<Out, Bits<32>>,
    /// Core read answer strobe, input.
    pub rsp_valid: Signal<In, Bit>,
    /// Core read answer, input.
    pub rsp_data: Signal<In, Bits<32>>,
    /// The core is running a `STEP` or `PHASE_RESET`, input.
    pub busy: Signal<In, Bit>,
    /// A request is being executed or answered (for a status LED), output.
    pub active: Signal<Out, Bit>,
    /// The answer to a RESET request has left the transmitter: reset the chip (one cycle,
    /// from a register, which the reset itself clears), output.
    pub reset_request: Signal<Out, Bit>,

    request: Ram<Bits<8>, POSITION_BITS>,
    response: Ram<Bits<8>, POSITION_BITS>,
    codes: Ram<Bits<8>, POSITION_BITS>,
    rx_crc_step: Crc16Step,
    tx_crc_step: Crc16Step,
    identity: ROM<Bits<8>, 6>,
    link_rom: ROM<Bits<8>, 6>,

    state: DFF<EngineState>,
    // Receiving.
    encoded_count: DFF<Bits<POSITION_BITS>>,
    decoded_count: DFF<Bits<POSITION_BITS>>,
    block_left: DFF<Bits<8>>,
    zero_pending: DFF<Bit>,
    // The request CRC register, complemented so that its power-up value 0 is CRC_INIT.
    rx_crc_complement: DFF<Bits<16>>,
    older_byte: DFF<Bits<8>>,
    newer_byte: DFF<Bits<8>>,
    seq: DFF<Bits<8>>,
    opcode: DFF<Bits<8>>,
    length: DFF<Bits<16>>,
    arguments: Vec<DFF<Bits<8>>>,
    // The stored response and the link's counters.
    last_valid: DFF<Bit>,
    last_seq: DFF<Bits<8>>,
    last_crc: DFF<Bits<16>>,
    rx_overflows: DFF<Bits<16>>,
    framing_errors: DFF<Bits<16>>,
    link_errors: DFF<Bits<16>>,
    replays: DFF<Bits<16>>,
    // Executing.
    status: DFF<Bits<8>>,
    command: DFF<Bits<4>>,
    space: DFF<Bits<8>>,
    start: DFF<Bits<16>>,
    count: DFF<Bits<16>>,
    width: DFF<Bits<3>>,
    index: DFF<Bits<16>>,
    byte_index: DFF<Bits<3>>,
    pointer: DFF<Bits<POSITION_BITS>>,
    value: DFF<Bits<32>>,
    response_length: DFF<Bits<16>>,
    steps_left: DFF<Bits<16>>,
    // Units of 65,536 cycles left before a `STEP` or `PHASE_RESET` of the core times out
    // (`index` counts the cycles of a unit).
    wait_left: DFF<Bits<16>>,
    write_op: DFF<Bits<5>>,
    read_op: DFF<Bits<5>>,
    core_op: DFF<Bits<5>>,
    // Building the response.
    out_count: DFF<Bits<POSITION_BITS>>,
    run: DFF<Bits<8>>,
    blocks: DFF<Bits<POSITION_BITS>>,
    just_full: DFF<Bit>,
    tx_crc: DFF<Bits<16>>,
    crc_high: DFF<Bits<8>>,
    // Sending.
    block: DFF<Bits<POSITION_BITS>>,
    tx_pointer: DFF<Bits<POSITION_BITS>>,
    left: DFF<Bits<8>>,
    code_full: DFF<Bit>,
    rom_index: DFF<Bits<8>>,
    reset_pending: DFF<Bit>,

    // Sizes of this network's spaces and the register masks.
    pixels: Constant<Bits<17>>,
    hidden_words: Constant<Bits<17>>,
    classifier_words: Constant<Bits<17>>,
    hidden_neurons: Constant<Bits<17>>,
    classes: Constant<Bits<17>>,
    readable: Constant<Bits<64>>,
    writable: Constant<Bits<64>>,
    // The neuron bits of a hidden layer's state address (11..0, or 9..0 with more than one
    // hidden layer). Hidden layers 1, 2, ... (none with one hidden layer, so that its engine
    // has no logic for them): each layer's weight space and its words; the layer codes 1..=3
    // of a state address (bits 11..10) and their neurons (0 for a layer the core lacks); each
    // layer's register block (`id >> 5`) and its masks.
    hidden_neuron_mask: Constant<Bits<12>>,
    stacked_spaces: Vec<Constant<Bits<8>>>,
    stacked_words: Vec<Constant<Bits<17>>>,
    stacked_state_layers: Vec<Constant<Bits<2>>>,
    stacked_neurons: Vec<Constant<Bits<17>>>,
    stacked_register_blocks: Vec<Constant<Bits<12>>>,
    stacked_readable: Vec<Constant<Bits<REGISTER_BLOCK_IDS>>>,
    stacked_writable: Vec<Constant<Bits<REGISTER_BLOCK_IDS>>>,
    identity_last: Constant<Bits<16>>,
    max_payload: Constant<Bits<16>>,
    max_steps: Constant<Bits<16>>,
    max_encoded: Constant<Bits<POSITION_BITS>>,
    wait_bound: Constant<Bits<16>>,
    argument_at: Vec<Constant<Bits<POSITION_BITS>>>,

    // Combinational temporaries.
    decoded_valid: Signal<Local, Bit>,
    link_error: Signal<Local, Bit>,
    restart: Signal<Local, Bit>,
    abort: Signal<Local, Bit>,
    decoded_byte: Signal<Local, Bits<8>>,
    emit_valid: Signal<Local, Bit>,
    emit_byte: Signal<Local, Bits<8>>,
    received_crc: Signal<Local, Bits<16>>,
    payload_length: Signal<Local, Bits<16>>,
    values_length: Signal<Local, Bits<16>>,
    argument_start: Signal<Local, Bits<16>>,
    argument_count: Signal<Local, Bits<16>>,
    argument_steps: Signal<Local, Bits<16>>,
    argument_word: Signal<Local, Bits<32>>,
    space_known: Signal<Local, Bit>,
    space_width: Signal<Local, Bits<3>>,
    width_mask: Signal<Local, Bits<16>>,
    max_count: Signal<Local, Bits<16>>,
    write_count: Signal<Local, Bits<16>>,
    range_end: Signal<Local, Bits<17>>,
    range_start: Signal<Local, Bits<17>>,
    layer_size: Signal<Local, Bits<17>>,
    field: Signal<Local, Bits<3>>,
    register_id: Signal<Local, Bits<17>>,
    register_ok: Signal<Local, Bit>,
    read_length: Signal<Local, Bits<16>>,
    index_next: Signal<Local, Bits<16>>,
    byte_next: Signal<Local, Bits<3>>,
    value_byte: Signal<Local, Bits<8>>,
    data_wide: Signal<Local, Bits<32>>,
    run_next: Signal<Local, Bits<8>>,
    code_minus_one: Signal<Local, Bits<8>>,
}

impl std::fmt::Debug for FrameEngine {
    // rust-hdl's `ROM` has no `Debug`; the ROMs hold the identity and the link-error frames.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameEngine")
            .field("rx_valid", &self.rx_valid)
            .field("tx_valid", &self.tx_valid)
            .finish_non_exhaustive()
    }
}

/// The frame engine's states and the width of its state register.
pub(crate) fn frame_engine_states() -> (usize, usize) {
    crate::top::enum_encodings::<EngineState>()
}

impl Logic for FrameEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            encoded_count,
            decoded_count,
            block_left,
            zero_pending,
            rx_crc_complement,
            older_byte,
            newer_byte,
            seq,
            opcode,
            length,
            last_valid,
            last_seq,
            last_crc,
            rx_overflows,
            framing_errors,
            link_errors,
            replays,
            status,
            command,
            space,
            start,
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
            core_op,
            out_count,
            run,
            blocks,
            just_full,
            tx_crc,
            crc_high,
            block,
            tx_pointer,
            left,
            code_full,
            rom_index,
            reset_pending
        );
        clock!(self, clock, request, response, codes);
        for i in 0..self.arguments.len() {
            self.arguments[i].clock.next = self.clock.val();
            self.arguments[i].d.next = self.arguments[i].q.val();
        }

        // Defaults: nothing received, emitted, sent or commanded.
        self.rx_ready.next = false;
        self.tx_valid.next = false;
        self.tx_data.next = bits::<8>(0);
        self.cmd_valid.next = false;
        self.cmd_op.next = bits::<5>(0);
        self.cmd_data.next = self.value.q.val();
        self.active.next = self.state.q.val() != EngineState::Receive;
        self.reset_request.next = self.reset_pending.q.val();
        self.decoded_valid.next = false;
        self.decoded_byte.next = self.rx_data.val();
        self.link_error.next = false;
        self.restart.next = false;
        self.abort.next = false;
        self.emit_valid.next = false;
        self.emit_byte.next = bits::<8>(0);

        // The link's counters of dropped characters, saturating.
        if self.framing_error.val() && !self.framing_errors.q.val().all() {
            self.framing_errors.d.next = self.framing_errors.q.val() + 1;
        }
        if self.rx_overflow.val() && !self.rx_overflows.q.val().all() {
            self.rx_overflows.d.next = self.rx_overflows.q.val() + 1;
        }

        // Fields of the request as received.
        self.received_crc.next = (bit_cast::<16, 8>(self.newer_byte.q.val()) << 8)
            | bit_cast::<16, 8>(self.older_byte.q.val());
        self.payload_length.next = bit_cast::<16, POSITION_BITS>(self.decoded_count.q.val()) - 6;
        self.values_length.next = self.payload_length.val() - 3;
        self.argument_start.next = (bit_cast::<16, 8>(self.arguments[2].q.val()) << 8)
            | bit_cast::<16, 8>(self.arguments[1].q.val());
        self.argument_count.next = (bit_cast::<16, 8>(self.arguments[4].q.val()) << 8)
            | bit_cast::<16, 8>(self.arguments[3].q.val());
        self.argument_steps.next = (bit_cast::<16, 8>(self.arguments[5].q.val()) << 8)
            | bit_cast::<16, 8>(self.arguments[4].q.val());
        self.argument_word.next = (((bit_cast::<32, 8>(self.arguments[3].q.val()) << 24)
            | (bit_cast::<32, 8>(self.arguments[2].q.val()) << 16))
            | (bit_cast::<32, 8>(self.arguments[1].q.val()) << 8))
            | bit_cast::<32, 8>(self.arguments[0].q.val());
        // The space in arguments[0]: 0..=4, or the weights of a hidden layer the core has past
        // the first. Its value width: PIXEL 1, weights and STATE 2, REG 4.
        self.space_known.next = self.arguments[0].q.val() <= 4;
        for i in 0..self.stacked_spaces.len() {
            if self.arguments[0].q.val() == self.stacked_spaces[i].val() {
                self.space_known.next = true;
            }
        }
        self.space_width.next = bits::<3>(2);
        self.width_mask.next = bits::<16>(1);
        self.max_count.next = bits::<16>(128);
        self.write_count.next = self.values_length.val() >> 1;
        if !self.arguments[0].q.val().any() {
            self.space_width.next = bits::<3>(1);
            self.width_mask.next = bits::<16>(0);
            self.max_count.next = bits::<16>(256);
            self.write_count.next = self.values_length.val();
        }
        if self.arguments[0].q.val() == 4 {
            self.space_width.next = bits::<3>(4);
            self.width_mask.next = bits::<16>(3);
            self.max_count.next = bits::<16>(64);
            self.write_count.next = self.values_length.val() >> 2;
        }
        // The end of the range of a READ or WRITE, 17 bits wide so that it cannot wrap; in
        // the STATE space, of the neuron numbers (bits 11..0 of the classifier's address,
        // `hidden_neuron_mask` of a hidden layer's), within the neurons of the address's layer.
        self.range_start.next = bit_cast::<17, 16>(self.start.q.val());
        if self.space.q.val() == 3 {
            self.range_start.next = bit_cast::<17, 12>(self.start.q.val().get_bits::<12>(0));
            if !self.start.q.val().get_bit(15) {
                self.range_start.next = bit_cast::<17, 12>(
                    self.start.q.val().get_bits::<12>(0) & self.hidden_neuron_mask.val(),
                );
            }
        }
        self.range_end.next = self.range_start.val() + bit_cast::<17, 16>(self.count.q.val());
        self.field.next = self.start.q.val().get_bits::<3>(12);
        self.layer_size.next = self.hidden_neurons.val();
        for i in 0..self.stacked_state_layers.len() {
            if self.start.q.val().get_bits::<2>(10) == self.stacked_state_layers[i].val() {
                self.layer_size.next = self.stacked_neurons[i].val();
            }
        }
        if self.start.q.val().get_bit(15) {
            self.layer_size.next = self.classes.val();
        }
        // The address of value `index` (the core's `cmd_addr`, or a register id), 17 bits
        // wide so that an id past 65,535 is not mistaken for a small one.
        self.register_id.next =
            bit_cast::<17, 16>(self.start.q.val()) + bit_cast::<17, 16>(self.index.q.val());
        self.cmd_addr.next = self.register_id.val().get_bits::<16>(0);
        self.register_ok.next = false;
        if !self.register_id.val().get_bits::<11>(6).any() {
            if self.command.q.val() == 3 {
                self.register_ok.next = self
                    .writable
                    .val()
                    .get_bit(self.register_id.val().get_bits::<6>(0).index());
            } else {
                self.register_ok.next = self
                    .readable
                    .val()
                    .get_bit(self.register_id.val().get_bits::<6>(0).index());
            }
        }
        for i in 0..self.stacked_register_blocks.len() {
            if self.register_id.val().get_bits::<12>(5) == self.stacked_register_blocks[i].val() {
                if self.command.q.val() == 3 {
                    self.register_ok.next = self.stacked_writable[i]
                        .val()
                        .get_bit(self.register_id.val().get_bits::<5>(0).index());
                } else {
                    self.register_ok.next = self.stacked_readable[i]
                        .val()
                        .get_bit(self.register_id.val().get_bits::<5>(0).index());
                }
            }
        }
        self.read_length.next = self.count.q.val() << 1;
        if self.width.q.val() == 1 {
            self.read_length.next = self.count.q.val();
        }
        if self.width.q.val() == 4 {
            self.read_length.next = self.count.q.val() << 2;
        }
        self.index_next.next = self.index.q.val() + 1;
        self.byte_next.next = self.byte_index.q.val() + 1;
        self.value_byte.next = self.value.q.val().get_bits::<8>(0);
        match self.byte_index.q.val().index() {
            1 => {
                self.value_byte.next = self.value.q.val().get_bits::<8>(8);
            }
            2 => {
                self.value_byte.next = self.value.q.val().get_bits::<8>(16);
            }
            3 => {
                self.value_byte.next = self.value.q.val().get_bits::<8>(24);
            }
            _ => {}
        }
        self.data_wide.next = bit_cast::<32, 8>(self.request.read_data.val());

        // Memories: the request buffer is read at `pointer`, the response and code buffers at
        // the transmit position; the ROMs at their indices.
        self.request.read_address.next = self.pointer.q.val();
        self.request.read_enable.next = true;
        self.request.write_address.next = self.decoded_count.q.val();
        self.request.write_enable.next = false;
        self.response.read_address.next = self.tx_pointer.q.val();
        self.response.read_enable.next = true;
        self.response.write_address.next = self.out_count.q.val();
        self.response.write_enable.next = false;
        self.codes.read_address.next = self.block.q.val();
        self.codes.read_enable.next = true;
        self.codes.write_address.next = self.blocks.q.val();
        self.codes.write_data.next = bits::<8>(1);
        self.codes.write_enable.next = false;
        self.identity.address.next = self.index.q.val().get_bits::<6>(0);
        self.link_rom.address.next = self.rom_index.q.val().get_bits::<6>(0);
        self.code_minus_one.next = self.codes.read_data.val() - 1;

        match self.state.q.val() {
            EngineState::Receive => {
                self.rx_ready.next = true;
                if self.rx_valid.val() {
                    if !self.rx_data.val().any() {
                        if self.encoded_count.q.val().any() {
                            self.state.d.next = EngineState::FrameEnd;
                        }
                    } else {
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
            }
            EngineState::FrameEnd => {
                self.state.d.next = EngineState::LinkSend;
                self.link_error.next = true;
                self.rom_index.d.next = bits::<8>(0);
                if self.encoded_count.q.val() > self.max_encoded.val() {
                    self.rom_index.d.next = bits::<8>(27);
                } else if self.block_left.q.val().any() {
                    self.rom_index.d.next = bits::<8>(9);
                } else if self.decoded_count.q.val() < 6 {
                    self.rom_index.d.next = bits::<8>(18);
                } else if !self.rx_crc_complement.q.val() != self.received_crc.val() {
                    self.rom_index.d.next = bits::<8>(0);
                } else if self.last_valid.q.val()
                    && (self.seq.q.val() == self.last_seq.q.val())
                    && (self.received_crc.val() == self.last_crc.q.val())
                {
                    // A retransmission: send the stored response again.
                    if !self.replays.q.val().all() {
                        self.replays.d.next = self.replays.q.val() + 1;
                    }
                    self.block.d.next = bits::<POSITION_BITS>(0);
                    self.tx_pointer.d.next = bits::<POSITION_BITS>(0);
                    self.state.d.next = EngineState::SendCodeAddress;
                    self.link_error.next = false;
                } else {
                    self.last_valid.d.next = true;
                    self.last_seq.d.next = self.seq.q.val();
                    self.last_crc.d.next = self.received_crc.val();
                    self.out_count.d.next = bits::<POSITION_BITS>(0);
                    self.run.d.next = bits::<8>(0);
                    self.blocks.d.next = bits::<POSITION_BITS>(0);
                    self.just_full.d.next = false;
                    self.state.d.next = EngineState::Check;
                    self.link_error.next = false;
                }
                if self.link_error.val() && !self.link_errors.q.val().all() {
                    self.link_errors.d.next = self.link_errors.q.val() + 1;
                }
            }
            EngineState::LinkSend => {
                self.tx_valid.next = true;
                self.tx_data.next = self.link_rom.data.val();
                if self.tx_ready.val() {
                    self.rom_index.d.next = self.rom_index.q.val() + 1;
                    if !self.link_rom.data.val().any() {
                        self.state.d.next = EngineState::Receive;
                        self.restart.next = true;
                    }
                }
            }
            EngineState::Check => {
                self.tx_crc.d.next = bits::<16>(0xFFFF);
                self.status.d.next = bits::<8>(0);
                self.response_length.d.next = bits::<16>(0);
                self.command.d.next = bits::<4>(0);
                self.index.d.next = bits::<16>(0);
                self.byte_index.d.next = bits::<3>(0);
                self.width.d.next = self.space_width.val();
                self.space.d.next = self.arguments[0].q.val();
                self.start.d.next = self.argument_start.val();
                self.write_op.d.next = (self.arguments[0].q.val().get_bits::<5>(0) << 1) + 1;
                self.read_op.d.next = (self.arguments[0].q.val().get_bits::<5>(0) << 1) + 2;
                self.state.d.next = EngineState::Header;
                if (self.length.q.val() != self.payload_length.val())
                    || (self.length.q.val() > self.max_payload.val())
                {
                    self.status.d.next = bits::<8>(0x10);
                } else {
                    match self.opcode.q.val().index() {
                        1 => {
                            self.command.d.next = bits::<4>(1);
                            self.response_length.d.next = self.identity_last.val() + 1;
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        2 => {
                            self.command.d.next = bits::<4>(2);
                            self.response_length.d.next = bits::<16>(8);
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        3 => {
                            self.command.d.next = bits::<4>(9);
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        16 => {
                            self.command.d.next = bits::<4>(3);
                            self.count.d.next = self.write_count.val();
                            self.pointer.d.next = bits::<POSITION_BITS>(7);
                            if self.payload_length.val() < 3 {
                                self.status.d.next = bits::<8>(0x12);
                            } else if !self.space_known.val() {
                                self.status.d.next = bits::<8>(0x13);
                            } else if !self.values_length.val().any()
                                || (self.values_length.val() & self.width_mask.val()).any()
                            {
                                self.status.d.next = bits::<8>(0x12);
                            } else {
                                self.state.d.next = EngineState::Range;
                            }
                        }
                        17 => {
                            self.command.d.next = bits::<4>(4);
                            self.count.d.next = self.argument_count.val();
                            if self.payload_length.val() != 5 {
                                self.status.d.next = bits::<8>(0x12);
                            } else if !self.space_known.val() {
                                self.status.d.next = bits::<8>(0x13);
                            } else if !self.argument_count.val().any()
                                || (self.argument_count.val() > self.max_count.val())
                            {
                                self.status.d.next = bits::<8>(0x12);
                            } else {
                                self.state.d.next = EngineState::Range;
                            }
                        }
                        32 => {
                            self.command.d.next = bits::<4>(5);
                            self.core_op.d.next = bits::<5>(11);
                            if self.payload_length.val().any() {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        33 => {
                            self.command.d.next = bits::<4>(6);
                            self.core_op.d.next = bits::<5>(12);
                            self.value.d.next = self.argument_word.val();
                            if self.payload_length.val() != 4 {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        34 => {
                            self.command.d.next = bits::<4>(7);
                            self.core_op.d.next = bits::<5>(11);
                            self.value.d.next = self.argument_word.val();
                            self.steps_left.d.next = self.argument_steps.val();
                            if (self.payload_length.val() != 6)
                                || (self.argument_steps.val() > self.max_steps.val())
                            {
                                self.status.d.next = bits::<8>(0x12);
                            }
                        }
                        35 => {
                            self.command.d.next = bits::<4>(8);
                            self.response_length.d.next = bits::<16>(1);
                            self.read_op.d.next = bits::<5>(13);
                            self.width.d.next = bits::<3>(1);
                            self.count.d.next = bits::<16>(1);
                            self.start.d.next = bits::<16>(0);
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
                self.state.d.next = EngineState::Header;
                self.status.d.next = bits::<8>(0x14);
                match self.space.q.val().index() {
                    0 => {
                        if self.range_end.val() <= self.pixels.val() {
                            self.status.d.next = bits::<8>(0);
                        }
                    }
                    1 => {
                        if self.range_end.val() <= self.hidden_words.val() {
                            self.status.d.next = bits::<8>(0);
                        }
                    }
                    2 => {
                        if self.range_end.val() <= self.classifier_words.val() {
                            self.status.d.next = bits::<8>(0);
                        }
                    }
                    3 => {
                        if (self.field.val() <= 4)
                            && (self.range_end.val() <= self.layer_size.val())
                        {
                            self.status.d.next = bits::<8>(0);
                        }
                    }
                    _ => {
                        // REG, or the weights of a hidden layer past the first.
                        self.status.d.next = bits::<8>(0);
                        self.state.d.next = EngineState::RegisterCheck;
                        for i in 0..self.stacked_spaces.len() {
                            if self.space.q.val() == self.stacked_spaces[i].val() {
                                self.state.d.next = EngineState::Header;
                                if self.range_end.val() > self.stacked_words[i].val() {
                                    self.status.d.next = bits::<8>(0x14);
                                }
                            }
                        }
                    }
                }
                if self.command.q.val() == 4 {
                    self.response_length.d.next = self.read_length.val();
                }
            }
            EngineState::RegisterCheck => {
                self.index.d.next = self.index_next.val();
                if !self.register_ok.val() {
                    self.status.d.next = bits::<8>(0x14);
                    self.index.d.next = bits::<16>(0);
                    self.state.d.next = EngineState::Header;
                } else if self.index_next.val() == self.count.q.val() {
                    self.index.d.next = bits::<16>(0);
                    self.state.d.next = EngineState::Header;
                }
            }
            EngineState::Header => {
                self.emit_valid.next = true;
                self.byte_index.d.next = self.byte_next.val();
                match self.byte_index.q.val().index() {
                    0 => {
                        self.emit_byte.next = self.seq.q.val();
                    }
                    1 => {
                        self.emit_byte.next = self.opcode.q.val() | 0x80;
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
                            self.emit_byte.next = self.response_length.q.val().get_bits::<8>(8);
                        }
                        self.byte_index.d.next = bits::<3>(0);
                        self.state.d.next = EngineState::Crc;
                        if !self.status.q.val().any() {
                            match self.command.q.val().index() {
                                1 => {
                                    self.state.d.next = EngineState::Identify;
                                }
                                2 => {
                                    self.state.d.next = EngineState::LinkStatus;
                                }
                                3 => {
                                    self.state.d.next = EngineState::WriteAddress;
                                }
                                4 => {
                                    self.state.d.next = EngineState::ReadIssue;
                                }
                                8 => {
                                    self.state.d.next = EngineState::ReadIssue;
                                }
                                9 => {
                                    self.state.d.next = EngineState::Crc;
                                }
                                _ => {
                                    self.state.d.next = EngineState::CoreIssue;
                                }
                            }
                        }
                    }
                }
            }
            EngineState::Identify => {
                self.emit_valid.next = true;
                self.emit_byte.next = self.identity.data.val();
                self.index.d.next = self.index_next.val();
                if self.index.q.val() == self.identity_last.val() {
                    self.state.d.next = EngineState::Crc;
                }
            }
            EngineState::LinkStatus => {
                self.emit_valid.next = true;
                self.index.d.next = self.index_next.val();
                match self.index.q.val().index() {
                    0 => {
                        self.emit_byte.next = self.rx_overflows.q.val().get_bits::<8>(0);
                    }
                    1 => {
                        self.emit_byte.next = self.rx_overflows.q.val().get_bits::<8>(8);
                    }
                    2 => {
                        self.emit_byte.next = self.framing_errors.q.val().get_bits::<8>(0);
                    }
                    3 => {
                        self.emit_byte.next = self.framing_errors.q.val().get_bits::<8>(8);
                    }
                    4 => {
                        self.emit_byte.next = self.link_errors.q.val().get_bits::<8>(0);
                    }
                    5 => {
                        self.emit_byte.next = self.link_errors.q.val().get_bits::<8>(8);
                    }
                    6 => {
                        self.emit_byte.next = self.replays.q.val().get_bits::<8>(0);
                    }
                    _ => {
                        self.emit_byte.next = self.replays.q.val().get_bits::<8>(8);
                        self.state.d.next = EngineState::Crc;
                    }
                }
            }
            EngineState::WriteAddress => {
                // The request buffer reads `pointer` at this edge.
                self.state.d.next = EngineState::WriteByte;
            }
            EngineState::WriteByte => {
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
                self.request.read_address.next = self.pointer.q.val() + 1;
                self.byte_index.d.next = self.byte_next.val();
                if self.byte_next.val() == self.width.q.val() {
                    self.state.d.next = EngineState::WriteIssue;
                }
            }
            EngineState::WriteIssue => {
                self.cmd_valid.next = true;
                self.cmd_op.next = self.write_op.q.val();
                self.index.d.next = self.index_next.val();
                self.byte_index.d.next = bits::<3>(0);
                self.state.d.next = EngineState::WriteByte;
                if self.index_next.val() == self.count.q.val() {
                    self.state.d.next = EngineState::Crc;
                }
            }
            EngineState::ReadIssue => {
                self.cmd_valid.next = true;
                self.cmd_op.next = self.read_op.q.val();
                self.state.d.next = EngineState::ReadWait;
            }
            EngineState::ReadWait => {
                self.state.d.next = EngineState::ReadCapture;
            }
            EngineState::ReadCapture => {
                // The core answers two cycles after the command, in this cycle; a core that
                // does not has failed.
                if self.rsp_valid.val() {
                    self.value.d.next = self.rsp_data.val();
                    self.byte_index.d.next = bits::<3>(0);
                    self.state.d.next = EngineState::ReadOut;
                } else {
                    self.abort.next = true;
                }
            }
            EngineState::ReadOut => {
                self.emit_valid.next = true;
                self.emit_byte.next = self.value_byte.val();
                self.byte_index.d.next = self.byte_next.val();
                if self.byte_next.val() == self.width.q.val() {
                    self.index.d.next = self.index_next.val();
                    self.state.d.next = EngineState::ReadIssue;
                    if self.index_next.val() == self.count.q.val() {
                        self.state.d.next = EngineState::Crc;
                    }
                }
            }
            EngineState::CoreIssue => {
                self.cmd_valid.next = true;
                self.cmd_op.next = self.core_op.q.val();
                self.wait_left.d.next = self.wait_bound.val();
                self.index.d.next = bits::<16>(0);
                self.state.d.next = EngineState::CoreWait;
            }
            EngineState::CoreWait => {
                if !self.busy.val() {
                    self.state.d.next = EngineState::Crc;
                    if (self.command.q.val() == 7) && self.steps_left.q.val().any() {
                        self.steps_left.d.next = self.steps_left.q.val() - 1;
                        self.core_op.d.next = bits::<5>(12);
                        self.state.d.next = EngineState::CoreIssue;
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
            EngineState::Crc => {
                self.emit_valid.next = true;
                self.emit_byte.next = self.tx_crc.q.val().get_bits::<8>(0);
                self.crc_high.d.next = self.tx_crc.q.val().get_bits::<8>(8);
                self.state.d.next = EngineState::CrcHigh;
            }
            EngineState::CrcHigh => {
                self.emit_valid.next = true;
                self.emit_byte.next = self.crc_high.q.val();
                self.state.d.next = EngineState::Finish;
            }
            EngineState::Finish => {
                // Close the last block, unless the data ended with a full block.
                if !self.just_full.q.val() || self.run.q.val().any() {
                    self.codes.write_data.next = self.run.q.val() + 1;
                    self.codes.write_enable.next = true;
                    self.blocks.d.next = self.blocks.q.val() + 1;
                }
                self.block.d.next = bits::<POSITION_BITS>(0);
                self.tx_pointer.d.next = bits::<POSITION_BITS>(0);
                self.state.d.next = EngineState::SendCodeAddress;
            }
            EngineState::SendCodeAddress => {
                self.state.d.next = EngineState::SendCode;
            }
            EngineState::SendCode => {
                self.tx_valid.next = true;
                self.tx_data.next = self.codes.read_data.val();
                if self.tx_ready.val() {
                    self.left.d.next = self.code_minus_one.val();
                    self.code_full.d.next = self.codes.read_data.val().all();
                    self.state.d.next = EngineState::SendDataAddress;
                    if !self.code_minus_one.val().any() {
                        self.state.d.next = EngineState::BlockEnd;
                    }
                }
            }
            EngineState::SendDataAddress => {
                self.state.d.next = EngineState::SendData;
            }
            EngineState::SendData => {
                self.tx_valid.next = true;
                self.tx_data.next = self.response.read_data.val();
                if self.tx_ready.val() {
                    self.tx_pointer.d.next = self.tx_pointer.q.val() + 1;
                    self.left.d.next = self.left.q.val() - 1;
                    self.state.d.next = EngineState::SendDataAddress;
                    if self.left.q.val() == 1 {
                        self.state.d.next = EngineState::BlockEnd;
                    }
                }
            }
            EngineState::BlockEnd => {
                if !self.code_full.q.val() {
                    self.tx_pointer.d.next = self.tx_pointer.q.val() + 1;
                }
                self.block.d.next = self.block.q.val() + 1;
                self.state.d.next = EngineState::SendCodeAddress;
                if (self.block.q.val() + 1) == self.blocks.q.val() {
                    self.state.d.next = EngineState::SendDelimiter;
                }
            }
            EngineState::SendDelimiter => {
                self.tx_valid.next = true;
                self.tx_data.next = bits::<8>(0);
                if self.tx_ready.val() {
                    self.state.d.next = EngineState::Receive;
                    self.restart.next = true;
                    if (self.command.q.val() == 9) && !self.status.q.val().any() {
                        self.state.d.next = EngineState::ResetWait;
                        self.restart.next = false;
                    }
                }
            }
            EngineState::ResetWait => {
                // `tx_ready` again: the last cycle of the delimiter's stop bit.
                if self.tx_ready.val() {
                    self.reset_pending.d.next = true;
                }
            }
            // An unused encoding of the state (an upset): back to receiving, the frame
            // dropped. Rust never reaches this arm; the Verilog's `default` does.
            #[allow(unreachable_patterns)]
            _ => {
                self.state.d.next = EngineState::Receive;
                self.restart.next = true;
            }
        }

        // The core failed (§7.6): the response built so far is replaced by a CORE_TIMEOUT
        // response, which the header state builds from scratch.
        if self.abort.val() {
            self.out_count.d.next = bits::<POSITION_BITS>(0);
            self.run.d.next = bits::<8>(0);
            self.blocks.d.next = bits::<POSITION_BITS>(0);
            self.just_full.d.next = false;
            self.tx_crc.d.next = bits::<16>(0xFFFF);
            self.byte_index.d.next = bits::<3>(0);
            self.status.d.next = bits::<8>(0x20);
            self.state.d.next = EngineState::Header;
        }

        // The next frame starts from scratch whenever the engine returns to receiving.
        if self.restart.val() {
            self.encoded_count.d.next = bits::<POSITION_BITS>(0);
            self.decoded_count.d.next = bits::<POSITION_BITS>(0);
            self.block_left.d.next = bits::<8>(0);
            self.zero_pending.d.next = false;
            self.rx_crc_complement.d.next = bits::<16>(0);
        }

        // A decoded request byte: into the buffer (while it has room), the header and argument
        // registers, and the CRC two bytes late.
        self.rx_crc_step.crc.next = !self.rx_crc_complement.q.val();
        self.rx_crc_step.data.next = self.older_byte.q.val();
        self.request.write_data.next = self.decoded_byte.val();
        if self.decoded_valid.val() {
            self.request.write_enable.next = !self.decoded_count.q.val().get_bit(9);
            if !self.decoded_count.q.val().all() {
                self.decoded_count.d.next = self.decoded_count.q.val() + 1;
            }
            if self.decoded_count.q.val().get_bits::<9>(1).any() {
                self.rx_crc_complement.d.next = !self.rx_crc_step.crc_next.val();
            }
            self.older_byte.d.next = self.newer_byte.q.val();
            self.newer_byte.d.next = self.decoded_byte.val();
            match self.decoded_count.q.val().index() {
                0 => {
                    self.seq.d.next = self.decoded_byte.val();
                }
                1 => {
                    self.opcode.d.next = self.decoded_byte.val();
                }
                2 => {
                    self.length.d.next = bit_cast::<16, 8>(self.decoded_byte.val());
                }
                3 => {
                    self.length.d.next =
                        self.length.q.val() | (bit_cast::<16, 8>(self.decoded_byte.val()) << 8);
                }
                _ => {}
            }
            for i in 0..self.arguments.len() {
                if self.decoded_count.q.val() == self.argument_at[i].val() {
                    self.arguments[i].d.next = self.decoded_byte.val();
                }
            }
        }

        // A response byte: into the buffer, the CRC and the COBS block it belongs to.
        self.tx_crc_step.crc.next = self.tx_crc.q.val();
        self.tx_crc_step.data.next = self.emit_byte.val();
        self.response.write_data.next = self.emit_byte.val();
        self.run_next.next = self.run.q.val() + 1;
        if self.emit_valid.val() {
            self.response.write_enable.next = true;
            self.out_count.d.next = self.out_count.q.val() + 1;
            self.tx_crc.d.next = self.tx_crc_step.crc_next.val();
            self.just_full.d.next = false;
            if !self.emit_byte.val().any() {
                // A zero closes the block: code = data bytes + 1.
                self.codes.write_data.next = self.run_next.val();
                self.codes.write_enable.next = true;
                self.blocks.d.next = self.blocks.q.val() + 1;
                self.run.d.next = bits::<8>(0);
            } else if self.run.q.val() == 253 {
                // The 254th data byte fills the block: code 255, no zero implied.
                self.codes.write_data.next = bits::<8>(255);
                self.codes.write_enable.next = true;
                self.blocks.d.next = self.blocks.q.val() + 1;
                self.run.d.next = bits::<8>(0);
                self.just_full.d.next = true;
            } else {
                self.run.d.next = self.run_next.val();
            }
        }
    }
}
