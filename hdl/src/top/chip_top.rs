//! [`ChipTop`]: the whole chip at its pins: UART receiver, receive FIFO, frame engine,
//! learning core and UART transmitter (`docs/spec.md` §7).
use crate::memory::ByteFifo;
use crate::top::{ChipCore, CoreError, CoreOptions};
use crate::uart::{UartRx, UartTx};
use rust_hdl::prelude::*;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::wire::RX_FIFO_BYTES;

/// A state machine of the chip whose state register is an enumeration with unused
/// encodings: each returns to its idle state from any of them (`docs/spec.md` §7.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateMachine {
    /// The frame engine (`FrameEngine`): back to receiving, the frame dropped.
    FrameEngine,
    /// The learning core's sequencer: back to idle.
    CoreSequencer,
    /// The UART receiver: waits for the line to be high, then idle.
    UartReceiver,
}

impl StateMachine {
    /// Every state machine, in the order of the Verilated chips' machine numbers.
    pub const ALL: [StateMachine; 3] = [
        StateMachine::FrameEngine,
        StateMachine::CoreSequencer,
        StateMachine::UartReceiver,
    ];

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            StateMachine::FrameEngine => "the frame engine",
            StateMachine::CoreSequencer => "the core's sequencer",
            StateMachine::UartReceiver => "the UART receiver",
        }
    }

    /// The states it has (encodings `0..states`, the first its idle state) and the width of
    /// its state register: the encodings `states..2^bits` are unused.
    pub fn encodings(self) -> (usize, usize) {
        match self {
            StateMachine::FrameEngine => crate::link::frame_engine_states(),
            StateMachine::CoreSequencer => super::learning_core::core_states(),
            StateMachine::UartReceiver => crate::uart::receiver_states(),
        }
    }
}

/// The number of states of the `LogicState` enumeration `T` and the width of its register.
pub(crate) fn enum_encodings<T: Synth>() -> (usize, usize) {
    match T::descriptor().kind {
        TypeKind::Enum(states) => (states.len(), T::BITS),
        kind => panic!("{} is not an enumeration: {kind:?}", T::descriptor().name),
    }
}

/// The chip between two UART pins: characters from `uart_rx` go through a
/// [`RX_FIFO_BYTES`]-byte FIFO to the frame engine, whose responses leave on `uart_tx`. The bit
/// time is `clocks_per_bit` clock cycles, fixed when the Verilog is generated.
#[derive(Debug, LogicBlock)]
pub struct ChipTop {
    /// Clock, input.
    pub clock: Signal<In, Clock>,
    /// Serial line from the host, idle high, input.
    pub uart_rx: Signal<In, Bit>,
    /// Serial line to the host, idle high, output.
    pub uart_tx: Signal<Out, Bit>,
    /// A request is being executed or answered (a status LED), output.
    pub active: Signal<Out, Bit>,
    /// Synchronous reset, active high: with the frame engine's request after a RESET, the
    /// chip's reset, which `crate::sync_reset` threads into every register, input.
    pub reset: Signal<In, Bit>,
    /// The chip's reset: `reset` or the frame engine's request (read by the instances
    /// `crate::sync_reset` connects it to).
    chip_reset: Signal<Local, Bit>,
    receiver: UartRx,
    fifo: ByteFifo,
    chip: ChipCore,
    transmitter: UartTx,
}

impl ChipTop {
    /// The chip for `cfg` with its core built as `options` say and a UART of `clocks_per_bit`
    /// cycles per bit (see [`crate::uart::clocks_per_bit`]), or why the network does not fit.
    pub fn new(
        cfg: &NetworkConfig,
        options: CoreOptions,
        clocks_per_bit: u16,
    ) -> Result<Self, CoreError> {
        Ok(Self {
            clock: Signal::default(),
            uart_rx: Signal::default(),
            uart_tx: Signal::default(),
            active: Signal::default(),
            reset: Signal::default(),
            chip_reset: Signal::default(),
            receiver: UartRx::new(clocks_per_bit),
            fifo: ByteFifo::new(RX_FIFO_BYTES),
            chip: ChipCore::new(cfg, options)?,
            transmitter: UartTx::new(clocks_per_bit),
        })
    }
}

impl Logic for ChipTop {
    #[hdl_gen]
    fn update(&mut self) {
        self.receiver.clock.next = self.clock.val();
        self.fifo.clock.next = self.clock.val();
        self.chip.clock.next = self.clock.val();
        self.transmitter.clock.next = self.clock.val();
        self.receiver.rx.next = self.uart_rx.val();
        self.fifo.write_data.next = self.receiver.data.val();
        self.fifo.write.next = self.receiver.valid.val();
        self.chip.rx_data.next = self.fifo.data.val();
        self.chip.rx_valid.next = self.fifo.valid.val();
        self.fifo.take.next = self.chip.rx_ready.val();
        self.chip.framing_error.next = self.receiver.framing_error.val();
        self.chip.rx_overflow.next = self.fifo.overflow.val();
        self.transmitter.data.next = self.chip.tx_data.val();
        self.transmitter.valid.next = self.chip.tx_valid.val();
        self.chip.tx_ready.next = self.transmitter.ready.val();
        self.uart_tx.next = self.transmitter.tx.val();
        self.active.next = self.chip.active.val();
        self.chip_reset.next = self.reset.val() | self.chip.reset_request.val();
    }
}
