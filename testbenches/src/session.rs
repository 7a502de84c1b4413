//! [`Session`]: a host's session with a chip at its pins in frames (docs/spec.md §7): one
//! request at a time, each exchanged through [`PinChip`] (so every response byte is checked
//! against the golden `Chip`), with the loading, training and inference a host does.

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{parameter_writes, CoreShape, Register, StateField};
use spikeforge_sim::data::Sample;
use spikeforge_sim::model::{Learn, Model, PhaseResult};
use spikeforge_sim::network::Network;
use spikeforge_sim::rng::Xorshift32;
use spikeforge_sim::train::learn_sample;
use spikeforge_sim::wire::{
    decode_response, max_read_count, max_write_count, unpack_values, Command, Identity, Space,
    Status, DELIMITER, RESPONSE_FLAG,
};

use crate::chip::step_command;
use crate::compare::address;
use crate::model::ChipKind;
use crate::pins::PinChip;

/// A chip at its pins and the host's side of the protocol: the next `seq`, the pixels the chip
/// holds.
#[derive(Debug)]
pub struct Session {
    /// The chip and its golden model.
    pub chip: PinChip,
    seq: u8,
    pixels: Option<Vec<u8>>,
    phases: Phases,
}

impl Session {
    /// A chip of `kind` at power-up, greeted with `IDENTIFY` (a session starts with it, §7.7),
    /// whose answer must describe the chip's network.
    pub fn new(kind: &'static ChipKind) -> Self {
        let chip = PinChip::new(kind);
        let cfg = chip.config().clone();
        let mut session = Self {
            chip,
            seq: 0,
            pixels: None,
            phases: Phases {
                cfg,
                phases: Vec::new(),
            },
        };
        session.greet();
        session
    }

    /// `IDENTIFY`, whose answer must describe the chip's network.
    fn greet(&mut self) {
        let identity = self.request(&Command::Identify);
        let want = Identity::of_shape(&self.phases.cfg, self.chip.golden().core().shape()).encode();
        assert_eq!(
            identity, want,
            "IDENTIFY of the chip of {}",
            self.phases.cfg.name
        );
    }

    /// Hold the chip's reset for `cycles` cycles ([`PinChip::reset`]: the golden model starts
    /// again from power-up) and greet it again with `IDENTIFY`; the pixels must be written
    /// again.
    pub fn reset(&mut self, cycles: u64) {
        self.chip.reset(cycles);
        self.pixels = None;
        self.greet();
    }

    /// The chip's network.
    pub fn config(&self) -> &NetworkConfig {
        &self.phases.cfg
    }

    /// Send `command` with the next `seq`; its response must be OK (and equal the golden
    /// model's, byte for byte). Returns the payload.
    pub fn request(&mut self, command: &Command) -> Vec<u8> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let bytes = command
            .request(seq)
            .encode()
            .unwrap_or_else(|err| panic!("{command:?} does not fit a frame: {err}"));
        let answer = self.chip.exchange(&bytes);
        let frame = match answer.split_last() {
            Some((&DELIMITER, frame)) if !frame.contains(&DELIMITER) => frame,
            _ => panic!("{command:?} (seq {seq}) was not answered by one frame: {answer:02x?}"),
        };
        let response = decode_response(frame)
            .unwrap_or_else(|err| panic!("the response to {command:?} (seq {seq}): {err}"));
        let opcode = command.opcode().code() | RESPONSE_FLAG;
        assert!(
            response.seq == seq && response.opcode == opcode && response.status == Status::Ok,
            "{command:?} (seq {seq}) was answered seq {}, opcode {:#04x}, status {}",
            response.seq,
            response.opcode,
            response.status.name()
        );
        response.payload
    }

    /// `values` to `space` from address `start` on, in WRITEs of as many values as fit.
    pub fn write(&mut self, space: Space, start: u32, values: &[u32]) {
        for (i, chunk) in values.chunks(max_write_count(space)).enumerate() {
            let start = start + address(i * max_write_count(space));
            let values = chunk.to_vec();
            self.request(&Command::Write {
                space,
                start,
                values,
            });
        }
    }

    /// `count` values of `space` from address `start` on, in READs of as many values as a
    /// response holds; each zero-extended from the space's width.
    pub fn read(&mut self, space: Space, start: u32, count: usize) -> Vec<u32> {
        let most = max_read_count(space);
        let mut values = Vec::with_capacity(count);
        for first in (0..count).step_by(most) {
            let n = (count - first).min(most);
            let payload = self.request(&Command::Read {
                space,
                start: start + address(first),
                count: u16::try_from(n).unwrap_or(u16::MAX),
            });
            values.extend(unpack_values(space, &payload));
        }
        values
    }

    /// Write every register of `(id, value)` pairs, one WRITE per run of consecutive ids.
    pub fn write_registers(&mut self, writes: &[(u16, u32)]) {
        let mut rest = writes;
        while let Some(&(first, _)) = rest.first() {
            let run = rest
                .iter()
                .zip(first..)
                .take_while(|((id, _), want)| id == want)
                .count();
            let values: Vec<u32> = rest[..run].iter().map(|&(_, value)| value).collect();
            self.write(Space::Register, first.into(), &values);
            rest = &rest[run..];
        }
    }

    /// Load `net` as `golden::load` writes it through the core's port, in frames: pixels, the
    /// weights and every neuron-state field of every layer, every layer's offset and goodness,
    /// every parameter of `parameter_writes` the chip can write and the generator seeds (each
    /// group of registers in id order).
    pub fn load(&mut self, net: &Network, pixels: &[u8]) {
        let cfg = self.phases.cfg.clone();
        self.write_pixels(pixels);
        let words = |w: &[i16]| -> Vec<u32> { w.iter().map(|&w| u32::from(w as u16)).collect() };
        let shape = CoreShape::of(&cfg);
        for id in shape.layers() {
            if let Some(layer) = id.of(net) {
                self.write(Space::Weight(id), 0, &words(&layer.weights));
            }
        }
        for (id, layer) in shape.layers().filter_map(|id| Some((id, id.of(net)?))) {
            let n = layer.size();
            let fields: [(StateField, Vec<u32>); 5] = [
                (
                    StateField::Membrane,
                    (0..n)
                        .map(|i| u32::from(layer.neurons[i].v as u16))
                        .collect(),
                ),
                (
                    StateField::Refractory,
                    (0..n).map(|i| layer.neurons[i].refractory.into()).collect(),
                ),
                (
                    StateField::Trace,
                    layer.trace.iter().map(|&t| t.into()).collect(),
                ),
                (
                    StateField::Homeostasis,
                    layer.homeostasis.iter().map(|&h| h.into()).collect(),
                ),
                (
                    StateField::Count,
                    layer.counts.iter().map(|&c| c.into()).collect(),
                ),
            ];
            for (field, values) in fields {
                self.write(
                    Space::State,
                    shape.state_address(id, field, 0).into(),
                    &values,
                );
            }
        }
        let values = |registers: Vec<Register>| -> Vec<(u16, u32)> {
            let mut writes: Vec<(u16, u32)> = registers
                .into_iter()
                .map(|r| (r.id(), r.value(net)))
                .collect();
            writes.sort_unstable();
            writes
        };
        let status = shape
            .layers()
            .flat_map(|layer| [Register::ThetaOffset(layer), Register::Goodness(layer)])
            .collect();
        self.write_registers(&values(status));
        // Every parameter the chip can write (none of a chip whose parameters are fixed).
        let chip = self.chip.golden().core().shape().clone();
        let parameters: Vec<(u16, u32)> = parameter_writes(&cfg, net.anneal)
            .into_iter()
            .filter(|&(id, _)| chip.register_writable(id))
            .collect();
        self.write_registers(&parameters);
        let generators = shape
            .layers()
            .map(Register::LearnState)
            .chain([Register::EncoderState])
            .collect();
        self.write_registers(&values(generators));
    }

    /// The learning-rate halvings (`anneal`), as `train::train` sets them per epoch.
    pub fn set_anneal(&mut self, halvings: u8) {
        self.write_registers(&[(Register::Anneal.id(), halvings.into())]);
    }

    /// One WRITE of all pixels, unless the chip holds them already.
    pub fn write_pixels(&mut self, pixels: &[u8]) {
        if self.pixels.as_deref() == Some(pixels) {
            return;
        }
        let values: Vec<u32> = pixels.iter().map(|&p| p.into()).collect();
        self.write(Space::Pixel, 0, &values);
        self.pixels = Some(pixels.to_vec());
    }

    /// One phase: the pixels (if new), then `RUN_PHASE` with the `STEP` word of `label_input`
    /// and `learn` for the network's steps per phase.
    pub fn run_phase(&mut self, pixels: &[u8], label_input: Option<usize>, learn: Learn) {
        self.write_pixels(pixels);
        let word = step_command(label_input, learn).word();
        let steps = u16::try_from(self.phases.cfg.steps)
            .unwrap_or_else(|_| panic!("{} steps per phase", self.phases.cfg.steps));
        self.request(&Command::RunPhase { word, steps });
    }

    /// One learning sample: the phases `train::learn_sample` runs for `sample` (drawing the
    /// negative from `rng` as it does), each sent as [`Session::run_phase`].
    pub fn learn_sample(&mut self, sample: &Sample, train: &[Sample], rng: &mut Xorshift32) {
        for phase in self.sample_phases(sample, train, rng) {
            self.run_phase(&phase.pixels, phase.label_input, phase.learn);
        }
    }

    /// The phases `train::learn_sample` runs for `sample`, drawing the negative from `rng` as
    /// it does, without running them.
    pub fn sample_phases(
        &mut self,
        sample: &Sample,
        train: &[Sample],
        rng: &mut Xorshift32,
    ) -> Vec<Phase> {
        learn_sample(&mut self.phases, sample, train, rng);
        std::mem::take(&mut self.phases.phases)
    }

    /// Inference on `pixels`: an inference phase, then `READ_PREDICTION`.
    pub fn classify(&mut self, pixels: &[u8]) -> usize {
        self.run_phase(pixels, None, Learn::OFF);
        let payload = self.request(&Command::ReadPrediction);
        match payload[..] {
            [class] => class.into(),
            _ => panic!("READ_PREDICTION answered {payload:02x?}"),
        }
    }

    /// The weights of every layer in step order (hidden layers, then the classifier: as
    /// `Network::weight_matrices`), read back in READs of 128.
    pub fn weights(&mut self) -> Vec<Vec<i16>> {
        let shape = CoreShape::of(&self.phases.cfg);
        // 16-bit two's complement on the wire.
        let signed = |v: Vec<u32>| -> Vec<i16> {
            v.into_iter()
                .map(|w| i16::from_le_bytes([w as u8, (w >> 8) as u8]))
                .collect()
        };
        shape
            .layers()
            .map(|layer| signed(self.read(Space::Weight(layer), 0, shape.weight_words(layer))))
            .collect()
    }
}

/// One phase of a learning sample, as `train::learn_sample` asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// The image.
    pub pixels: Vec<u8>,
    /// The label input that spikes, if any.
    pub label_input: Option<usize>,
    /// What learns.
    pub learn: Learn,
}

/// The phases `train::learn_sample` asks of a model, recorded instead of run (it uses no
/// result of them).
#[derive(Debug)]
struct Phases {
    cfg: NetworkConfig,
    phases: Vec<Phase>,
}

impl Model for Phases {
    fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    fn run_phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> PhaseResult {
        self.phases.push(Phase {
            pixels: pixels.to_vec(),
            label_input,
            learn,
        });
        PhaseResult {
            prediction: 0,
            layer_spikes: vec![0; 2],
        }
    }

    fn weights_digest(&self) -> u64 {
        panic!("the phase recorder holds no weights")
    }

    fn layer_sizes(&self) -> Vec<usize> {
        let shape = CoreShape::of(&self.cfg);
        shape.layers().map(|layer| shape.size(layer)).collect()
    }

    fn set_anneal(&mut self, halvings: u8) {
        panic!("the phase recorder was asked to anneal by {halvings}: learn_sample does not")
    }
}
