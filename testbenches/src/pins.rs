//! [`PinChip`]: a Verilated chip driven at its UART pins, bit by bit, every response byte
//! checked against the golden `spikeforge_sim::chip::Chip` fed the same bytes.
//!
//! Pacing is stop-and-wait (docs/spec.md §7.7): [`PinChip::exchange`] sends its bytes back to
//! back at exactly `clocks_per_bit` cycles per bit, keeps clocking until the golden model's
//! answer has arrived, then a quiet period of [`QUIET_BITS`] bit times in which the line must
//! stay idle. A cycle limit from the bytes' worst case turns a hang into a failure.

use std::fmt;
use std::time::{Duration, Instant};

use spikeforge_hdl::link::core_wait_cycles;
use spikeforge_hdl::top::host_interface::StepCommand;
use spikeforge_hdl::top::{cycles_per_step, phase_reset_cycles, CoreOptions, StateMachine};
use spikeforge_sim::chip::Chip;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::CoreShape;
use spikeforge_sim::wire::{decode_request, Command, BITS_PER_BYTE, DELIMITER};

use crate::model::{ChipKind, ChipModel, Pins};
use crate::uart::{LineDriver, LineError, LineReceiver, QUIET_BITS};

/// Cycles the frame engine may take per request after its delimiter, besides the core's
/// cycles and `width + 3` per value (docs/spec.md §7.9, `C_exec`).
const EXECUTOR_CYCLES: u64 = 32;
/// Bytes of a response shown in a failure message.
const SHOWN_BYTES: usize = 48;

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A response byte differs from the golden model's.
    Differs {
        /// Offset in the exchange's response bytes.
        offset: usize,
        /// The byte the RTL sent.
        rtl: u8,
        /// The golden model's byte.
        model: u8,
    },
    /// A byte arrived after the golden model's whole response, within the quiet period.
    Extra {
        /// Offset in the exchange's response bytes (the golden model's length or more).
        offset: usize,
        /// The byte the RTL sent.
        rtl: u8,
    },
    /// The golden model's response had not fully arrived after the cycle limit.
    Hang {
        /// Cycles clocked in the exchange.
        cycles: u64,
    },
    /// The chip's line broke the 8N1 format.
    Line(LineError),
}

/// A failed exchange: which one, what was sent, what the golden model answered, what the RTL
/// sent until the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeError {
    /// Exchanges before this one since the chip was created.
    pub exchange: u64,
    /// The bytes sent.
    pub sent: Vec<u8>,
    /// The golden model's (expected) response.
    pub expected: Vec<u8>,
    /// The bytes the RTL sent until the failure.
    pub received: Vec<u8>,
    /// What went wrong.
    pub failure: Failure,
}

/// `bytes` in hex, at most [`SHOWN_BYTES`] of them.
struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, b) in self.0.iter().take(SHOWN_BYTES).enumerate() {
            let gap = if i == 0 { "" } else { " " };
            write!(f, "{gap}{b:02x}")?;
        }
        if self.0.len() > SHOWN_BYTES {
            write!(f, " .. ({} bytes)", self.0.len())?;
        }
        write!(f, "]")
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exchange {}: ", self.exchange)?;
        match &self.failure {
            Failure::Differs { offset, rtl, model } => write!(
                f,
                "response byte {offset} is {rtl:#04x} from the RTL, {model:#04x} from the golden \
                 Chip"
            )?,
            Failure::Extra { offset, rtl } => write!(
                f,
                "the RTL sent byte {offset} ({rtl:#04x}) after the golden Chip's whole response"
            )?,
            Failure::Hang { cycles } => write!(
                f,
                "no complete response after {cycles} cycles (the limit): {} of {} bytes arrived",
                self.received.len(),
                self.expected.len()
            )?,
            Failure::Line(error) => write!(f, "{error}")?,
        }
        write!(
            f,
            "; sent {} bytes {}, golden Chip answers {}, RTL sent {}",
            self.sent.len(),
            Hex(&self.sent),
            Hex(&self.expected),
            Hex(&self.received)
        )
    }
}

impl std::error::Error for ExchangeError {}

/// Cycles and wall time spent by a [`PinChip`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PinStats {
    /// Clock cycles since power-up.
    pub cycles: u64,
    /// Of them, cycles from the first bit of each exchange's bytes to the middle of the stop
    /// bit of the last response byte (or the end of sending, when nothing is answered): the
    /// time the host waits, without the quiet periods.
    pub exchange_cycles: u64,
    /// Exchanges completed.
    pub exchanges: u64,
    /// Bytes sent to the chip and received from it in the exchanges completed.
    pub bytes: (u64, u64),
    /// Wall time spent clocking the model.
    pub wall: Duration,
}

/// A Verilated chip at its pins, with its golden model.
#[derive(Debug)]
pub struct PinChip {
    model: ChipModel,
    golden: Chip,
    cfg: NetworkConfig,
    options: CoreOptions,
    clocks_per_bit: u16,
    driver: LineDriver,
    receiver: LineReceiver,
    /// `uart_tx` in the current cycle.
    tx: bool,
    stats: PinStats,
    /// The most core cycles a `STEP` and a `PHASE_RESET` may take ([`PinChip::cycle_limit`]).
    step_budget: u64,
    reset_budget: u64,
}

/// The most core cycles a `STEP` and a `PHASE_RESET` of the chip of `cfg` built as `options`
/// say may take: the worst case (every input and hidden neuron spiking, learning on), or the
/// frame engine's bound on its wait for the core (`core_wait_cycles`), whichever is longer.
fn core_budgets(cfg: &NetworkConfig, options: CoreOptions) -> (u64, u64) {
    let wide = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
    let worst = StepCommand {
        csdp: Some(true),
        classifier_label: Some(0),
        label_input: Some(0),
    };
    let hidden: Vec<u64> = cfg.hidden.iter().map(|layer| wide(layer.size)).collect();
    let shape = CoreShape::new(cfg)
        .unwrap_or_else(|err| panic!("the chip's network does not fit a core: {err}"));
    let wait_bound = core_wait_cycles(&shape);
    let step = cycles_per_step(cfg, options, wide(cfg.inputs), &hidden, &worst);
    let reset = phase_reset_cycles(cfg, options.lanes);
    (step.max(wait_bound), reset.max(wait_bound))
}

impl PinChip {
    /// A chip of `kind` at power-up, and its golden model.
    pub fn new(kind: &'static ChipKind) -> Self {
        let cfg = kind
            .config()
            .unwrap_or_else(|err| panic!("network of chip {}: {err}", kind.name()));
        let golden = Chip::build(&cfg, kind.options().fixed_parameters)
            .unwrap_or_else(|err| panic!("golden model of {}: {err}", kind.name()));
        let clocks_per_bit = kind.clocks_per_bit();
        let (step_budget, reset_budget) = core_budgets(&cfg, kind.options());
        Self {
            model: ChipModel::new(kind),
            golden,
            cfg,
            options: kind.options(),
            clocks_per_bit,
            driver: LineDriver::new(clocks_per_bit),
            receiver: LineReceiver::new(clocks_per_bit),
            tx: true,
            stats: PinStats::default(),
            step_budget,
            reset_budget,
        }
    }

    /// The chip's network.
    pub fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    /// The golden model (fed every byte [`PinChip::exchange`] sent).
    pub fn golden(&self) -> &Chip {
        &self.golden
    }

    /// The golden model, to feed it without the RTL (for [`PinChip::expect`]).
    pub fn golden_mut(&mut self) -> &mut Chip {
        &mut self.golden
    }

    /// How the chip's core is built (its cycle counts depend on it).
    pub fn options(&self) -> CoreOptions {
        self.options
    }

    /// Clock cycles per bit of the chip's UART.
    pub fn clocks_per_bit(&self) -> u16 {
        self.clocks_per_bit
    }

    /// Cycles, exchanges and wall time so far.
    pub fn stats(&self) -> PinStats {
        self.stats
    }

    /// Send `bytes` and return the chip's response, which must equal the golden model's; a
    /// difference, a hang or a broken character panics with the [`ExchangeError`].
    pub fn exchange(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.try_exchange(bytes)
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// [`PinChip::exchange`], returning the failure.
    pub fn try_exchange(&mut self, bytes: &[u8]) -> Result<Vec<u8>, ExchangeError> {
        let expected = self.golden.feed(bytes);
        self.expect(bytes, &expected)
    }

    /// Send `bytes` to the RTL alone and require `expected` back, then [`QUIET_BITS`] bit
    /// times of idle line. The golden model is not fed.
    pub fn expect(&mut self, bytes: &[u8], expected: &[u8]) -> Result<Vec<u8>, ExchangeError> {
        self.expect_upset(bytes, expected, None)
    }

    /// [`PinChip::expect`] with the state register of a state machine held at an encoding
    /// in every cycle of the exchange (`upset`, see [`ChipModel::force_state`]): a stuck
    /// machine, for the tests of the chip's timeouts and of this bench's hang detection.
    pub fn expect_upset(
        &mut self,
        bytes: &[u8],
        expected: &[u8],
        upset: Option<(StateMachine, u8)>,
    ) -> Result<Vec<u8>, ExchangeError> {
        let started = Instant::now();
        let limit = self.cycle_limit(bytes, expected.len());
        let bit = u64::from(self.clocks_per_bit);
        let quiet = QUIET_BITS * bit;
        let first = self.stats.cycles;
        let exchange = self.stats.exchanges;
        let fail = |received: Vec<u8>, failure| ExchangeError {
            exchange,
            sent: bytes.to_vec(),
            expected: expected.to_vec(),
            received,
            failure,
        };
        self.driver.send(bytes);
        let mut received = Vec::with_capacity(expected.len());
        // The cycle the host stopped waiting for the response: then the quiet period runs.
        let mut answered = None;
        loop {
            let cycle = self.stats.cycles;
            let done = self.driver.is_idle() && received.len() == expected.len();
            if done && answered.is_none() {
                answered = Some(cycle);
            }
            if let Some(at) = answered {
                // A character begun in the quiet period is received to its end.
                if cycle - at >= quiet && self.receiver.is_idle() {
                    self.stats.exchange_cycles += at - first;
                    break;
                }
            } else if cycle - first >= limit {
                let cycles = cycle - first;
                return Err(fail(received, Failure::Hang { cycles }));
            }
            let level = self.driver.next_level();
            let byte = self
                .receiver
                .sample(self.tx, cycle)
                .map_err(|e| fail(received.clone(), Failure::Line(e)))?;
            if let Some((machine, encoding)) = upset {
                self.model.force_state(machine, encoding);
            }
            self.tx = self.model.cycle(level).uart_tx;
            self.stats.cycles += 1;
            let Some(rtl) = byte else { continue };
            let offset = received.len();
            received.push(rtl);
            match expected.get(offset) {
                None => return Err(fail(received, Failure::Extra { offset, rtl })),
                Some(&model) if model != rtl => {
                    return Err(fail(received, Failure::Differs { offset, rtl, model }));
                }
                Some(_) => {}
            }
        }
        self.stats.exchanges += 1;
        self.stats.bytes.0 += u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.stats.bytes.1 += u64::try_from(received.len()).unwrap_or(u64::MAX);
        self.stats.wall += started.elapsed();
        Ok(received)
    }

    /// Clock `cycles` cycles, sending what [`PinChip::send`] queued; the bytes the chip sent
    /// meanwhile.
    pub fn idle(&mut self, cycles: u64) -> Result<Vec<u8>, LineError> {
        self.idle_until(cycles, |_| false).map(|(sent, _)| sent)
    }

    /// [`PinChip::idle`] for at most `cycles` cycles, until `stop` holds for the chip's pins;
    /// the bytes the chip sent and whether `stop` held.
    pub fn idle_until(
        &mut self,
        cycles: u64,
        mut stop: impl FnMut(Pins) -> bool,
    ) -> Result<(Vec<u8>, bool), LineError> {
        let mut sent = Vec::new();
        for _ in 0..cycles {
            let level = self.driver.next_level();
            if let Some(byte) = self.receiver.sample(self.tx, self.stats.cycles)? {
                sent.push(byte);
            }
            let pins = self.model.cycle(level);
            self.tx = pins.uart_tx;
            self.stats.cycles += 1;
            if stop(pins) {
                return Ok((sent, true));
            }
        }
        Ok((sent, false))
    }

    /// Queue `bytes` on the line to the chip, without waiting for an answer or feeding the
    /// golden model; [`PinChip::idle`] sends them.
    pub fn send(&mut self, bytes: &[u8]) {
        self.driver.send(bytes);
    }

    /// Hold the chip's reset for `cycles` cycles (the line idle: nothing may be on its way in
    /// either direction), then take a golden `Chip` fresh from power-up: every register is
    /// back at its power-up value, the memories hold what they held (`docs/spec.md` §7.10).
    pub fn reset(&mut self, cycles: u64) {
        assert!(
            self.driver.is_idle() && self.receiver.is_idle() && self.tx,
            "reset with a character on the line"
        );
        for _ in 0..cycles {
            self.tx = self.model.cycle_reset(true, true).uart_tx;
            self.stats.cycles += 1;
        }
        self.golden = Chip::build(&self.cfg, self.options.fixed_parameters)
            .unwrap_or_else(|err| panic!("golden model of {}: {err}", self.cfg.name));
    }

    /// The Verilated chip, to reach its state registers ([`ChipModel::force_state`]).
    pub fn model_mut(&mut self) -> &mut ChipModel {
        &mut self.model
    }

    /// The most cycles an exchange of `bytes` answered by `answer` bytes may take: both ways
    /// on the wire, the executor's budget per frame and value, the core's cycles of every
    /// request at its worst case (every input and hidden neuron spiking, learning on; a
    /// `STEP` or `PHASE_RESET` up to the frame engine's bound on its wait for the core,
    /// `core_wait_cycles`), then doubled, plus the quiet period.
    fn cycle_limit(&self, bytes: &[u8], answer: usize) -> u64 {
        let wide = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        let bit = u64::from(self.clocks_per_bit);
        let wire = wide(bytes.len() + answer) * u64::from(BITS_PER_BYTE) * bit;
        let cfg = &self.cfg;
        let (step, reset) = (self.step_budget, self.reset_budget);
        let work: u64 = bytes
            .split(|&b| b == DELIMITER)
            .filter_map(|frame| decode_request(frame).ok())
            .map(|request| {
                let command = Command::parse(request.opcode, &request.payload, cfg.hidden.len());
                EXECUTOR_CYCLES
                    + match command {
                        Ok(Command::Step { .. }) => step,
                        Ok(Command::PhaseReset) => reset,
                        Ok(Command::RunPhase { steps, .. }) => reset + u64::from(steps) * step,
                        Ok(Command::Read { space, count, .. }) => {
                            u64::from(count) * (wide(space.width()) + 3)
                        }
                        Ok(Command::Write { space, values, .. }) => {
                            wide(values.len()) * (wide(space.width()) + 3)
                        }
                        _ => 0,
                    }
            })
            .sum();
        2 * (wire + work) + 1000 + QUIET_BITS * bit
    }
}
