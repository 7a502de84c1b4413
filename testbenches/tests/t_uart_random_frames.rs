//! Random and damaged frames at the chip's UART pins, byte for byte like the golden `Chip`.
//!
//! [`EXCHANGES`] seeded exchanges ([`SEED`]) on each of `chip_small` (one hidden layer) and
//! `chip_deep` (two), at least [`REFUSED`] of whose frames are answered by an error status,
//! each sent bit by bit at `uart_rx`, answered at `uart_tx` and compared with `Chip::feed` of
//! the same bytes, then a quiet line (stop-and-wait, `PinChip::exchange`). The mix: intact
//! requests of every opcode with addresses, counts and values in range, in every space of the
//! chip (the weights of every layer, the state of every layer, every layer's status
//! registers); intact frames with each command error
//! (BAD_LENGTH, UNKNOWN_OPCODE, BAD_PAYLOAD, UNKNOWN_SPACE, OUT_OF_RANGE); requests with a
//! flipped bit, a dropped or inserted byte, cut short with or without their delimiter, or a
//! wrong CRC; frames over 264 encoded bytes; line noise with and without 0x00, short and
//! non-COBS frames, empty frames; retransmissions; and back-to-back frames within the receive
//! FIFO (at most [`RX_FIFO_BYTES`] bytes per exchange, so no byte can be dropped and the
//! golden model's timing-free answer holds, §7.7). The statuses of the golden model's
//! responses are counted: every link-error and every command status, an OK answer to every
//! opcode and a replay must be among them; and, matched to the intact requests they answer,
//! an OK and an OUT_OF_RANGE answer to a READ and a WRITE of every space of the chip, an OK
//! access to the state and the status registers of every layer, and (with more than one
//! hidden layer) an OUT_OF_RANGE access to the state of a hidden layer the core lacks.
//!
//! Values written stay within the ranges `STEP` is specified for (§7.4): weights within
//! `w_max`, neuron state and offsets as `t_random_networks` draws them, parameters only as
//! `parameter_writes` gives them.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::time::Instant;

use spikeforge_sim::config::{LayerConfig, NetworkConfig};
use spikeforge_sim::core_interface::{
    parameter_writes, CoreShape, LayerId, Register, StateField, StepCommand, MAX_HIDDEN_LAYERS,
};
use spikeforge_sim::rng::Xorshift32;
use spikeforge_sim::rules::weight_max;
use spikeforge_sim::wire::{
    cobs, crc16, decode_request, decode_response, max_read_count, max_write_count, Command,
    CommandError, LinkStatus, Opcode, Request, Response, Space, Status, DELIMITER, MAX_RUN_STEPS,
    RX_FIFO_BYTES,
};
use spikeforge_testbenches::model::{ChipKind, CHIP_DEEP, CHIP_SMALL};
use spikeforge_testbenches::PinChip;

/// Exchanges sent to each chip (each one or more frames, or a piece of one).
const EXCHANGES: usize = 16_000;
/// Responses with a status other than OK the golden model must give at least: frames damaged
/// on the way or refused.
const REFUSED: usize = 10_000;
/// Seed of every random choice.
const SEED: u32 = 0x5EED_F2A3;
/// Longest encoded request: a frame with more bytes is too long (§7.2).
const LONGEST_REQUEST: usize = 264;

/// What the generator needs of the network.
struct Shape {
    classes: usize,
    supervised: bool,
    w_max: i64,
    /// The spaces of the chip, in code order.
    spaces: Vec<Space>,
    /// The runs of consecutive ids of the registers that read and write (the status
    /// registers of every layer and the encoder's).
    registers: Vec<RangeInclusive<u16>>,
    /// The core's addressing.
    core: CoreShape,
}

impl Shape {
    fn of(cfg: &NetworkConfig) -> Self {
        let core = CoreShape::of(cfg);
        let mut registers: Vec<RangeInclusive<u16>> = Vec::new();
        for id in core
            .registers()
            .into_iter()
            .filter(|r| r.readable())
            .map(Register::id)
        {
            match registers.last_mut() {
                Some(run) if *run.end() + 1 == id => *run = *run.start()..=id,
                _ => registers.push(id..=id),
            }
        }
        Self {
            classes: cfg.classes,
            supervised: cfg.label_inputs() > 0,
            w_max: weight_max(cfg.weight_bits).into(),
            spaces: Space::all(core.hidden_layers()),
            registers,
            core,
        }
    }

    /// Values of `space` (of STATE: the neurons of the largest layer).
    fn size(&self, space: Space) -> usize {
        match space {
            Space::Pixel => self.core.inputs,
            Space::Weight(layer) => self.core.weight_words(layer),
            Space::State => self.layers().map(|l| self.core.size(l)).max().unwrap_or(0),
            Space::Register => self.registers.iter().map(|run| run.clone().count()).sum(),
        }
    }

    fn layers(&self) -> impl Iterator<Item = LayerId> + Clone {
        self.core.layers()
    }
}

/// The random source and what the generator knows of the chip.
struct Mix {
    rng: Xorshift32,
    cfg: NetworkConfig,
    shape: Shape,
    seq: u8,
    /// The last exchange's bytes (a retransmission sends them again).
    previous: Vec<u8>,
    /// How many exchanges of each kind were generated.
    kinds: BTreeMap<&'static str, usize>,
}

impl Mix {
    fn new(cfg: NetworkConfig) -> Self {
        Self {
            rng: Xorshift32::new(SEED),
            shape: Shape::of(&cfg),
            cfg,
            seq: 0,
            previous: Vec::new(),
            kinds: BTreeMap::new(),
        }
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u32::try_from(hi - lo + 1).unwrap_or(u32::MAX);
        lo + i64::from(self.rng.below(span))
    }

    fn usize(&mut self, lo: usize, hi: usize) -> usize {
        let wide = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        usize::try_from(self.range(wide(lo), wide(hi))).unwrap_or(lo)
    }

    fn u16(&mut self, lo: u16, hi: u16) -> u16 {
        u16::try_from(self.range(lo.into(), hi.into())).unwrap_or(lo)
    }

    fn byte(&mut self) -> u8 {
        self.rng.next().to_le_bytes()[0]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.below(100) < percent
    }

    fn next_seq(&mut self) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn count(&mut self, kind: &'static str) {
        *self.kinds.entry(kind).or_default() += 1;
    }

    /// One of `items`.
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.usize(0, items.len() - 1)].clone()
    }

    /// A space of the chip.
    fn space(&mut self) -> Space {
        let spaces = self.shape.spaces.clone();
        self.pick(&spaces)
    }

    /// A layer of the core.
    fn layer(&mut self) -> LayerId {
        let layers: Vec<LayerId> = self.shape.layers().collect();
        self.pick(&layers)
    }

    /// The configuration of `layer`.
    fn layer_config(&self, layer: LayerId) -> &LayerConfig {
        layer
            .config(&self.cfg)
            .unwrap_or_else(|| panic!("the network has no layer {layer}"))
    }

    /// Addresses of `space` valid for one access of up to `most` values (STATE: one field of
    /// one layer; REG: one run of status registers); the start and count of a random access
    /// within them.
    fn access(&mut self, space: Space, most: usize) -> (u32, usize) {
        let (first, size) = match space {
            Space::Pixel | Space::Weight(_) => (0, self.shape.size(space)),
            Space::State => {
                let layer = self.layer();
                let field = STATE_FIELDS[self.usize(0, 4)];
                let neurons = self.shape.core.size(layer);
                let count = self.usize(1, neurons.min(most));
                let first = self.usize(0, neurons - count);
                let start = self.shape.core.state_address(layer, field, first);
                return (start.into(), count);
            }
            Space::Register => {
                let runs = self.shape.registers.clone();
                let run = self.pick(&runs);
                (usize::from(*run.start()), run.count())
            }
        };
        let count = self.usize(1, size.min(most));
        let start = first + self.usize(0, size - count);
        (self::start(start), count)
    }

    /// A value of `space` at `addr` within the ranges `STEP` is specified for.
    fn value(&mut self, space: Space, addr: u32) -> u32 {
        // A state address or register id is 16 bits (`access` gives no other).
        let id = u16::try_from(addr).unwrap_or(u16::MAX);
        let w_max = self.shape.w_max;
        let bits16 = |x: i64| u32::from(i16::try_from(x).unwrap_or(0) as u16);
        match space {
            Space::Pixel => self.byte().into(),
            Space::Weight(_) => bits16(self.range(-w_max, w_max)),
            Space::State => {
                let layer = self.shape.core.split_state_address(id).layer;
                match (addr >> 12) & 7 {
                    0 if self.chance(25) => bits16(self.range(-32_768, 32_767)),
                    0 => bits16(self.range(-2 * w_max, 2 * w_max)),
                    1 if self.chance(12) => self.byte().into(),
                    1 => self.rng.below(3),
                    2 => self.byte().into(),
                    3 => {
                        let h_max = self.layer_config(layer).homeostasis_max.into();
                        u32::try_from(self.range(0, h_max)).unwrap_or(0)
                    }
                    _ if self.chance(25) => self.u16(65_500, 65_535).into(),
                    _ => self.rng.below(101),
                }
            }
            Space::Register => match Register::from_id(id) {
                Some(Register::ThetaOffset(layer)) => {
                    let params = self.layer_config(layer);
                    let (lo, hi) = (params.adapt_min.max(-300), params.adapt_max.min(300));
                    bits16(self.range(lo.into(), hi.into()))
                }
                Some(Register::EncoderState | Register::LearnState(_)) => {
                    // Any non-zero state, as the host must write.
                    self.rng.next().max(1)
                }
                // Goodness: any value.
                _ => self.rng.next(),
            },
        }
    }

    /// A `STEP` word the core is specified for: labels within the network's classes.
    fn step_word(&mut self) -> u32 {
        let classes = u8::try_from(self.shape.classes).unwrap_or(u8::MAX);
        let supervised = self.shape.supervised;
        let csdp = match self.rng.below(3) {
            0 => None,
            n => Some(n == 1),
        };
        let classifier_label = self
            .chance(50)
            .then(|| self.rng.below(classes.into()) as u8);
        let label_input =
            (supervised && self.chance(50)).then(|| self.rng.below(classes.into()) as u8);
        StepCommand {
            csdp,
            classifier_label,
            label_input,
        }
        .word()
    }

    /// An intact request of `opcode` that executes (in range, values in range).
    fn valid_command(&mut self, opcode: Opcode) -> Command {
        match opcode {
            Opcode::Identify => Command::Identify,
            Opcode::LinkStatus => Command::LinkStatus,
            Opcode::Reset => Command::Reset,
            Opcode::PhaseReset => Command::PhaseReset,
            Opcode::ReadPrediction => Command::ReadPrediction,
            Opcode::Step => Command::Step {
                word: self.step_word(),
            },
            Opcode::RunPhase => {
                let steps = match self.rng.below(100) {
                    0..=79 => self.u16(0, 3),
                    80..=96 => self.u16(4, 40),
                    _ => self.u16(MAX_RUN_STEPS - 24, MAX_RUN_STEPS),
                };
                let word = self.step_word();
                Command::RunPhase { word, steps }
            }
            Opcode::Read => {
                let space = self.space();
                let (start, count) = self.access(space, max_read_count(space));
                Command::Read {
                    space,
                    start,
                    count: address(count),
                }
            }
            Opcode::Write => {
                let space = self.space();
                if space == Space::Register && self.chance(50) {
                    return self.parameter_write();
                }
                let (start, count) = self.access(space, max_write_count(space));
                let values = (start..)
                    .take(count)
                    .map(|addr| self.value(space, addr))
                    .collect();
                Command::Write {
                    space,
                    start,
                    values,
                }
            }
        }
    }

    /// A WRITE of a run of consecutive parameter ids with the values `parameter_writes` gives
    /// them (with a random anneal).
    fn parameter_write(&mut self) -> Command {
        let anneal = if self.chance(75) {
            self.rng.below(4) as u8
        } else {
            self.byte()
        };
        let writes = parameter_writes(&self.cfg, anneal);
        let first = self.usize(0, writes.len() - 1);
        let run = writes[first..]
            .iter()
            .zip(writes[first].0..)
            .take_while(|((id, _), want)| id == want)
            .count();
        let n = self.usize(1, run);
        Command::Write {
            space: Space::Register,
            start: writes[first].0.into(),
            values: writes[first..first + n].iter().map(|&(_, v)| v).collect(),
        }
    }

    /// The wire bytes of `command` with a new `seq`.
    fn request(&mut self, command: &Command) -> Vec<u8> {
        let seq = self.next_seq();
        command
            .request(seq)
            .encode()
            .unwrap_or_else(|e| panic!("{command:?}: {e}"))
    }

    /// An intact request of a random opcode, executed (status OK).
    fn valid(&mut self) -> Vec<u8> {
        self.count("valid request");
        self.valid_uncounted()
    }

    fn valid_uncounted(&mut self) -> Vec<u8> {
        let opcode = self.opcode(true);
        let command = self.valid_command(opcode);
        self.request(&command)
    }

    /// [`Mix::valid`] of any opcode but RESET: a request that other frames may follow within
    /// the receive FIFO (after a RESET, a host sends nothing until its answer has arrived,
    /// `docs/spec.md` §7.10: the bytes that arrive before the reset ends are lost).
    fn valid_not_reset(&mut self) -> Vec<u8> {
        self.count("valid request");
        let opcode = self.opcode(false);
        let command = self.valid_command(opcode);
        self.request(&command)
    }

    /// A random opcode; a RESET only if `reset`.
    fn opcode(&mut self, reset: bool) -> Opcode {
        loop {
            let opcode = Opcode::ALL[self.usize(0, Opcode::ALL.len() - 1)];
            if reset || opcode != Opcode::Reset {
                return opcode;
            }
        }
    }

    /// An intact frame (COBS-valid, CRC right) whose command is refused.
    fn command_error(&mut self) -> Vec<u8> {
        let seq = self.next_seq();
        let (opcode, payload, length) = match self.rng.below(5) {
            0 => {
                // BAD_LENGTH: the length field disagrees with the payload, or exceeds 256.
                self.count("bad length");
                let opcode = Opcode::ALL[self.usize(0, Opcode::ALL.len() - 1)];
                let payload = self.valid_command(opcode).payload();
                let actual = payload.len();
                let length = match self.rng.below(3) {
                    0 => self.u16(257, u16::MAX),
                    _ => loop {
                        let l = self.u16(0, 20);
                        if usize::from(l) != actual {
                            break l;
                        }
                    },
                };
                (opcode.code(), payload, Some(length))
            }
            1 => {
                self.count("unknown opcode");
                let opcode = loop {
                    let code = self.byte();
                    if Opcode::from_code(code).is_none() {
                        break code;
                    }
                };
                let payload = (0..self.usize(0, 8)).map(|_| self.byte()).collect();
                (opcode, payload, None)
            }
            2 => {
                self.count("bad payload");
                let (opcode, payload) = self.bad_payload();
                (opcode.code(), payload, None)
            }
            3 => {
                self.count("unknown space");
                // Now and then next to the codes of the spaces (8..=10: the weights of the
                // hidden layers past the first that the core may lack).
                let layers = self.shape.core.hidden_layers();
                let space = loop {
                    let most = if self.chance(30) { 12 } else { 255 };
                    let code = u8::try_from(self.range(5, most)).unwrap_or(5);
                    if Space::from_code_in(code, layers).is_none() {
                        break code;
                    }
                };
                let mut payload = vec![space];
                if self.chance(50) {
                    payload.extend((0..4).map(|_| self.byte()));
                    (Opcode::Read.code(), payload, None)
                } else {
                    payload.extend((0..self.usize(2, 40)).map(|_| self.byte()));
                    (Opcode::Write.code(), payload, None)
                }
            }
            _ => {
                self.count("out of range");
                let command = self.out_of_range();
                (command.opcode().code(), command.payload(), None)
            }
        };
        let length = length.unwrap_or_else(|| address(payload.len()));
        let mut body = vec![seq, opcode];
        body.extend_from_slice(&length.to_le_bytes());
        body.extend_from_slice(&payload);
        framed(&body)
    }

    /// A known opcode with a payload of the wrong size or an invalid count.
    fn bad_payload(&mut self) -> (Opcode, Vec<u8>) {
        let random = |mix: &mut Mix, n: usize| -> Vec<u8> { (0..n).map(|_| mix.byte()).collect() };
        match self.rng.below(7) {
            0 => {
                let opcode = [
                    Opcode::Identify,
                    Opcode::LinkStatus,
                    Opcode::Reset,
                    Opcode::PhaseReset,
                    Opcode::ReadPrediction,
                ][self.usize(0, 4)];
                let n = self.usize(1, 6);
                (opcode, random(self, n))
            }
            1 => {
                let n = [0, 1, 2, 3, 5, 6, 8][self.usize(0, 6)];
                (Opcode::Step, random(self, n))
            }
            2 => {
                // RUN_PHASE of the wrong size, or of more than 1,024 steps.
                if self.chance(50) {
                    let n = [0, 2, 4, 5, 7, 10][self.usize(0, 5)];
                    (Opcode::RunPhase, random(self, n))
                } else {
                    let mut payload = self.step_word().to_le_bytes().to_vec();
                    let steps = self.u16(MAX_RUN_STEPS + 1, u16::MAX);
                    payload.extend_from_slice(&steps.to_le_bytes());
                    (Opcode::RunPhase, payload)
                }
            }
            3 => {
                let n = [0, 1, 2, 3, 4, 6, 9][self.usize(0, 6)];
                (Opcode::Read, random(self, n))
            }
            4 => {
                // READ count 0 or above 256 / width.
                let space = self.space();
                let count = if self.chance(40) {
                    0
                } else {
                    let most = address(max_read_count(space));
                    self.u16(most + 1, most + 300)
                };
                let mut payload = vec![space.code(), 0, 0];
                payload.extend_from_slice(&count.to_le_bytes());
                (Opcode::Read, payload)
            }
            5 => {
                // WRITE shorter than its header.
                let n = self.usize(0, 2);
                (Opcode::Write, random(self, n))
            }
            _ => {
                // WRITE with no values, or values not a whole number of the width.
                let wide: Vec<Space> = self
                    .shape
                    .spaces
                    .iter()
                    .copied()
                    .filter(|&space| space.width() > 1)
                    .collect();
                let space = self.pick(&wide);
                let width = space.width();
                let n = if self.chance(30) {
                    0
                } else {
                    loop {
                        let n = self.usize(1, 30);
                        if n % width != 0 {
                            break n;
                        }
                    }
                };
                let mut payload = vec![space.code(), 0, 0];
                payload.extend(random(self, n));
                (Opcode::Write, payload)
            }
        }
    }

    /// A READ or WRITE of well-formed size with an address outside the space.
    fn out_of_range(&mut self) -> Command {
        let memories: Vec<Space> = self
            .shape
            .spaces
            .iter()
            .copied()
            .filter(|space| matches!(space, Space::Pixel | Space::Weight(_)))
            .collect();
        let write = self.chance(50);
        let most = |space: Space| {
            if write {
                max_write_count(space)
            } else {
                max_read_count(space)
            }
        };
        let (space, start, count) = match self.rng.below(6) {
            0..=2 => {
                let space = self.pick(&memories);
                let size = self.shape.size(space);
                let count = self.usize(1, most(space).min(8));
                // Starts past every space: near 2^32, just past 16 bits, past 20 bits.
                let start = if self.chance(20) {
                    let wide = [u32::MAX - 4, 1 << 16, 1 << 20];
                    wide[self.usize(0, wide.len() - 1)] + self.rng.below(4)
                } else {
                    start(self.usize(size.saturating_sub(count) + 1, size + 20))
                };
                (space, start, count)
            }
            3 => {
                // STATE: a field above 4, past the layer's neurons, or (with more than one
                // hidden layer) a hidden layer the core lacks.
                let layers = self.shape.core.hidden_layers();
                let layer = self.layer();
                let neurons = self.shape.core.size(layer);
                let count = self.usize(1, 8);
                let (layer, field, neuron) = if self.chance(40) {
                    let field = self.u16(5, 7);
                    (layer, field, self.usize(0, 3))
                } else if layers > 1 && layers < MAX_HIDDEN_LAYERS && self.chance(30) {
                    let missing = LayerId::hidden(self.usize(layers, MAX_HIDDEN_LAYERS - 1));
                    let field = STATE_FIELDS[self.usize(0, 4)] as u16;
                    (missing, field, self.usize(0, 3))
                } else {
                    let field = STATE_FIELDS[self.usize(0, 4)] as u16;
                    let first = self.usize(neurons.saturating_sub(count) + 1, neurons + 4);
                    (layer, field, first)
                };
                // Field 0 of the address, then the field's bits (5..=7 are no field).
                let mut start = u32::from(
                    self.shape
                        .core
                        .state_address(layer, StateField::Membrane, neuron)
                        | (field << 12),
                );
                // A state address is 16 bits: bit 16 set makes none.
                if self.chance(15) {
                    start |= 1 << 16;
                }
                (Space::State, start, count)
            }
            _ => {
                // REG: a READ reaching a parameter or a missing id, a WRITE of a missing id
                // (of this core: the ids of a layer it lacks among them).
                let core = &self.shape.core;
                let bad: Vec<u16> = if write {
                    [
                        7, 10, 12, 15, 30, 31, 43, 46, 63, 64, 67, 79, 94, 96, 112, 200,
                    ]
                    .into_iter()
                    .filter(|&id| !core.register_writable(id))
                    .collect()
                } else {
                    [7, 8, 9, 16, 29, 32, 45, 63, 64, 67, 80, 93, 96, 128, 1000]
                        .into_iter()
                        .filter(|&id| !core.register_readable(id))
                        .collect()
                };
                let id = self.pick(&bad);
                let before = self.u16(0, id.min(3));
                let count = usize::from(before) + self.usize(1, 3);
                (Space::Register, u32::from(id - before), count)
            }
        };
        if write {
            Command::Write {
                space,
                start,
                values: (0..count).map(|_| self.rng.next() & 0xFF).collect(),
            }
        } else {
            Command::Read {
                space,
                start,
                count: address(count),
            }
        }
    }

    /// An intact request, damaged on the way.
    fn damaged(&mut self) -> Vec<u8> {
        self.damaged_pair(true).1
    }

    /// An intact request and the same request damaged on the way; a RESET only if `reset`
    /// (a damage may leave a request intact, a 0x00 inserted before it, so a damaged frame that
    /// other frames follow within the receive FIFO is no RESET, `docs/spec.md` §7.10).
    fn damaged_pair(&mut self, reset: bool) -> (Vec<u8>, Vec<u8>) {
        let opcode = self.opcode(reset);
        let command = self.valid_command(opcode);
        let intact = self.request(&command);
        let mut bytes = intact.clone();
        let len = bytes.len();
        match self.rng.below(6) {
            0 => {
                self.count("flipped bit");
                // The delimiter too, now and then: the frame then runs into the next one.
                let at = if self.chance(5) {
                    len - 1
                } else {
                    self.usize(0, len - 2)
                };
                bytes[at] ^= 1 << self.rng.below(8);
            }
            1 => {
                self.count("dropped byte");
                let at = if self.chance(5) {
                    len - 1
                } else {
                    self.usize(0, len - 2)
                };
                bytes.remove(at);
            }
            2 => {
                self.count("inserted byte");
                let at = self.usize(0, len - 1);
                let byte = if self.chance(10) { 0 } else { self.byte() };
                bytes.insert(at, byte);
            }
            3 => {
                self.count("cut short");
                bytes.truncate(self.usize(0, len - 2));
                bytes.push(DELIMITER);
            }
            4 => {
                // The tail and the delimiter lost: the next exchange's bytes join the frame.
                self.count("cut short, no delimiter");
                bytes.truncate(self.usize(1, len - 2));
            }
            _ => {
                self.count("bad CRC");
                let request = command.request(self.seq);
                let mut body = vec![request.seq, request.opcode];
                body.extend_from_slice(&address(request.payload.len()).to_le_bytes());
                body.extend_from_slice(&request.payload);
                let crc = crc16(&body) ^ self.u16(1, u16::MAX);
                body.extend_from_slice(&crc.to_le_bytes());
                bytes = cobs::encode(&body);
                bytes.push(DELIMITER);
            }
        }
        (intact, bytes)
    }

    /// Bytes that are no request.
    fn noise(&mut self) -> Vec<u8> {
        match self.rng.below(6) {
            0 => {
                self.count("noise with 0x00");
                (0..self.usize(1, 40))
                    .map(|_| if self.chance(12) { 0 } else { self.byte() })
                    .collect()
            }
            1 => {
                self.count("noise without 0x00");
                (0..self.usize(1, 40)).map(|_| self.byte().max(1)).collect()
            }
            2 => {
                // Fewer than 6 decoded bytes, COBS-valid.
                self.count("short frame");
                let n = self.usize(0, 5);
                let body: Vec<u8> = (0..n).map(|_| self.byte()).collect();
                let mut bytes = cobs::encode(&body);
                bytes.push(DELIMITER);
                bytes
            }
            3 => {
                // A block code pointing past the end of the frame.
                self.count("COBS error");
                let code = u8::try_from(self.range(3, 255)).unwrap_or(3);
                let n = self.usize(0, usize::from(code) - 2);
                let mut bytes = vec![code];
                bytes.extend((0..n).map(|_| self.byte().max(1)));
                bytes.push(DELIMITER);
                bytes
            }
            4 => {
                self.count("empty frames");
                vec![DELIMITER; self.usize(1, 3)]
            }
            _ => {
                // More than 264 encoded bytes (now and then exactly 264, still a frame),
                // sometimes ending in a whole request.
                self.count("long frame");
                let n = if self.chance(15) {
                    LONGEST_REQUEST
                } else {
                    self.usize(LONGEST_REQUEST + 1, 600)
                };
                let mut bytes: Vec<u8> = (0..n).map(|_| self.byte().max(1)).collect();
                if self.chance(30) {
                    let tail = self.valid_uncounted();
                    bytes.truncate(n - (tail.len() - 1));
                    bytes.extend(tail);
                } else {
                    bytes.push(DELIMITER);
                }
                bytes
            }
        }
    }

    /// Several frames one after the other, within the receive FIFO.
    fn back_to_back(&mut self) -> Vec<u8> {
        self.count("back to back");
        let mut bytes = match self.rng.below(4) {
            // A request and its retransmission.
            0 => {
                let request = self.valid_not_reset();
                [request.clone(), request].concat()
            }
            // A damaged request, the host's 0x00 and the request again (§7.7, rule 2).
            1 => {
                let (request, damaged) = self.damaged_pair(false);
                [damaged, vec![DELIMITER], request].concat()
            }
            _ => {
                let mut bytes = Vec::new();
                for _ in 0..self.usize(2, 4) {
                    let part = match self.rng.below(4) {
                        0 => self.valid_not_reset(),
                        1 => self.command_error(),
                        2 => self.damaged_pair(false).1,
                        _ => self.noise_short(),
                    };
                    bytes.extend(part);
                }
                bytes
            }
        };
        bytes.truncate(RX_FIFO_BYTES);
        bytes
    }

    /// Noise short enough to share an exchange.
    fn noise_short(&mut self) -> Vec<u8> {
        loop {
            let bytes = self.noise();
            if bytes.len() <= 64 {
                return bytes;
            }
        }
    }

    /// The next exchange's bytes.
    fn exchange(&mut self) -> Vec<u8> {
        let bytes = match self.rng.below(100) {
            0..=29 => self.valid(),
            30..=44 => self.command_error(),
            45..=74 => self.damaged(),
            75..=86 => self.noise(),
            87..=91 => {
                self.count("retransmission");
                self.previous.clone()
            }
            _ => self.back_to_back(),
        };
        self.previous = bytes.clone();
        bytes
    }
}

const STATE_FIELDS: [StateField; 5] = [
    StateField::Membrane,
    StateField::Refractory,
    StateField::Trace,
    StateField::Homeostasis,
    StateField::Count,
];

fn address(x: usize) -> u16 {
    u16::try_from(x).unwrap_or_else(|_| panic!("{x} exceeds 16 bits"))
}

/// A READ or WRITE's start (32 bits on the wire).
fn start(x: usize) -> u32 {
    u32::try_from(x).unwrap_or_else(|_| panic!("{x} exceeds 32 bits"))
}

/// `body`, its CRC, COBS-encoded, and the delimiter.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&crc16(body).to_le_bytes());
    let mut wire = cobs::encode(&bytes);
    wire.push(DELIMITER);
    wire
}

/// What the answers to intact READs and WRITEs reached: the status, the access and the space
/// (`OK READ W1`), for STATE and REG the layer of the first address (`OK STATE hidden[1]`,
/// `OUT_OF_RANGE STATE hidden[2]`); the weight spaces of layers the core lacks refused
/// (`UNKNOWN_SPACE W2`).
fn coverage(
    shape: &CoreShape,
    command: &Result<Command, CommandError>,
    status: Status,
) -> Vec<String> {
    let (access, space, start) = match *command {
        Ok(Command::Read { space, start, .. }) => ("READ", space, start),
        Ok(Command::Write { space, start, .. }) => ("WRITE", space, start),
        Err(CommandError::UnknownSpace { code }) => {
            return Space::from_code(code)
                .map(|space| format!("{} {}", status.name(), space.name()))
                .into_iter()
                .collect();
        }
        _ => return Vec::new(),
    };
    let status = status.name();
    let mut keys = vec![format!("{status} {access} {}", space.name())];
    let layer = match space {
        Space::State => u16::try_from(start)
            .ok()
            .map(|start| shape.split_state_address(start).layer),
        Space::Register => u16::try_from(start)
            .ok()
            .and_then(Register::from_id)
            .and_then(Register::layer),
        _ => None,
    };
    if let Some(layer) = layer {
        keys.push(format!("{status} {} {layer}", space.name()));
    }
    keys
}

/// The coverage keys [`coverage`] must have found on a chip of `shape`.
fn required_coverage(shape: &CoreShape) -> Vec<String> {
    let mut keys = Vec::new();
    for space in Space::all(shape.hidden_layers()) {
        for status in [Status::Ok, Status::OutOfRange] {
            for access in ["READ", "WRITE"] {
                keys.push(format!("{} {access} {}", status.name(), space.name()));
            }
        }
    }
    for layer in shape.layers() {
        keys.push(format!("OK STATE {layer}"));
        keys.push(format!("OK REG {layer}"));
    }
    for l in shape.hidden_layers()..MAX_HIDDEN_LAYERS {
        let missing = LayerId::hidden(l);
        keys.push(format!("UNKNOWN_SPACE {}", Space::Weight(missing).name()));
        if shape.hidden_layers() > 1 {
            keys.push(format!("OUT_OF_RANGE STATE {missing}"));
        }
    }
    keys
}

#[test]
fn t_uart_random_frames_on_chip_small() {
    random_frames(&CHIP_SMALL);
}

#[test]
fn t_uart_random_frames_on_chip_deep() {
    random_frames(&CHIP_DEEP);
}

/// [`EXCHANGES`] random exchanges with the chip of `kind`, compared byte for byte with the
/// golden `Chip`; the coverage asserted.
fn random_frames(kind: &'static ChipKind) {
    let started = Instant::now();
    let mut chip = PinChip::new(kind);
    let cfg = chip.config().clone();
    let mut mix = Mix::new(cfg);
    let layers = mix.shape.core.hidden_layers();
    let mut statuses: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut ok_opcodes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut reached: BTreeMap<String, usize> = BTreeMap::new();
    let mut bytes_sent = 0;
    let mut bytes_received = 0;
    // Replays and link errors over the run (a RESET clears the chip's counters).
    let (mut replays, mut link_errors) = (0u32, 0u32);
    let grown = |before: u16, after: u16| u32::from(after.checked_sub(before).unwrap_or(after));
    // A session starts with IDENTIFY (§7.7, rule 1).
    let mut exchanges = vec![Command::Identify.request(0).encode().expect("IDENTIFY")];
    for _ in 0..EXCHANGES {
        let bytes = exchanges.pop().unwrap_or_else(|| mix.exchange());
        let before = chip.golden().link_status();
        let answer = chip.exchange(&bytes);
        let after = chip.golden().link_status();
        replays += grown(before.replays, after.replays);
        link_errors += grown(before.link_errors, after.link_errors);
        bytes_sent += bytes.len();
        bytes_received += answer.len();
        // The commands of the intact frames of the exchange, by seq and opcode.
        let intact: BTreeMap<(u8, u8), Result<Command, CommandError>> = bytes
            .split(|&b| b == DELIMITER)
            .filter_map(|frame| {
                let request = decode_request(frame).ok()?;
                let command = Command::parse(request.opcode, &request.payload, layers);
                Some(((request.seq, request.opcode), command))
            })
            .collect();
        for frame in answer.split(|&b| b == DELIMITER).filter(|f| !f.is_empty()) {
            let response: Response = decode_response(frame)
                .unwrap_or_else(|e| panic!("the golden Chip's response {frame:02x?}: {e}"));
            *statuses.entry(response.status.name()).or_default() += 1;
            if response.status == Status::Ok {
                let opcode = Opcode::from_code(response.opcode & 0x7F)
                    .unwrap_or_else(|| panic!("OK answer to opcode {:#04x}", response.opcode));
                *ok_opcodes.entry(opcode.name()).or_default() += 1;
            }
            if let Some(command) = intact.get(&(response.seq, response.opcode & 0x7F)) {
                for key in coverage(&mix.shape.core, command, response.status) {
                    *reached.entry(key).or_default() += 1;
                }
            }
        }
    }
    // The counters at the end: end any partial frame, then LINK_STATUS.
    let link_status = Request {
        seq: mix.next_seq(),
        opcode: Opcode::LinkStatus.code(),
        payload: Vec::new(),
    }
    .encode()
    .expect("LINK_STATUS");
    let answer = chip.exchange(&[&[DELIMITER][..], &link_status].concat());
    let last = answer
        .split(|&b| b == DELIMITER)
        .rfind(|f| !f.is_empty())
        .map(|frame| decode_response(frame).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|| panic!("no answer to LINK_STATUS: {answer:02x?}"));
    let link = LinkStatus::decode(&last.payload).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(link, chip.golden().link_status());
    assert_eq!((link.rx_overflows, link.framing_errors), (0, 0));

    let stats = chip.stats();
    println!(
        "random frames on {}: {EXCHANGES} exchanges (seed {SEED:#x}), {bytes_sent} bytes \
         sent, {bytes_received} received, zero differences; {} cycles in {:.1} s ({:.2} M \
         cycles/s); link status {link:?} (over the run {replays} replays, {link_errors} link errors)\nkinds {:?}\nstatuses {statuses:?}\nOK per opcode \
         {ok_opcodes:?}\nreached {reached:?}",
        kind.name(),
        stats.cycles,
        started.elapsed().as_secs_f64(),
        stats.cycles as f64 / stats.wall.as_secs_f64() / 1e6,
        mix.kinds,
    );
    // Every status but the faults, which a working chip never answers.
    let missing: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| !s.is_fault())
        .map(|s| s.name())
        .filter(|name| !statuses.contains_key(name))
        .collect();
    assert!(missing.is_empty(), "statuses never answered: {missing:?}");
    let missing: Vec<&str> = Opcode::ALL
        .iter()
        .map(|o| o.name())
        .filter(|name| !ok_opcodes.contains_key(name))
        .collect();
    assert!(missing.is_empty(), "opcodes never executed: {missing:?}");
    let missing: Vec<String> = required_coverage(&mix.shape.core)
        .into_iter()
        .filter(|key| !reached.contains_key(key))
        .collect();
    assert!(missing.is_empty(), "never answered: {missing:?}");
    assert!(replays > 0, "no retransmission was answered from the store");
    let refused: usize = statuses
        .iter()
        .filter(|&(&name, _)| name != Status::Ok.name())
        .map(|(_, n)| n)
        .sum();
    assert!(refused >= REFUSED, "only {refused} frames were refused");
    assert!(link_errors > 0, "no link error");
}
