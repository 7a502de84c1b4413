//! [`Sender`]: the frame engine's response side: the response buffer, its CRC and COBS block
//! codes as the bytes are emitted, their transmission, the link-error responses (from the
//! engine's ROM) and the chip's reset after the answer to RESET.
use super::{EngineState, BUFFER_BYTES, POSITION_BITS, ROM_BITS};
use crate::link::Crc16Step;
use crate::memory::Ram;
use rust_hdl::prelude::*;
use spikeforge_sim::wire::{Response, Status};

/// Link-error statuses in the order of the link-error ROM.
const LINK_ERRORS: [Status; 4] = [
    Status::BadCrc,
    Status::Cobs,
    Status::TooShort,
    Status::TooLong,
];
/// Bytes on the wire of one link-error response (7 decoded bytes, COBS, delimiter).
const LINK_ERROR_WIRE_BYTES: usize = 9;

/// The response side of the frame engine (`docs/spec.md` §7.2, §7.3, §7.7).
///
/// | part | how |
/// |---|---|
/// | response | each byte emitted (`emit_valid`, and the CRC in `Crc` and `CrcHigh`) is written decoded into the response buffer, one byte per clock, CRC ([`Crc16Step`]) alongside; the COBS block codes go to a third buffer as blocks close (`Finish` closes the last), so no byte is read twice |
/// | transmission | per block: its code, then its data bytes, skipping the zero the block stands for; then the delimiter. A replay sends the stored buffers again |
/// | link errors | the nine bytes of each link-error response are in the engine's ROM, built from `Response::link_error`, sent from the position the receiver names |
///
/// After the answer to RESET, in `ResetWait`, it requests the chip's reset as the transmitter
/// takes the delimiter's stop bit.
#[derive(Debug, LogicBlock)]
pub struct Sender {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// The engine's state, input.
    pub state: Signal<In, EngineState>,
    /// `FrameEnd`: the frame fails a link check, input.
    pub link_error: Signal<In, Bit>,
    /// `FrameEnd`: position in the link-error ROM of its response, input.
    pub link_error_at: Signal<In, Bits<8>>,
    /// `FrameEnd`: the frame is answered by the stored response, input.
    pub replay: Signal<In, Bit>,
    /// A response byte in this cycle, input.
    pub emit_valid: Signal<In, Bit>,
    /// The response byte, input.
    pub emit_byte: Signal<In, Bits<8>>,
    /// The core failed: the response built so far is dropped, input.
    pub abort: Signal<In, Bit>,
    /// Byte to transmit, output.
    pub tx_data: Signal<Out, Bits<8>>,
    /// `tx_data` is a byte, held until taken, output.
    pub tx_valid: Signal<Out, Bit>,
    /// The transmitter takes `tx_data` in this cycle, input.
    pub tx_ready: Signal<In, Bit>,
    /// `LinkSend`: the byte on `tx_data` is the response's delimiter, output.
    pub link_delimiter: Signal<Out, Bit>,
    /// `SendCode`: the block has no data bytes, output.
    pub block_empty: Signal<Out, Bit>,
    /// `SendData`: the block's last data byte, output.
    pub block_sent: Signal<Out, Bit>,
    /// `BlockEnd`: the response's last block, output.
    pub last_block: Signal<Out, Bit>,
    /// Reset the chip (from a register, which the reset itself clears), output.
    pub reset_request: Signal<Out, Bit>,
    /// The engine's ROM address to read at this edge (the link-error byte to send next),
    /// output.
    pub rom_address: Signal<Out, Bits<ROM_BITS>>,
    /// The engine's ROM byte at the address read at the last edge, input.
    pub rom_data: Signal<In, Bits<8>>,

    response: Ram<Bits<8>, POSITION_BITS>,
    codes: Ram<Bits<8>, POSITION_BITS>,
    crc_step: Crc16Step,
    // Building the response.
    out_count: DFF<Bits<POSITION_BITS>>,
    run: DFF<Bits<8>>,
    blocks: DFF<Bits<POSITION_BITS>>,
    just_full: DFF<Bit>,
    crc: DFF<Bits<16>>,
    crc_high: DFF<Bits<8>>,
    // Sending.
    block: DFF<Bits<POSITION_BITS>>,
    tx_pointer: DFF<Bits<POSITION_BITS>>,
    left: DFF<Bits<8>>,
    code_full: DFF<Bit>,
    rom_index: DFF<Bits<8>>,
    reset_pending: DFF<Bit>,

    out_valid: Signal<Local, Bit>,
    out_byte: Signal<Local, Bits<8>>,
    run_next: Signal<Local, Bits<8>>,
    code_minus_one: Signal<Local, Bits<8>>,
    rom_next: Signal<Local, Bits<8>>,
}

/// The link-error responses on the wire, one after the other in the order of
/// [`LINK_ERRORS`]: the link-error part of the engine's ROM, from its address 0.
pub(super) fn link_error_bytes() -> Vec<u8> {
    LINK_ERRORS
        .iter()
        .flat_map(|&status| {
            let bytes = Response::link_error(status)
                .encode()
                .unwrap_or_else(|err| panic!("link-error response: {err}"));
            assert_eq!(bytes.len(), LINK_ERROR_WIRE_BYTES, "a link-error response");
            bytes
        })
        .collect()
}

impl Sender {
    /// The sender of responses up to [`BUFFER_BYTES`] bytes.
    pub fn new() -> Self {
        Self {
            clock: Signal::default(),
            state: Signal::default(),
            link_error: Signal::default(),
            link_error_at: Signal::default(),
            replay: Signal::default(),
            emit_valid: Signal::default(),
            emit_byte: Signal::default(),
            abort: Signal::default(),
            tx_data: Signal::default(),
            tx_valid: Signal::default(),
            tx_ready: Signal::default(),
            link_delimiter: Signal::default(),
            block_empty: Signal::default(),
            block_sent: Signal::default(),
            last_block: Signal::default(),
            reset_request: Signal::default(),
            response: Ram::new(BUFFER_BYTES),
            codes: Ram::new(BUFFER_BYTES),
            crc_step: Crc16Step::new(),
            out_count: DFF::default(),
            run: DFF::default(),
            blocks: DFF::default(),
            just_full: DFF::default(),
            crc: DFF::default(),
            crc_high: DFF::default(),
            block: DFF::default(),
            tx_pointer: DFF::default(),
            left: DFF::default(),
            code_full: DFF::default(),
            rom_index: DFF::default(),
            reset_pending: DFF::default(),
            out_valid: Signal::default(),
            out_byte: Signal::default(),
            run_next: Signal::default(),
            code_minus_one: Signal::default(),
            rom_next: Signal::default(),
            rom_address: Signal::default(),
            rom_data: Signal::default(),
        }
    }
}

impl Default for Sender {
    fn default() -> Self {
        Self::new()
    }
}

impl Logic for Sender {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            out_count,
            run,
            blocks,
            just_full,
            crc,
            crc_high,
            block,
            tx_pointer,
            left,
            code_full,
            rom_index,
            reset_pending
        );
        clock!(self, clock, response, codes);

        // Defaults: nothing sent; the executor's byte, if any.
        self.tx_valid.next = false;
        self.tx_data.next = bits::<8>(0);
        self.reset_request.next = self.reset_pending.q.val();
        self.out_valid.next = self.emit_valid.val();
        self.out_byte.next = self.emit_byte.val();

        // The response and code buffers are read at the transmit position, the ROM at its
        // index.
        self.response.read_address.next = self.tx_pointer.q.val();
        self.response.read_enable.next = true;
        self.response.write_address.next = self.out_count.q.val();
        self.response.write_enable.next = false;
        self.codes.read_address.next = self.block.q.val();
        self.codes.read_enable.next = true;
        self.codes.write_address.next = self.blocks.q.val();
        self.codes.write_data.next = bits::<8>(1);
        self.codes.write_enable.next = false;
        self.code_minus_one.next = self.codes.read_data.val() - 1;
        self.link_delimiter.next = !self.rom_data.val().any();
        // The link-error ROM is read at the next `rom_index`, so that it holds the byte at
        // `rom_index` in each `LinkSend` cycle.
        self.rom_next.next = self.rom_index.q.val();
        self.block_empty.next = !self.code_minus_one.val().any();
        self.block_sent.next = self.left.q.val() == 1;
        self.last_block.next = (self.block.q.val() + 1) == self.blocks.q.val();

        match self.state.val() {
            EngineState::FrameEnd => {
                self.rom_next.next = self.link_error_at.val();
                if !self.link_error.val() {
                    if self.replay.val() {
                        // A retransmission: send the stored response again.
                        self.block.d.next = bits::<POSITION_BITS>(0);
                        self.tx_pointer.d.next = bits::<POSITION_BITS>(0);
                    } else {
                        self.out_count.d.next = bits::<POSITION_BITS>(0);
                        self.run.d.next = bits::<8>(0);
                        self.blocks.d.next = bits::<POSITION_BITS>(0);
                        self.just_full.d.next = false;
                    }
                }
            }
            EngineState::LinkSend => {
                self.tx_valid.next = true;
                self.tx_data.next = self.rom_data.val();
                if self.tx_ready.val() {
                    self.rom_next.next = self.rom_index.q.val() + 1;
                }
            }
            EngineState::Check => {
                self.crc.d.next = bits::<16>(0xFFFF);
            }
            EngineState::Crc => {
                self.out_valid.next = true;
                self.out_byte.next = self.crc.q.val().get_bits::<8>(0);
                self.crc_high.d.next = self.crc.q.val().get_bits::<8>(8);
            }
            EngineState::CrcHigh => {
                self.out_valid.next = true;
                self.out_byte.next = self.crc_high.q.val();
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
            }
            EngineState::SendCode => {
                self.tx_valid.next = true;
                self.tx_data.next = self.codes.read_data.val();
                if self.tx_ready.val() {
                    self.left.d.next = self.code_minus_one.val();
                    self.code_full.d.next = self.codes.read_data.val().all();
                }
            }
            EngineState::SendData => {
                self.tx_valid.next = true;
                self.tx_data.next = self.response.read_data.val();
                if self.tx_ready.val() {
                    self.tx_pointer.d.next = self.tx_pointer.q.val() + 1;
                    self.left.d.next = self.left.q.val() - 1;
                }
            }
            EngineState::BlockEnd => {
                if !self.code_full.q.val() {
                    self.tx_pointer.d.next = self.tx_pointer.q.val() + 1;
                }
                self.block.d.next = self.block.q.val() + 1;
            }
            EngineState::SendDelimiter => {
                self.tx_valid.next = true;
                self.tx_data.next = bits::<8>(0);
            }
            _ => {}
        }
        // After the answer to RESET, `tx_ready` again: the last cycle of the delimiter's stop
        // bit.
        if (self.state.val() == EngineState::ResetWait) && self.tx_ready.val() {
            self.reset_pending.d.next = true;
        }
        self.rom_index.d.next = self.rom_next.val();
        self.rom_address.next = self.rom_next.val().get_bits::<ROM_BITS>(0);

        // The core failed: the CORE_TIMEOUT response is built from scratch.
        if self.abort.val() {
            self.out_count.d.next = bits::<POSITION_BITS>(0);
            self.run.d.next = bits::<8>(0);
            self.blocks.d.next = bits::<POSITION_BITS>(0);
            self.just_full.d.next = false;
            self.crc.d.next = bits::<16>(0xFFFF);
        }

        // A response byte: into the buffer, the CRC and the COBS block it belongs to.
        self.crc_step.crc.next = self.crc.q.val();
        self.crc_step.data.next = self.out_byte.val();
        self.response.write_data.next = self.out_byte.val();
        self.run_next.next = self.run.q.val() + 1;
        if self.out_valid.val() {
            self.response.write_enable.next = true;
            self.out_count.d.next = self.out_count.q.val() + 1;
            self.crc.d.next = self.crc_step.crc_next.val();
            self.just_full.d.next = false;
            if !self.out_byte.val().any() {
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
