//! [`CoreModel`]: the golden model of the learning core at its command port, register for
//! register (`docs/spec.md` §6).
//!
//! It answers every [`Op`] with the RTL's semantics: writes keep the low bits of the data word
//! that the target stores (weights keep `weight_bits`), reads of signed values sign-extend to
//! 32 bits, registers and memories power up at 0, unknown register ids read 0 and ignore
//! writes, state field codes 5..=7 read 0 and ignore writes. `STEP` runs
//! [`Network::step`] on the pixels and parameters the core holds, with the `STEP` word mapped
//! to the model's learning switches as the co-simulation benches map it; `PHASE_RESET` is
//! [`Network::reset_phase`]. The prediction register is the argmax of the classifier computed
//! by the last step, 0 after `PHASE_RESET` (and at power-up); it does not follow host writes.
//!
//! Addresses beyond a memory (a weight index past the matrix, a neuron past both layers) are
//! undefined in the RTL, which is never sent them (the wire protocol refuses them first); the
//! model reads 0 there and ignores writes. Parameter values outside the ranges the network
//! validator accepts (such as `decay_shift` above 24) give defined steps here, never a panic,
//! but the RTL is specified only within those ranges.

use crate::config::NetworkConfig;
use crate::core_interface::{
    layer_parameter_writes, CoreShape, LayerField, LayerId, Op, Register, ShapeError, StateField,
    StepCommand,
};
use crate::network::{Layer, Network};
use crate::rng::Xorshift32;
use crate::rules::weight_max;

/// Why a network has no learning core: its shape does not fit the core's addresses.
pub type CoreModelError = ShapeError;

/// The learning core's state as the host sees it through the command port.
#[derive(Debug, Clone)]
pub struct CoreModel {
    net: Network,
    shape: CoreShape,
    pixels: Vec<u8>,
    weight_bits: u8,
    prediction: u16,
}

impl CoreModel {
    /// The core generated for `cfg`, at power-up: every memory, register and parameter 0.
    pub fn new(cfg: &NetworkConfig) -> Result<Self, CoreModelError> {
        Self::build(cfg, false)
    }

    /// The core generated for `cfg` with its layers' parameters fixed (`fixed_parameters`,
    /// [`CoreShape::fixed_parameters`]: `cfg`'s values, which no write changes) or in registers
    /// (0 at power-up, as [`CoreModel::new`]), at power-up: every memory and register 0.
    pub fn build(cfg: &NetworkConfig, fixed_parameters: bool) -> Result<Self, CoreModelError> {
        let shape = CoreShape::new(cfg)?;
        let mut net = Network::new(cfg);
        for layer in net.hidden.iter_mut().chain([&mut net.classifier]) {
            layer.weights.fill(0);
            let mut params = layer.params().clone();
            params.init_range = 0;
            for field in LayerField::ALL {
                field.set(&mut params, 0);
            }
            layer.set_params(&params);
        }
        let mut core = Self {
            net,
            shape,
            pixels: vec![0; cfg.inputs],
            weight_bits: cfg.weight_bits,
            prediction: 0,
        };
        // The registers: the generators, `w_max`, the anneal.
        core.reset();
        if fixed_parameters {
            // The values a host would write, which the generator makes constants.
            for (id, value) in layer_parameter_writes(cfg) {
                core.write_register(id, value);
            }
            core.shape = core.shape.clone().with_fixed_parameters(true);
        }
        Ok(core)
    }

    /// The network state the core holds (weights, neuron state, registers as parameters).
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The core's shape.
    pub fn shape(&self) -> &CoreShape {
        &self.shape
    }

    /// The pixel intensities the core encodes.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The prediction register.
    pub fn prediction(&self) -> u16 {
        self.prediction
    }

    /// One command on the port: `op` with `cmd_addr = addr` and `cmd_data = data`. Reads return
    /// `rsp_data`; other operations return `None` (`PHASE_RESET` and `STEP` run to completion).
    /// Weight operations of a layer the core does not have read 0 and write nothing.
    /// State and register operations read bits 15..0 of `addr` (`docs/spec.md` §6).
    pub fn command(&mut self, op: Op, addr: u32, data: u32) -> Option<u32> {
        let index = addr as usize;
        let id = addr as u16;
        match op {
            Op::Nop => {}
            Op::WritePixel => {
                if let Some(pixel) = self.pixels.get_mut(index) {
                    *pixel = low_byte(data);
                }
            }
            Op::ReadPixel => return Some(self.pixels.get(index).map_or(0, |&p| p.into())),
            Op::WriteWeight(layer) => {
                let bits = self.weight_bits;
                let w = layer
                    .of_mut(&mut self.net)
                    .and_then(|l| l.weights.get_mut(index));
                if let Some(w) = w {
                    *w = stored_weight(data, bits);
                }
            }
            Op::ReadWeight(layer) => {
                let w = layer.of(&self.net).and_then(|l| l.weights.get(index));
                return Some(w.map_or(0, |&w| sign_extend(w)));
            }
            Op::WriteState => self.write_state(id, data),
            Op::ReadState => return Some(self.read_state(id)),
            Op::WriteRegister => self.write_register(id, data),
            Op::ReadRegister => return Some(self.read_register(id)),
            Op::PhaseReset => self.phase_reset(),
            Op::Step => self.step(data),
            Op::ReadPrediction => return Some(self.prediction.into()),
        }
        None
    }

    /// The chip's reset (`docs/spec.md` §7.10): every register the core holds in flip-flops
    /// returns to its power-up value 0: every layer's threshold offset, goodness and learning
    /// generator, its fields of [`LayerField::IN_FLIP_FLOPS`], the encoder's generator,
    /// `w_max`, the anneal and the prediction. The memories (pixels, weights, neuron state, the
    /// other fields) keep their contents.
    pub fn reset(&mut self) {
        let fixed = self.shape.fixed_parameters;
        for layer in self.net.hidden.iter_mut().chain([&mut self.net.classifier]) {
            if !fixed {
                let mut params = layer.params().clone();
                for field in LayerField::IN_FLIP_FLOPS {
                    field.set(&mut params, 0);
                }
                layer.set_params(&params);
            }
            layer.theta_offset = 0;
            layer.goodness = 0;
        }
        self.net.encoder = Xorshift32::from_state(0);
        self.net.learn_rng.fill(Xorshift32::from_state(0));
        self.net.classifier_rng = Xorshift32::from_state(0);
        self.net.anneal = 0;
        self.net.set_w_max(0);
        self.prediction = 0;
    }

    /// `PHASE_RESET`: clear `v`, `r`, `tr`, counts, spikes, goodness, threshold offsets and the
    /// prediction (weights, `h`, generators and parameters are kept).
    pub fn phase_reset(&mut self) {
        self.net.reset_phase();
        self.prediction = 0;
    }

    /// `STEP` with control word `word` ([`StepCommand::from_word`]).
    pub fn step(&mut self, word: u32) {
        let command = StepCommand::from_word(word);
        self.net
            .encode(&self.pixels, command.label_input.map(usize::from));
        self.net.step(command.learn());
        // With a `w_max` register above what `weight_bits` hold, a learned weight is stored
        // truncated to its bits, as the core's weight memories do. Each weight is written at
        // most once per step, so wrapping after the step is exact.
        if self.net.w_max() > weight_max(self.weight_bits) {
            let bits = self.weight_bits;
            for layer in self.net.hidden.iter_mut().chain([&mut self.net.classifier]) {
                for w in &mut layer.weights {
                    *w = stored_weight(u32::from(*w as u16), bits);
                }
            }
        }
        self.prediction = u16::try_from(self.net.prediction()).unwrap_or(u16::MAX);
    }

    /// The layer and neuron a state address reaches. The neuron memories hold the layers one
    /// after the other in step order and the address's layer adds its offset there, so a
    /// neuron past its layer reaches the next layer's neurons.
    fn neuron(&mut self, addr: u16) -> Option<(&mut Layer, usize, u8)> {
        let split = self.shape.split_state_address(addr);
        if !self.shape.has(split.layer) {
            return None;
        }
        let mut index = self.shape.neuron_offset(split.layer) + usize::from(split.neuron);
        for layer in self.shape.layers() {
            let size = self.shape.size(layer);
            if index < size {
                return Some((layer.of_mut(&mut self.net)?, index, split.field));
            }
            index -= size;
        }
        None
    }

    fn write_state(&mut self, addr: u16, data: u32) {
        let Some((layer, n, field)) = self.neuron(addr) else {
            return;
        };
        match StateField::from_code(field) {
            Some(StateField::Membrane) => layer.neurons[n].v = low_half_signed(data),
            Some(StateField::Refractory) => layer.neurons[n].refractory = low_byte(data),
            Some(StateField::Trace) => layer.trace[n] = low_byte(data),
            Some(StateField::Homeostasis) => layer.homeostasis[n] = low_half(data),
            Some(StateField::Count) => layer.counts[n] = low_half(data),
            None => {}
        }
    }

    fn read_state(&mut self, addr: u16) -> u32 {
        let Some((layer, n, field)) = self.neuron(addr) else {
            return 0;
        };
        match StateField::from_code(field) {
            Some(StateField::Membrane) => sign_extend(layer.neurons[n].v),
            Some(StateField::Refractory) => layer.neurons[n].refractory.into(),
            Some(StateField::Trace) => layer.trace[n].into(),
            Some(StateField::Homeostasis) => layer.homeostasis[n].into(),
            Some(StateField::Count) => layer.counts[n].into(),
            None => 0,
        }
    }

    fn write_register(&mut self, id: u16, data: u32) {
        if !self.shape.register_writable(id) {
            return;
        }
        let net = &mut self.net;
        match Register::from_id(id) {
            Some(Register::ThetaOffset(layer)) => {
                if let Some(layer) = layer.of_mut(net) {
                    layer.theta_offset = low_half_signed(data);
                }
            }
            Some(Register::Goodness(layer)) => {
                if let Some(layer) = layer.of_mut(net) {
                    layer.goodness = data;
                }
            }
            Some(Register::LearnState(layer)) => {
                if let Some(generator) = layer.generator_mut(net) {
                    *generator = Xorshift32::from_state(data);
                }
            }
            Some(Register::EncoderState) => net.encoder = Xorshift32::from_state(data),
            // 15 bits: the value fits `i16`.
            Some(Register::WeightMax) => net.set_w_max(low_half_signed(data & 0x7FFF)),
            Some(Register::Anneal) => net.anneal = low_byte(data),
            None => {
                if let Some((layer, field)) = self.shape.parameter_field(id) {
                    if let Some(layer) = layer.of_mut(net) {
                        let mut params = layer.params().clone();
                        field.set(&mut params, data);
                        layer.set_params(&params);
                    }
                }
            }
        }
    }

    fn read_register(&self, id: u16) -> u32 {
        if !self.shape.register_readable(id) {
            // Write-only registers and parameters, unknown ids, layers the core lacks.
            return 0;
        }
        match Register::from_id(id) {
            Some(Register::ThetaOffset(layer)) => layer
                .of(&self.net)
                .map_or(0, |layer| sign_extend(layer.theta_offset)),
            Some(register) => register.value(&self.net),
            None => 0,
        }
    }

    /// The layer `layer` of the core's network (`None` for a layer it does not have).
    pub fn layer(&self, layer: LayerId) -> Option<&Layer> {
        layer.of(&self.net)
    }
}

/// Bits 7..0 of a data word.
fn low_byte(data: u32) -> u8 {
    data.to_le_bytes()[0]
}

/// Bits 15..0 of a data word.
fn low_half(data: u32) -> u16 {
    let [b0, b1, _, _] = data.to_le_bytes();
    u16::from_le_bytes([b0, b1])
}

/// Bits 15..0 of a data word as a two's complement number.
fn low_half_signed(data: u32) -> i16 {
    i16::from_ne_bytes(low_half(data).to_ne_bytes())
}

/// A signed 16-bit value as the core's 32-bit read word.
fn sign_extend(x: i16) -> u32 {
    u32::from_ne_bytes(i32::from(x).to_ne_bytes())
}

/// What a weight memory of `bits`-bit words holds after a write of `data`: its low `bits`
/// bits, read back sign-extended.
fn stored_weight(data: u32, bits: u8) -> i16 {
    let shift = 16 - u32::from(bits.clamp(2, 16));
    (low_half_signed(data) << shift) >> shift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core_interface::{parameter_writes, HIDDEN_PARAMETERS};
    use crate::model::{Learn, Polarity};

    fn default_network() -> NetworkConfig {
        crate::config::supervised_digits()
    }

    const H: LayerId = LayerId::Hidden(0);
    const C: LayerId = LayerId::Classifier;

    /// The state address of the default network's core.
    fn state_address(layer: LayerId, field: StateField, neuron: usize) -> u16 {
        CoreShape::of(&default_network()).state_address(layer, field, neuron)
    }

    #[test]
    fn stored_weights_keep_their_bits() {
        assert_eq!(stored_weight(0x0000_0080, 8), -128);
        assert_eq!(stored_weight(0xFFFF_FF7F, 8), 127);
        assert_eq!(stored_weight(0x0000_0100, 8), 0);
        assert_eq!(stored_weight(0x0000_8000, 16), i16::MIN);
        assert_eq!(stored_weight(0x0000_0006, 3), -2);
    }

    #[test]
    fn writes_truncate_and_signed_reads_sign_extend() {
        let mut core = CoreModel::new(&default_network()).expect("default core");
        core.command(Op::WritePixel, 3, 0x1FF);
        assert_eq!(core.command(Op::ReadPixel, 3, 0), Some(0xFF));
        core.command(Op::WriteWeight(H), 5, 0x1_0180);
        assert_eq!(core.command(Op::ReadWeight(H), 5, 0), Some(0xFFFF_FF80));
        core.command(Op::WriteWeight(C), 7, 0x7F);
        assert_eq!(core.command(Op::ReadWeight(C), 7, 0), Some(0x7F));
        let v = state_address(C, StateField::Membrane, 2);
        core.command(Op::WriteState, u32::from(v), 0xABCD_8001);
        assert_eq!(
            core.command(Op::ReadState, u32::from(v), 0),
            Some(0xFFFF_8001)
        );
        let r = state_address(H, StateField::Refractory, 9);
        core.command(Op::WriteState, u32::from(r), 0x1234);
        assert_eq!(core.command(Op::ReadState, u32::from(r), 0), Some(0x34));
        let h = state_address(H, StateField::Homeostasis, 9);
        core.command(Op::WriteState, u32::from(h), 0xF_FFFF);
        assert_eq!(core.command(Op::ReadState, u32::from(h), 0), Some(0xFFFF));
        core.command(Op::WriteRegister, 0, 0x0001_FFFE);
        assert_eq!(core.command(Op::ReadRegister, 0, 0), Some(0xFFFF_FFFE));
        core.command(Op::WriteRegister, 4, 0);
        assert_eq!(core.command(Op::ReadRegister, 4, 0), Some(0));
    }

    #[test]
    fn unknown_ids_and_fields_read_zero_and_ignore_writes() {
        let mut core = CoreModel::new(&default_network()).expect("default core");
        let before = core.network().clone();
        for id in [7, 10, 15, 30, 43, 46, 0xFFFF] {
            core.command(Op::WriteRegister, id, 0xFFFF_FFFF);
            assert_eq!(core.command(Op::ReadRegister, id, 0), Some(0), "id {id}");
        }
        // Write-only registers read 0.
        core.command(Op::WriteRegister, u32::from(Register::WeightMax.id()), 100);
        assert_eq!(core.command(Op::ReadRegister, 8, 0), Some(0));
        assert_eq!(core.network().w_max(), 100);
        let field5 = (5 << 12) | 3;
        core.command(Op::WriteState, field5, 0xFFFF);
        assert_eq!(core.command(Op::ReadState, field5, 0), Some(0));
        // Beyond both layers: nothing changes.
        core.command(
            Op::WriteState,
            u32::from(state_address(C, StateField::Count, 10)),
            9,
        );
        core.command(Op::WriteWeight(H), 18_944, 9);
        assert_eq!(core.command(Op::ReadWeight(H), 18_944, 0), Some(0));
        core.command(Op::WriteRegister, u32::from(Register::WeightMax.id()), 0);
        assert_eq!(core.network(), &before);
    }

    #[test]
    fn hidden_state_addresses_past_the_layer_reach_the_classifier() {
        let mut core = CoreModel::new(&default_network()).expect("default core");
        // Hidden neuron 256 + 3 is classifier neuron 3 (one neuron memory for both layers).
        core.command(
            Op::WriteState,
            u32::from(state_address(H, StateField::Trace, 259)),
            77,
        );
        assert_eq!(core.network().classifier.trace[3], 77);
    }

    #[test]
    fn parameters_load_into_the_layers() {
        let cfg = default_network();
        let mut core = CoreModel::new(&cfg).expect("default core");
        assert_eq!(core.network().hidden[0].params().threshold, 0);
        for (id, value) in parameter_writes(&cfg, 3) {
            core.command(Op::WriteRegister, u32::from(id), value);
        }
        let mut want = cfg.hidden[0].clone();
        want.init_range = 0;
        assert_eq!(core.network().hidden[0].params(), &want);
        assert_eq!(core.network().anneal, 3);
        assert_eq!(core.network().w_max(), 127);
        core.command(Op::WriteRegister, u32::from(HIDDEN_PARAMETERS + 1), 0xFFFF);
        assert_eq!(core.network().hidden[0].params().threshold, -1);
    }

    /// A core with fixed parameters holds the network's from power-up, ignores writes of
    /// them and keeps them over a reset; `w_max` and the anneal stay registers.
    #[test]
    fn fixed_parameters_are_the_networks_and_ignore_writes() {
        let cfg = default_network();
        let mut core = CoreModel::build(&cfg, true).expect("default core");
        assert!(core.shape().fixed_parameters);
        let mut want = cfg.hidden[0].clone();
        want.init_range = 0;
        let mut loaded = CoreModel::new(&cfg).expect("default core");
        for (id, value) in parameter_writes(&cfg, 0) {
            loaded.command(Op::WriteRegister, u32::from(id), value);
        }
        for layer in [H, C] {
            let of = |core: &CoreModel| layer.of(core.network()).map(|l| l.params().clone());
            assert_eq!(of(&core), of(&loaded), "{layer:?}");
        }
        assert_eq!(core.network().hidden[0].params(), &want);
        core.command(Op::WriteRegister, u32::from(HIDDEN_PARAMETERS + 1), 0xFFFF);
        core.command(Op::WriteRegister, u32::from(HIDDEN_PARAMETERS), 7);
        core.reset();
        assert_eq!(core.network().hidden[0].params(), &want);
        core.command(Op::WriteRegister, u32::from(Register::Anneal.id()), 2);
        core.command(Op::WriteRegister, u32::from(Register::WeightMax.id()), 100);
        assert_eq!((core.network().anneal, core.network().w_max()), (2, 100));
        // With its parameters in registers, the core starts at 0 and a reset clears the shifts.
        assert_eq!(loaded.network().hidden[0].params(), &want);
        loaded.reset();
        assert_eq!(loaded.network().hidden[0].params().leak_shift, 0);
    }

    /// Load the state of `net` and its parameters into `core` through the command port.
    fn load(core: &mut CoreModel, cfg: &NetworkConfig, net: &Network, pixels: &[u8]) {
        let address = |i: usize| u16::try_from(i).expect("address fits 16 bits");
        for (i, &p) in pixels.iter().enumerate() {
            core.command(Op::WritePixel, u32::from(address(i)), p.into());
        }
        for (i, &w) in net.hidden[0].weights.iter().enumerate() {
            core.command(Op::WriteWeight(H), u32::from(address(i)), sign_extend(w));
        }
        for (i, &w) in net.classifier.weights.iter().enumerate() {
            core.command(Op::WriteWeight(C), u32::from(address(i)), sign_extend(w));
        }
        for (id, value) in parameter_writes(cfg, net.anneal) {
            core.command(Op::WriteRegister, u32::from(id), value);
        }
        let seeds = [
            (Register::EncoderState, net.encoder.state()),
            (Register::LearnState(H), net.learn_rng[0].state()),
            (Register::LearnState(C), net.classifier_rng.state()),
        ];
        for (register, seed) in seeds {
            core.command(Op::WriteRegister, u32::from(register.id()), seed);
        }
    }

    #[test]
    fn steps_match_the_network_and_prediction_follows_steps_only() {
        let cfg = default_network();
        let mut net = Network::new(&cfg);
        let pixels: Vec<u8> = (0..cfg.inputs).map(|i| (i * 37 % 256) as u8).collect();
        let mut core = CoreModel::new(&cfg).expect("default core");
        load(&mut core, &cfg, &net, &pixels);
        let positive = StepCommand {
            csdp: Some(true),
            classifier_label: None,
            label_input: Some(4),
        };
        let classify = StepCommand {
            csdp: None,
            classifier_label: Some(4),
            label_input: None,
        };
        for (command, learn, label) in [
            (
                positive,
                Learn {
                    csdp: Some(Polarity::Positive),
                    classifier: None,
                },
                Some(4),
            ),
            (
                classify,
                Learn {
                    csdp: None,
                    classifier: Some(4),
                },
                None,
            ),
        ] {
            core.command(Op::PhaseReset, 0, 0);
            net.reset_phase();
            assert_eq!(core.command(Op::ReadPrediction, 0, 0), Some(0));
            for _ in 0..5 {
                core.command(Op::Step, 0, command.word());
                net.encode(&pixels, label);
                net.step(learn);
                let got = core.network();
                assert_eq!(got.hidden[0].weights, net.hidden[0].weights);
                assert_eq!(got.classifier.weights, net.classifier.weights);
                for (a, b) in [
                    (&got.hidden[0], &net.hidden[0]),
                    (&got.classifier, &net.classifier),
                ] {
                    assert_eq!(a.neurons, b.neurons);
                    assert_eq!(a.trace, b.trace);
                    assert_eq!(a.counts, b.counts);
                    assert_eq!(a.homeostasis, b.homeostasis);
                    assert_eq!((a.theta_offset, a.goodness), (b.theta_offset, b.goodness));
                }
                assert_eq!(got.encoder, net.encoder);
                assert_eq!(got.learn_rng, net.learn_rng);
                assert_eq!(got.classifier_rng, net.classifier_rng);
                let prediction = u32::try_from(net.prediction()).expect("class fits");
                assert_eq!(core.command(Op::ReadPrediction, 0, 0), Some(prediction));
            }
        }
        // Host writes of classifier state do not move the prediction.
        let before = core.command(Op::ReadPrediction, 0, 0);
        for k in 0..cfg.classes {
            let count = state_address(C, StateField::Count, k);
            core.command(
                Op::WriteState,
                u32::from(count),
                if k == 7 { 999 } else { 0 },
            );
        }
        assert_eq!(core.command(Op::ReadPrediction, 0, 0), before);
        core.command(Op::Step, 0, 0);
        assert_eq!(core.command(Op::ReadPrediction, 0, 0), Some(7));
    }

    /// A core with two and with three hidden layers, loaded with `state_writes`, steps as the
    /// network does: every layer's weights, state and generator.
    #[test]
    fn cores_with_more_hidden_layers_step_as_the_network() {
        use crate::core_interface::state_writes;
        for sizes in [&[16, 12][..], &[20, 10, 6]] {
            let mut cfg = default_network();
            let layer = cfg.hidden[0].clone();
            cfg.hidden = sizes
                .iter()
                .map(|&size| crate::config::LayerConfig {
                    size,
                    ..layer.clone()
                })
                .collect();
            let mut net = Network::new(&cfg);
            let pixels: Vec<u8> = (0..cfg.inputs).map(|i| (i * 53 % 256) as u8).collect();
            let mut core = CoreModel::new(&cfg).expect("fits");
            for (op, addr, data) in state_writes(&cfg, &net, &pixels) {
                core.command(op, addr, data);
            }
            let same = |core: &CoreModel, net: &Network| {
                let got = core.network();
                assert_eq!(got.weight_matrices(), net.weight_matrices(), "{sizes:?}");
                assert_eq!(got.learn_rng, net.learn_rng);
                assert_eq!(got.classifier_rng, net.classifier_rng);
                for (a, b) in got
                    .hidden
                    .iter()
                    .chain([&got.classifier])
                    .zip(net.hidden.iter().chain([&net.classifier]))
                {
                    assert_eq!(a.neurons, b.neurons);
                    assert_eq!(a.trace, b.trace);
                    assert_eq!(a.counts, b.counts);
                    assert_eq!(a.homeostasis, b.homeostasis);
                    assert_eq!((a.theta_offset, a.goodness), (b.theta_offset, b.goodness));
                }
            };
            same(&core, &net);
            let command = StepCommand {
                csdp: Some(true),
                classifier_label: Some(2),
                label_input: Some(2),
            };
            for _ in 0..8 {
                core.command(Op::Step, 0, command.word());
                net.encode(&pixels, Some(2));
                net.step(command.learn());
            }
            same(&core, &net);
            assert_ne!(net.weight_matrices(), Network::new(&cfg).weight_matrices());
            let last = LayerId::hidden(sizes.len() - 1);
            let w = core.command(Op::ReadWeight(last), 3, 0);
            let layer = last.of(&net).expect("layer");
            assert_eq!(w, Some(sign_extend(layer.weights[3])));
        }
    }

    #[test]
    fn a_w_max_beyond_the_weight_bits_wraps_learned_weights() {
        let cfg = default_network();
        let net = Network::new(&cfg);
        let pixels = vec![255u8; cfg.inputs];
        let mut core = CoreModel::new(&cfg).expect("default core");
        load(&mut core, &cfg, &net, &pixels);
        core.command(
            Op::WriteRegister,
            u32::from(Register::WeightMax.id()),
            32_767,
        );
        // Fast learning: learn_shift 1 for the classifier, toward class 0. The first update of
        // a weight of class 0 is 255 * 256 / 2 = 32,640 = 0x7F80, stored as 0x80 = -128.
        core.command(
            Op::WriteRegister,
            u32::from(32 + LayerField::LearnShift as u16),
            1,
        );
        core.command(Op::PhaseReset, 0, 0);
        let toward_zero = StepCommand {
            classifier_label: Some(0),
            ..StepCommand::default()
        };
        for _ in 0..10 {
            core.command(Op::Step, 0, toward_zero.word());
        }
        let c = &core.network().classifier.weights;
        assert_ne!(c, &net.classifier.weights, "the classifier learned nothing");
        assert!(c.iter().all(|&w| (-128..=127).contains(&w)), "{c:?}");
        assert!(c.contains(&-128), "no weight wrapped: {c:?}");
    }

    #[test]
    fn refuses_networks_the_core_cannot_hold() {
        let mut cfg = default_network();
        cfg.hidden = vec![cfg.hidden[0].clone(); 5];
        assert_eq!(
            CoreModel::new(&cfg).map(|_| ()),
            Err(CoreModelError::HiddenLayers { count: 5 })
        );
        let mut cfg = default_network();
        cfg.hidden[0].size = 4097;
        let err = CoreModel::new(&cfg).map(|_| ()).expect_err("too large");
        assert_eq!(
            err.to_string(),
            "hidden layer size = 4097 is above the learning core's limit of 4096"
        );
    }
}
