//! [`FrameEngine`]: the chip's side of the wire protocol (`docs/spec.md` §7.2-§7.7) between
//! the UART's byte streams and the learning core's command port: the state machine that
//! sequences its three blocks, the receiver (`receiver.rs`), the executor (`executor.rs`,
//! with the address map, `address_map.rs`) and the sender (`sender.rs`).
mod address_map;
mod executor;
mod new;
mod receiver;
mod sender;
pub use new::core_wait_cycles;

use crate::memory::Ram;
use crate::top::Address;
use executor::Executor;
use new::constant;
use receiver::Receiver;
use rust_hdl::prelude::*;
use sender::Sender;

/// Bytes of each frame buffer: a longest decoded request (262) or response (263), and one
/// block code per response byte at most.
const BUFFER_BYTES: usize = 512;
/// Width of the buffer positions and of the frame's byte counts: they count to
/// [`BUFFER_BYTES`] and saturate at 1,023, above the longest frame on the wire.
const POSITION_BITS: usize = 10;
/// Width of the executor's counts of a request's values and of a response's payload bytes:
/// up to `MAX_PAYLOAD` (256).
const COUNT_BITS: usize = 9;
/// Width of the value bytes of a WRITE the address map counts values in: up to
/// `MAX_PAYLOAD - WRITE_HEADER`.
const VALUES_BITS: usize = COUNT_BITS + 2;
const _: () = assert!(spikeforge_sim::wire::MAX_PAYLOAD < 1 << COUNT_BITS);
/// Address width of the engine's ROM: the link-error responses, then the identity.
const ROM_BITS: usize = 7;
/// Address of the identity's first byte in the engine's ROM.
const IDENTITY_AT: usize = 64;

/// States of the engine.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum EngineState {
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

/// The frame engine: decodes request frames as their bytes arrive, checks them in the order
/// of `docs/spec.md` §7.6, executes intact requests as loops of core commands, and builds and
/// sends the response; `spikeforge_sim::chip::Chip` is its golden model, byte for byte.
///
/// | block | what it does, in which states |
/// |---|---|
/// | `Receiver` (`receiver.rs`) | `Receive`: COBS decoding, streaming, one byte per clock; decoded bytes go to the request buffer (block RAM) and the first header and argument bytes to registers; the request CRC ([`Crc16Step`](crate::link::Crc16Step)) on each decoded byte two bytes late, so the last two bytes (the CRC field) are left out. `FrameEnd`: the link checks and a retransmission recognised; the link's counters |
/// | `Executor` (`executor.rs`) | `Check` to `RegisterCheck`: the command checks, with the network's memory map (`AddressMap`, `address_map.rs`). `Header` to `CoreWait`: the response's header and payload bytes, the core's commands, the wait for the core |
/// | `Sender` (`sender.rs`) | the response written decoded into the response buffer while it is built, one byte per clock, CRC alongside (`Crc`, `CrcHigh`); the COBS block codes to a third buffer as blocks close, so no byte is read twice (`Finish`); transmission per block: its code, then its data bytes, skipping the zero the block stands for, then the delimiter (`SendCodeAddress` to `SendDelimiter`; a replay sends the stored buffers again); the link-error responses from a ROM built from `Response::link_error` (`LinkSend`); the chip's reset after the answer to RESET (`ResetWait`) |
///
/// The engine itself holds the state register: each block reads the state and tells the
/// engine, by a strobe, where a state's loop ends. The identity ROM, the sizes of the spaces
/// and the register masks are constants of the network it is generated for (`MemoryMap`), for
/// 1 to 4 hidden layers; the spaces `W1`..`W3`, the layers in bits 11..10 of a state address
/// and the register blocks of the hidden layers past the first exist only in the engine of a
/// core that has them, so the engine of a one-hidden-layer core has no logic for them.
///
/// One request at a time: `rx_ready` is high only while receiving. The engine drives the
/// core's command port only while executing, and expects the core's timing (§6): read answers
/// two cycles after the command, `busy` from the cycle after `PHASE_RESET` or `STEP`. A read
/// without its answer, or a `STEP` or `PHASE_RESET` still busy after the wait bound (twice
/// `CoreShape::longest_command_cycles`, and 64 more, rounded up to whole units of 65,536
/// cycles, and one unit more), is answered CORE_TIMEOUT. Every unused encoding of the state
/// register returns to receiving, so no upset of it wedges the engine.
#[derive(Debug, LogicBlock)]
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
    pub cmd_addr: Signal<Out, Address>,
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

    receiver: Receiver,
    executor: Executor,
    sender: Sender,
    // The bytes the engine sends from constants: the link-error responses and the identity.
    rom: Ram<Bits<8>, ROM_BITS>,
    state: DFF<EngineState>,
    restart: Signal<Local, Bit>,
}

/// The frame engine's states and the width of its state register.
pub(crate) fn frame_engine_states() -> (usize, usize) {
    crate::top::enum_encodings::<EngineState>()
}

impl Logic for FrameEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state);
        self.receiver.clock.next = self.clock.val();
        self.executor.clock.next = self.clock.val();
        self.sender.clock.next = self.clock.val();
        self.receiver.state.next = self.state.q.val();
        self.executor.state.next = self.state.q.val();
        self.sender.state.next = self.state.q.val();

        // The ROM: the sender reads the link-error responses while it sends one (and in
        // `FrameEnd`, their first byte), the executor the identity otherwise.
        clock!(self, clock, rom);
        self.rom.read_enable.next = true;
        self.rom.read_address.next = self.executor.rom_address.val();
        if (self.state.q.val() == EngineState::FrameEnd)
            || (self.state.q.val() == EngineState::LinkSend)
        {
            self.rom.read_address.next = self.sender.rom_address.val();
        }
        self.rom.write_address.next = bits::<ROM_BITS>(0);
        self.rom.write_data.next = bits::<8>(0);
        self.rom.write_enable.next = false;
        self.executor.rom_data.next = self.rom.read_data.val();
        self.sender.rom_data.next = self.rom.read_data.val();

        // The receiver: bytes from the FIFO, and the link's events.
        self.receiver.rx_data.next = self.rx_data.val();
        self.receiver.rx_valid.next = self.rx_valid.val();
        self.receiver.framing_error.next = self.framing_error.val();
        self.receiver.rx_overflow.next = self.rx_overflow.val();
        self.receiver.read_address.next = self.executor.request_address.val();

        // The executor: the request as received, and the core.
        self.executor.seq.next = self.receiver.seq.val();
        self.executor.opcode.next = self.receiver.opcode.val();
        self.executor.length.next = self.receiver.length.val();
        self.executor.payload_length.next = self.receiver.payload_length.val();
        self.executor.argument_space.next = self.receiver.argument_space.val();
        self.executor.argument_start.next = self.receiver.argument_start.val();
        self.executor.argument_count.next = self.receiver.argument_count.val();
        self.executor.argument_steps.next = self.receiver.argument_steps.val();
        self.executor.argument_word.next = self.receiver.argument_word.val();
        self.executor.rx_overflows.next = self.receiver.rx_overflows.val();
        self.executor.framing_errors.next = self.receiver.framing_errors.val();
        self.executor.link_errors.next = self.receiver.link_errors.val();
        self.executor.replays.next = self.receiver.replays.val();
        self.executor.request_data.next = self.receiver.read_data.val();
        self.executor.rsp_valid.next = self.rsp_valid.val();
        self.executor.rsp_data.next = self.rsp_data.val();
        self.executor.busy.next = self.busy.val();
        self.cmd_valid.next = self.executor.cmd_valid.val();
        self.cmd_op.next = self.executor.cmd_op.val();
        self.cmd_addr.next = self.executor.cmd_addr.val();
        self.cmd_data.next = self.executor.cmd_data.val();

        // The sender: the link checks' verdict, the executor's bytes, the transmitter.
        self.sender.link_error.next = self.receiver.link_error.val();
        self.sender.link_error_at.next = self.receiver.link_error_at.val();
        self.sender.replay.next = self.receiver.replay.val();
        self.sender.emit_valid.next = self.executor.emit_valid.val();
        self.sender.emit_byte.next = self.executor.emit_byte.val();
        self.sender.abort.next = self.executor.abort.val();
        self.sender.tx_ready.next = self.tx_ready.val();
        self.tx_data.next = self.sender.tx_data.val();
        self.tx_valid.next = self.sender.tx_valid.val();
        self.reset_request.next = self.sender.reset_request.val();

        self.rx_ready.next = self.receiver.rx_ready.val();
        self.active.next = self.state.q.val() != EngineState::Receive;
        self.restart.next = false;

        match self.state.q.val() {
            EngineState::Receive => {
                if self.receiver.frame_end.val() {
                    self.state.d.next = EngineState::FrameEnd;
                }
            }
            EngineState::FrameEnd => {
                self.state.d.next = EngineState::LinkSend;
                if !self.receiver.link_error.val() {
                    self.state.d.next = EngineState::Check;
                    if self.receiver.replay.val() {
                        self.state.d.next = EngineState::SendCodeAddress;
                    }
                }
            }
            EngineState::LinkSend => {
                if self.tx_ready.val() && self.sender.link_delimiter.val() {
                    self.state.d.next = EngineState::Receive;
                    self.restart.next = true;
                }
            }
            EngineState::Check => {
                self.state.d.next = EngineState::Header;
                if self.executor.to_range.val() {
                    self.state.d.next = EngineState::Range;
                }
            }
            EngineState::Range => {
                self.state.d.next = EngineState::Header;
                if self.executor.to_registers.val() {
                    self.state.d.next = EngineState::RegisterCheck;
                }
            }
            EngineState::RegisterCheck => {
                if self.executor.registers_done.val() {
                    self.state.d.next = EngineState::Header;
                }
            }
            EngineState::Header => {
                if self.executor.header_done.val() {
                    self.state.d.next = EngineState::Crc;
                    if self.executor.ok.val() {
                        match self.executor.command.val().index() {
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
            EngineState::Identify => {
                if self.executor.identity_done.val() {
                    self.state.d.next = EngineState::Crc;
                }
            }
            EngineState::LinkStatus => {
                if self.executor.counters_done.val() {
                    self.state.d.next = EngineState::Crc;
                }
            }
            EngineState::WriteAddress => {
                // The request buffer reads the value's first byte at this edge.
                self.state.d.next = EngineState::WriteByte;
            }
            EngineState::WriteByte => {
                if self.executor.value_done.val() {
                    self.state.d.next = EngineState::WriteIssue;
                }
            }
            EngineState::WriteIssue => {
                self.state.d.next = EngineState::WriteByte;
                if self.executor.last_value.val() {
                    self.state.d.next = EngineState::Crc;
                }
            }
            EngineState::ReadIssue => {
                self.state.d.next = EngineState::ReadWait;
            }
            EngineState::ReadWait => {
                self.state.d.next = EngineState::ReadCapture;
            }
            EngineState::ReadCapture => {
                // Without the core's answer the executor aborts.
                if self.rsp_valid.val() {
                    self.state.d.next = EngineState::ReadOut;
                }
            }
            EngineState::ReadOut => {
                if self.executor.value_done.val() {
                    self.state.d.next = EngineState::ReadIssue;
                    if self.executor.last_value.val() {
                        self.state.d.next = EngineState::Crc;
                    }
                }
            }
            EngineState::CoreIssue => {
                self.state.d.next = EngineState::CoreWait;
            }
            EngineState::CoreWait => {
                // While the core is busy, the executor counts the wait, and may abort.
                if !self.busy.val() {
                    self.state.d.next = EngineState::Crc;
                    if self.executor.more_steps.val() {
                        self.state.d.next = EngineState::CoreIssue;
                    }
                }
            }
            EngineState::Crc => {
                self.state.d.next = EngineState::CrcHigh;
            }
            EngineState::CrcHigh => {
                self.state.d.next = EngineState::Finish;
            }
            EngineState::Finish => {
                self.state.d.next = EngineState::SendCodeAddress;
            }
            EngineState::SendCodeAddress => {
                self.state.d.next = EngineState::SendCode;
            }
            EngineState::SendCode => {
                if self.tx_ready.val() {
                    self.state.d.next = EngineState::SendDataAddress;
                    if self.sender.block_empty.val() {
                        self.state.d.next = EngineState::BlockEnd;
                    }
                }
            }
            EngineState::SendDataAddress => {
                self.state.d.next = EngineState::SendData;
            }
            EngineState::SendData => {
                if self.tx_ready.val() {
                    self.state.d.next = EngineState::SendDataAddress;
                    if self.sender.block_sent.val() {
                        self.state.d.next = EngineState::BlockEnd;
                    }
                }
            }
            EngineState::BlockEnd => {
                self.state.d.next = EngineState::SendCodeAddress;
                if self.sender.last_block.val() {
                    self.state.d.next = EngineState::SendDelimiter;
                }
            }
            EngineState::SendDelimiter => {
                if self.tx_ready.val() {
                    self.state.d.next = EngineState::Receive;
                    self.restart.next = true;
                    if (self.executor.command.val() == 9) && self.executor.ok.val() {
                        self.state.d.next = EngineState::ResetWait;
                        self.restart.next = false;
                    }
                }
            }
            EngineState::ResetWait => {
                // The sender requests the chip's reset.
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
        if self.executor.abort.val() {
            self.state.d.next = EngineState::Header;
        }

        // The receiver starts the next frame from scratch whenever the engine returns to
        // receiving.
        self.receiver.restart.next = self.restart.val();
    }
}
