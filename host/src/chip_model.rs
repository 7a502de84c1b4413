//! [`ChipModel`]: a chip behind [`Model`], so that `spikeforge_sim::train` (`learn_sample`,
//! `evaluate`, `train`) drives it over the wire exactly as it drives the golden model:
//! `WRITE` of the pixels that changed, one `RUN_PHASE` per phase with the phase's `STEP` word,
//! `READ_PREDICTION`, and `READ`s of the phase's spike counts. [`load`] puts a network on the
//! chip as `testbenches/src/golden.rs::load` does through the core's port.

use std::cell::{Cell, RefCell};

use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{
    parameter_writes, CoreShape, LayerId, Register, StateField, StepCommand,
};
use spikeforge_sim::model::{digest_weights, Learn, Model, PhaseResult};
use spikeforge_sim::network::{Layer, Learned, Network};
use spikeforge_sim::wire::{
    parameter_hash, Identity, Space, FLAG_CLASSIFIER_SEES_INPUT, MAX_RUN_STEPS,
};

use crate::client::{Client, ClientError};
use crate::snapshot::{signed16, Snapshot};

/// Why a network cannot be loaded onto a chip.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The chip was generated for other sizes.
    #[error("network {network:?} has {field} = {wanted}, the chip on {link} has {chip}")]
    Mismatch {
        /// The network's name.
        network: String,
        /// The link.
        link: String,
        /// The field that differs.
        field: String,
        /// The network's value.
        wanted: String,
        /// The chip's value.
        chip: String,
    },
    /// The link failed.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Check that the chip `id` was generated for the sizes of `cfg` (the run-time parameters
/// are registers the host writes; fewer weight bits than the chip stores are allowed, as they
/// only lower `w_max`). A chip whose parameters are fixed in its logic
/// ([`FLAG_FIXED_PARAMETERS`](spikeforge_sim::wire::FLAG_FIXED_PARAMETERS)) takes only networks with the parameters it was generated for:
/// `cfg`'s [`parameter_hash`] must be the chip's (the seed and the other fields may differ).
pub fn check_fits(id: &Identity, cfg: &NetworkConfig, link: &str) -> Result<(), LoadError> {
    let chip_hidden = id.hidden_sizes();
    let mut fields: Vec<(String, usize, usize)> = vec![
        ("inputs".into(), cfg.inputs, id.inputs.into()),
        (
            "label inputs".into(),
            cfg.label_inputs(),
            id.label_inputs.into(),
        ),
        ("hidden layers".into(), cfg.hidden.len(), chip_hidden.len()),
    ];
    for (l, (layer, &chip)) in cfg.hidden.iter().zip(&chip_hidden).enumerate() {
        fields.push((format!("hidden[{l}].size"), layer.size, chip));
    }
    fields.extend([
        ("classes".into(), cfg.classes, id.classes.into()),
        (
            "classifier rows".into(),
            cfg.classifier_inputs(),
            id.classifier_rows.into(),
        ),
    ]);
    let mismatch = |field: String, wanted: String, chip: String| LoadError::Mismatch {
        network: cfg.name.clone(),
        link: link.to_string(),
        field,
        wanted,
        chip,
    };
    for (field, wanted, chip) in fields {
        if wanted != chip {
            return Err(mismatch(field, wanted.to_string(), chip.to_string()));
        }
    }
    let sees = id.flags & FLAG_CLASSIFIER_SEES_INPUT != 0;
    if sees != cfg.classifier_sees_input {
        return Err(mismatch(
            "classifier_sees_input".into(),
            cfg.classifier_sees_input.to_string(),
            sees.to_string(),
        ));
    }
    if let Some(chip) = id.parameter_hash {
        let wanted = parameter_hash(cfg);
        if wanted != chip {
            return Err(mismatch(
                "parameter hash (the chip's layer parameters are fixed in its logic: load the \
                 network it was generated for, or generate it for this one)"
                    .into(),
                format!("{wanted:016x}"),
                format!("{chip:016x}"),
            ));
        }
    }
    if cfg.weight_bits > id.weight_bits {
        return Err(mismatch(
            "weight_bits".into(),
            cfg.weight_bits.to_string(),
            format!("{} (at most)", id.weight_bits),
        ));
    }
    if cfg.steps > u32::from(MAX_RUN_STEPS) {
        return Err(mismatch(
            "steps".into(),
            cfg.steps.to_string(),
            format!("{MAX_RUN_STEPS} (at most, per RUN_PHASE)"),
        ));
    }
    Ok(())
}

fn word16(x: i16) -> u32 {
    u32::from(u16::from_le_bytes(x.to_le_bytes()))
}

fn write_layer(
    client: &mut Client,
    shape: &CoreShape,
    id: LayerId,
    layer: &Layer,
) -> Result<(), ClientError> {
    let fields: [(StateField, Vec<u32>); 5] = [
        (
            StateField::Membrane,
            layer.neurons.iter().map(|n| word16(n.v)).collect(),
        ),
        (
            StateField::Refractory,
            layer
                .neurons
                .iter()
                .map(|n| u32::from(n.refractory))
                .collect(),
        ),
        (
            StateField::Trace,
            layer.trace.iter().map(|&t| u32::from(t)).collect(),
        ),
        (
            StateField::Homeostasis,
            layer.homeostasis.iter().map(|&h| u32::from(h)).collect(),
        ),
        (
            StateField::Count,
            layer.counts.iter().map(|&c| u32::from(c)).collect(),
        ),
    ];
    for (field, values) in fields {
        client.write(
            Space::State,
            usize::from(shape.state_address(id, field, 0)),
            &values,
        )?;
    }
    Ok(())
}

/// Load `net` (a network of `cfg`) onto the chip: `pixels`, the weights and every neuron
/// state field of every layer, the status registers (threshold offsets, goodness, generator
/// states), every parameter of `parameter_writes` with `net.anneal` that the chip can write
/// (none of the layers' parameters when they are fixed in its logic). Consecutive register ids
/// go in one `WRITE`.
pub fn load(
    client: &mut Client,
    cfg: &NetworkConfig,
    net: &Network,
    pixels: &[u8],
) -> Result<(), LoadError> {
    check_fits(client.identity(), cfg, &client.link().describe())?;
    client.write(
        Space::Pixel,
        0,
        &pixels.iter().map(|&p| u32::from(p)).collect::<Vec<_>>(),
    )?;
    let shape = CoreShape::of(cfg);
    for id in shape.layers() {
        let Some(layer) = id.of(net) else {
            continue;
        };
        let w: Vec<u32> = layer.weights.iter().map(|&w| word16(w)).collect();
        client.write(Space::Weight(id), 0, &w)?;
    }
    for id in shape.layers() {
        if let Some(layer) = id.of(net) {
            write_layer(client, &shape, id, layer)?;
        }
    }
    let status = shape
        .registers()
        .into_iter()
        .filter(|r| r.readable())
        .map(|r| (r.id(), r.value(net)));
    let mut run: Option<(u16, Vec<u32>)> = None;
    let chip = client.identity().shape();
    let parameters = parameter_writes(cfg, net.anneal)
        .into_iter()
        .filter(|&(id, _)| chip.register_writable(id));
    for (id, value) in status.chain(parameters) {
        match &mut run {
            Some((start, values)) if usize::from(*start) + values.len() == usize::from(id) => {
                values.push(value);
            }
            _ => {
                if let Some((start, values)) = run.take() {
                    client.write(Space::Register, start.into(), &values)?;
                }
                run = Some((id, vec![value]));
            }
        }
    }
    if let Some((start, values)) = run {
        client.write(Space::Register, start.into(), &values)?;
    }
    Ok(())
}

/// A chip as a [`Model`]. [`Model`]'s methods cannot fail, so the first link error is kept
/// ([`ChipModel::take_failure`]) and every later call does nothing: a caller checks it after
/// each run of the training loop.
#[derive(Debug)]
pub struct ChipModel {
    client: RefCell<Client>,
    cfg: NetworkConfig,
    shape: CoreShape,
    pixels: Vec<u8>,
    counts: Vec<Vec<u16>>,
    phases: u64,
    failure: RefCell<Option<ClientError>>,
    failed: Cell<bool>,
}

impl ChipModel {
    /// Load `net` (a network of `cfg`, e.g. `Network::new(cfg)`) onto the chip with zero
    /// pixels and drive it.
    pub fn load(mut client: Client, cfg: &NetworkConfig, net: &Network) -> Result<Self, LoadError> {
        let pixels = vec![0u8; cfg.inputs];
        load(&mut client, cfg, net, &pixels)?;
        Ok(Self {
            client: RefCell::new(client),
            cfg: cfg.clone(),
            shape: CoreShape::of(cfg),
            pixels,
            counts: Vec::new(),
            phases: 0,
            failure: RefCell::new(None),
            failed: Cell::new(false),
        })
    }

    /// The first link error, which stopped the model.
    pub fn take_failure(&self) -> Option<ClientError> {
        self.failure.borrow_mut().take()
    }

    /// Whether a link error stopped the model.
    pub fn failed(&self) -> bool {
        self.failed.get()
    }

    /// The protocol client.
    pub fn client(&self) -> std::cell::RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    /// The pixels the chip holds.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Spike counts of the last phase, one list per layer in step order (hidden layers, then
    /// the classifier).
    pub fn counts(&self) -> &[Vec<u16>] {
        &self.counts
    }

    /// Phases run.
    pub fn phases(&self) -> u64 {
        self.phases
    }

    /// Everything the chip holds.
    pub fn snapshot(&self) -> Result<Snapshot, ClientError> {
        Snapshot::read(&mut self.client.borrow_mut())
    }

    /// The weights of every layer, read back, in step order (hidden layers, then the
    /// classifier), as a weights file holds them.
    pub fn weights(&self) -> Result<Vec<Vec<i16>>, ClientError> {
        let client = &mut *self.client.borrow_mut();
        self.shape
            .layers()
            .map(|layer| {
                let words = client.read(Space::Weight(layer), 0, self.shape.weight_words(layer))?;
                Ok(words.into_iter().map(signed16).collect())
            })
            .collect()
    }

    /// What the chip learned: every weight and every homeostatic threshold.
    pub fn learned(&self) -> Result<Learned, ClientError> {
        let weights = self.weights()?;
        let client = &mut *self.client.borrow_mut();
        let homeostasis = self
            .shape
            .layers()
            .map(|layer| {
                let start = self.shape.state_address(layer, StateField::Homeostasis, 0);
                let words =
                    client.read(Space::State, usize::from(start), self.shape.size(layer))?;
                Ok(words.into_iter().map(|w| (w & 0xFFFF) as u16).collect())
            })
            .collect::<Result<_, ClientError>>()?;
        Ok(Learned {
            weights,
            homeostasis,
        })
    }

    fn fail(&self, err: ClientError) {
        self.failed.set(true);
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some(err);
        }
    }

    fn phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> Result<PhaseResult, ClientError> {
        let client = self.client.get_mut();
        let changed = self
            .pixels
            .iter()
            .zip(pixels)
            .enumerate()
            .filter(|(_, (a, b))| a != b);
        let span = changed.fold(None, |span: Option<(usize, usize)>, (i, _)| {
            Some(span.map_or((i, i), |(first, _)| (first, i)))
        });
        if let Some((first, last)) = span {
            let values: Vec<u32> = pixels[first..=last].iter().map(|&p| u32::from(p)).collect();
            client.write(Space::Pixel, first, &values)?;
            self.pixels[first..=last].copy_from_slice(&pixels[first..=last]);
        }
        let word = StepCommand::of(learn, label_input).word();
        // The network validator and `check_fits` keep steps at most MAX_RUN_STEPS.
        let steps = u16::try_from(self.cfg.steps).unwrap_or(MAX_RUN_STEPS);
        client.run_phase(word, steps)?;
        let prediction = usize::from(client.read_prediction()?);
        let mut counts = Vec::new();
        for layer in self.shape.layers() {
            let start = usize::from(self.shape.state_address(layer, StateField::Count, 0));
            let words = client.read(Space::State, start, self.shape.size(layer))?;
            let low16 = |c: u32| u16::from_le_bytes([c.to_le_bytes()[0], c.to_le_bytes()[1]]);
            counts.push(words.into_iter().map(low16).collect::<Vec<u16>>());
        }
        let layer_spikes = counts
            .iter()
            .map(|xs| xs.iter().map(|&c| u64::from(c)).sum())
            .collect();
        self.counts = counts;
        self.phases += 1;
        Ok(PhaseResult {
            prediction,
            layer_spikes,
        })
    }
}

impl Model for ChipModel {
    fn config(&self) -> &NetworkConfig {
        &self.cfg
    }

    fn run_phase(
        &mut self,
        pixels: &[u8],
        label_input: Option<usize>,
        learn: Learn,
    ) -> PhaseResult {
        let stopped = PhaseResult {
            prediction: 0,
            layer_spikes: vec![0; self.shape.hidden_layers() + 1],
        };
        if self.failed() {
            return stopped;
        }
        match self.phase(pixels, label_input, learn) {
            Ok(result) => result,
            Err(err) => {
                self.fail(err);
                stopped
            }
        }
    }

    /// FNV-1a of the weights of every layer as read back, in the golden model's order (0
    /// after a link error).
    fn weights_digest(&self) -> u64 {
        if self.failed() {
            return 0;
        }
        match self.weights() {
            Ok(matrices) => digest_weights(matrices.iter().map(Vec::as_slice)),
            Err(err) => {
                self.fail(err);
                0
            }
        }
    }

    fn layer_sizes(&self) -> Vec<usize> {
        self.shape
            .layers()
            .map(|layer| self.shape.size(layer))
            .collect()
    }

    fn set_anneal(&mut self, halvings: u8) {
        if self.failed() {
            return;
        }
        let result = self.client.get_mut().write(
            Space::Register,
            usize::from(Register::Anneal.id()),
            &[u32::from(halvings)],
        );
        if let Err(err) = result {
            self.fail(err);
        }
    }
}
