//! The chip model at the wire: a network loaded and stepped through frames ends in the state of
//! the same network stepped directly; garbage and damaged frames never panic the model, never
//! leave a partial or invalid response, and are never executed.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use spikeforge_sim::chip::Chip;
use spikeforge_sim::config::NetworkConfig;
use spikeforge_sim::core_interface::{
    parameter_writes, CoreShape, Register, StateField, StepCommand,
};
use spikeforge_sim::model::{Learn, Model, Polarity};
use spikeforge_sim::network::{Layer, Network};
use spikeforge_sim::rng::Xorshift32;
use spikeforge_sim::wire::{
    decode_request, decode_response, max_read_count, max_write_count, Command, Response, Space,
    Status, MAX_PAYLOAD,
};

/// A supervised network that uses every rule: refractory periods, adaptive thresholds,
/// homeostasis, decay, a classifier that sees the pixels.
const BUSY_NETWORK: &str = r#"
name = "busy"
inputs = 12
classes = 4
steps = 4
negatives = "supervised"
seed = 5
weight_bits = 6
classifier_sees_input = true

[[hidden]]
size = 9
init_range = 31
leak_shift = 1
threshold = 10
refractory = 1
adapt_step = 2
adapt_target = 2
adapt_min = -20
adapt_max = 20
homeostasis_step = 5
homeostasis_decay_shift = 2
homeostasis_max = 40
trace_shift = 2
goodness_threshold = 131072
learn_shift = 8
decay_shift = 4

[classifier]
init_range = 20
leak_shift = 2
threshold = 12
refractory = 1
adapt_step = 1
adapt_target = 1
adapt_min = -8
adapt_max = 8
homeostasis_step = 2
homeostasis_decay_shift = 1
homeostasis_max = 9
trace_shift = 1
learn_shift = 6
decay_shift = 3
"#;

fn busy_network() -> NetworkConfig {
    NetworkConfig::from_toml_str(BUSY_NETWORK, "busy").expect("busy network is valid")
}

/// A host on the model's wire: one request at a time, every response checked.
struct Host {
    chip: Chip,
    seq: u8,
}

impl Host {
    fn new(cfg: &NetworkConfig) -> Self {
        Self {
            chip: Chip::new(cfg).expect("the network fits the core"),
            seq: 0,
        }
    }

    /// Send `command`, expect one OK response with the request's seq and opcode; its payload.
    fn call(&mut self, command: &Command) -> Vec<u8> {
        self.seq = self.seq.wrapping_add(1);
        let request = command.request(self.seq);
        let bytes = request.encode().expect("request fits a frame");
        let out = self.chip.feed(&bytes);
        let (last, frame) = out.split_last().expect("a response");
        assert_eq!(*last, 0, "the response ends with the delimiter");
        assert!(!frame.contains(&0), "exactly one response: {out:02X?}");
        let response = decode_response(frame).expect("a valid response frame");
        assert_eq!(
            (response.seq, response.opcode, response.status),
            (self.seq, request.opcode | 0x80, Status::Ok),
            "{command:?}"
        );
        response.payload
    }

    fn write(&mut self, space: Space, start: u32, values: &[u32]) {
        for (i, chunk) in values.chunks(max_write_count(space)).enumerate() {
            let offset = u32::try_from(i * max_write_count(space)).expect("32-bit address");
            self.call(&Command::Write {
                space,
                start: start + offset,
                values: chunk.to_vec(),
            });
        }
    }

    fn read(&mut self, space: Space, start: u32, count: usize) -> Vec<u32> {
        let mut values = Vec::with_capacity(count);
        let mut at = 0;
        while at < count {
            let n = (count - at).min(max_read_count(space));
            let payload = self.call(&Command::Read {
                space,
                start: start + u32::try_from(at).expect("32-bit address"),
                count: u16::try_from(n).expect("small count"),
            });
            assert_eq!(payload.len(), n * space.width());
            values.extend(spikeforge_sim::wire::unpack_values(space, &payload));
            at += n;
        }
        values
    }
}

fn word16(x: i16) -> u32 {
    u32::from(x as u16)
}

/// Every state value of a layer as the STATE space holds it, field by field.
fn state_fields(layer: &Layer) -> [(StateField, Vec<u32>); 5] {
    [
        (
            StateField::Membrane,
            layer.neurons.iter().map(|n| word16(n.v)).collect(),
        ),
        (
            StateField::Refractory,
            layer.neurons.iter().map(|n| n.refractory.into()).collect(),
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
    ]
}

/// A signed register as READ returns it: sign-extended to 32 bits.
fn word32(x: i16) -> u32 {
    u32::from_ne_bytes(i32::from(x).to_ne_bytes())
}

/// The status registers of every layer of a network and the encoder, as READ returns them
/// (offsets sign-extended), in id order.
fn status_registers(shape: &CoreShape, net: &Network) -> Vec<(Register, u32)> {
    shape
        .registers()
        .into_iter()
        .filter(|r| r.readable())
        .map(|r| {
            let value = r.value(net);
            let value = if r.signed() {
                word32(i16::from_ne_bytes((value as u16).to_ne_bytes()))
            } else {
                value
            };
            (r, value)
        })
        .collect()
}

/// Load all of `net`, its parameters and `pixels` through WRITE frames.
fn load(host: &mut Host, cfg: &NetworkConfig, net: &Network, pixels: &[u8]) {
    let shape = CoreShape::new(cfg).expect("the network fits");
    let pixels: Vec<u32> = pixels.iter().map(|&p| p.into()).collect();
    host.write(Space::Pixel, 0, &pixels);
    let words = |w: &[i16]| -> Vec<u32> { w.iter().map(|&x| word16(x)).collect() };
    for id in shape.layers() {
        let layer = id.of(net).expect("layer");
        host.write(Space::Weight(id), 0, &words(&layer.weights));
        for (field, values) in state_fields(layer) {
            host.write(
                Space::State,
                u32::from(shape.state_address(id, field, 0)),
                &values,
            );
        }
    }
    for (register, value) in status_registers(&shape, net) {
        host.write(Space::Register, u32::from(register.id()), &[value]);
    }
    for (id, value) in parameter_writes(cfg, net.anneal) {
        host.write(Space::Register, u32::from(id), &[value]);
    }
}

/// Read back all state through READ frames and compare it with `net`.
fn assert_same_state(host: &mut Host, net: &Network, when: &str) {
    let shape = CoreShape::new(net.config()).expect("the network fits");
    let words = |w: &[i16]| -> Vec<u32> { w.iter().map(|&x| word16(x)).collect() };
    for id in shape.layers() {
        let layer = id.of(net).expect("layer");
        let w = host.read(Space::Weight(id), 0, layer.weights.len());
        assert_eq!(w, words(&layer.weights), "{when}: weights of {id}");
        for (field, want) in state_fields(layer) {
            let start = shape.state_address(id, field, 0);
            let got = host.read(Space::State, u32::from(start), want.len());
            assert_eq!(got, want, "{when}: {field:?} of {id}");
        }
    }
    for (register, want) in status_registers(&shape, net) {
        let got = host.read(Space::Register, u32::from(register.id()), 1);
        assert_eq!(got, [want], "{when}: {}", register.name());
    }
    if shape.hidden_layers() == 1 {
        let registers = host.read(Space::Register, 0, 7);
        let want: Vec<u32> = status_registers(&shape, net).iter().map(|r| r.1).collect();
        assert_eq!(registers, want, "{when}: registers 0..=6");
    }
}

/// Random neuron state, offsets and goodness, so that loading is checked on every field.
fn scramble(net: &mut Network, rng: &mut Xorshift32) {
    for layer in net.hidden.iter_mut().chain([&mut net.classifier]) {
        for n in 0..layer.size() {
            layer.neurons[n].v = (rng.next() % 400) as i16 - 200;
            layer.neurons[n].refractory = (rng.next() % 3) as u8;
            layer.trace[n] = rng.next() as u8;
            layer.homeostasis[n] = (rng.next() % 10) as u16;
            layer.counts[n] = rng.next() as u16;
        }
        layer.theta_offset = (rng.next() % 11) as i16 - 5;
        layer.goodness = rng.next();
    }
}

fn run_against_network(cfg: &NetworkConfig, seed: u32) {
    let mut rng = Xorshift32::new(seed);
    let mut net = Network::new(cfg);
    net.anneal = 1;
    scramble(&mut net, &mut rng);
    let pixels: Vec<u8> = (0..cfg.inputs).map(|_| rng.next() as u8).collect();
    let initial = net.weight_matrices();
    let mut host = Host::new(cfg);
    load(&mut host, cfg, &net, &pixels);
    assert_same_state(&mut host, &net, "after loading");
    let label = (rng.next() % 4) as u8;
    let supervised = cfg.label_inputs() > 0;
    let phases = [
        (
            "positive",
            Learn {
                csdp: Some(Polarity::Positive),
                classifier: None,
            },
            supervised.then_some(label),
        ),
        (
            "classify",
            Learn {
                csdp: None,
                classifier: Some(usize::from(label)),
            },
            None,
        ),
        (
            "negative",
            Learn {
                csdp: Some(Polarity::Negative),
                classifier: None,
            },
            supervised.then_some((label + 1) % 4),
        ),
        ("inference", Learn::OFF, None),
    ];
    for (i, (name, learn, label_input)) in phases.into_iter().enumerate() {
        let word = StepCommand::of(learn, label_input.map(usize::from)).word();
        net.reset_phase();
        let steps = 3;
        // Alternate between RUN_PHASE and PHASE_RESET + STEP frames.
        if i % 2 == 0 {
            host.call(&Command::RunPhase { word, steps });
        } else {
            host.call(&Command::PhaseReset);
            for _ in 0..steps {
                host.call(&Command::Step { word });
            }
        }
        for _ in 0..steps {
            net.encode(&pixels, label_input.map(usize::from));
            net.step(learn);
        }
        assert_same_state(&mut host, &net, name);
        let prediction = host.call(&Command::ReadPrediction);
        assert_eq!(prediction, [net.prediction() as u8], "{name}: prediction");
    }
    // The anneal register reaches the learning shifts.
    host.write(Space::Register, u32::from(Register::Anneal.id()), &[3]);
    net.anneal = 3;
    let learn = Learn {
        csdp: Some(Polarity::Positive),
        classifier: Some(1),
    };
    host.call(&Command::RunPhase {
        word: StepCommand::of(learn, None).word(),
        steps: 2,
    });
    net.reset_phase();
    for _ in 0..2 {
        net.encode(&pixels, None);
        net.step(learn);
    }
    assert_same_state(&mut host, &net, "annealed");
    assert_ne!(
        net.weight_matrices(),
        initial,
        "nothing learned: a weak test"
    );
}

#[test]
fn a_network_loaded_and_run_through_frames_matches_the_network() {
    run_against_network(&busy_network(), 0xC41F_0001);
}

/// The busy network with hidden layers of `sizes`, each with the first one's parameters.
fn busy_network_with(sizes: &[usize]) -> NetworkConfig {
    let mut cfg = busy_network();
    let layer = cfg.hidden[0].clone();
    cfg.hidden = sizes
        .iter()
        .map(|&size| spikeforge_sim::config::LayerConfig {
            size,
            ..layer.clone()
        })
        .collect();
    cfg
}

#[test]
fn networks_with_more_hidden_layers_loaded_and_run_through_frames_match_the_network() {
    run_against_network(&busy_network_with(&[10, 7]), 0xC41F_0003);
    run_against_network(&busy_network_with(&[9, 8, 5]), 0xC41F_0004);
}

#[test]
fn the_default_network_loaded_and_run_through_frames_matches_the_network() {
    let cfg = NetworkConfig::default_network().expect("embedded default network");
    run_against_network(&cfg, 0xC41F_0002);
}

fn runner(seed: u8, cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}

/// Every response in `out` is a valid frame, and nothing follows the last delimiter.
fn responses(out: &[u8]) -> Result<Vec<Response>, TestCaseError> {
    prop_assert!(out.is_empty() || out.last() == Some(&0), "{:02X?}", out);
    out.split(|&b| b == 0)
        .filter(|frame| !frame.is_empty())
        .map(|frame| {
            decode_response(frame)
                .map_err(|err| TestCaseError::fail(format!("response {frame:02X?}: {err}")))
        })
        .collect()
}

/// Bytes biased toward delimiters, small codes and bytes of real frames.
fn garbage() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<u8>(),
            1 => Just(0u8),
            1 => 1u8..=8,
        ],
        0..2_000,
    )
}

#[test]
fn garbage_never_panics_and_every_response_is_a_frame() {
    let cfg = busy_network();
    runner(7, 300)
        .run(&(garbage(), 1usize..64), |(bytes, chunk)| {
            let mut chip = Chip::new(&cfg).expect("busy network fits");
            let mut out = Vec::new();
            for piece in bytes.chunks(chunk) {
                out.extend(chip.feed(piece));
            }
            for response in responses(&out)? {
                prop_assert!(response.payload.len() <= MAX_PAYLOAD);
                if response.is_link_error() {
                    prop_assert!(response.status.is_link_error());
                    prop_assert_eq!(response.seq, 0);
                } else {
                    prop_assert!(!response.status.is_link_error());
                }
            }
            Ok(())
        })
        .unwrap_or_else(|err| panic!("{err}"));
}

/// A frame with some bytes changed, inserted or removed (never the delimiter).
fn damage(frame: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let inner = frame.len() - 1;
    let edits = prop::collection::vec((0..inner, 0u8..3, 1u8..=255), 1..4);
    edits.prop_map(move |edits| {
        let mut bytes = frame[..inner].to_vec();
        for (at, kind, value) in edits {
            let at = at.min(bytes.len().saturating_sub(1));
            match kind {
                0 if !bytes.is_empty() => bytes[at] ^= value,
                1 => bytes.insert(at, value),
                _ if !bytes.is_empty() => {
                    bytes.remove(at);
                }
                _ => bytes.push(value),
            }
        }
        bytes.retain(|&b| b != 0);
        bytes.push(0);
        bytes
    })
}

#[test]
fn damaged_frames_are_never_executed() {
    let cfg = busy_network();
    let write = Command::Write {
        space: Space::HIDDEN_WEIGHT,
        start: 3,
        values: (0..40).map(|i| 0x0101 * i).collect(),
    };
    let frame = write.request(17).encode().expect("request fits");
    runner(8, 2_000)
        .run(&damage(frame.clone()), |damaged| {
            let mut chip = Chip::new(&cfg).expect("busy network fits");
            let before = chip.core().network().clone();
            let out = chip.feed(&damaged);
            let answers = responses(&out)?;
            prop_assert_eq!(answers.len(), 1);
            let intact = decode_request(&damaged[..damaged.len() - 1]).is_ok();
            if damaged != frame && !intact {
                prop_assert!(answers[0].is_link_error(), "{:?}", answers[0]);
                prop_assert_eq!(chip.core().network(), &before);
            }
            // The chip still answers the intact frame afterwards.
            let out = chip.feed(&frame);
            let answers = responses(&out)?;
            prop_assert_eq!(answers.len(), 1);
            prop_assert_eq!(answers[0].seq, 17);
            Ok(())
        })
        .unwrap_or_else(|err| panic!("{err}"));
}
