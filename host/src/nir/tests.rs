//! Export and import on graphs in memory: the round trip, the weight range, and each graph the
//! chip cannot take refused with one line naming the node.

use spikeforge_sim::config::{LayerConfig, NetworkConfig};
use spikeforge_sim::network::{Learned, Network};
use spikeforge_sim::rules::weight_max;

use super::export::export;
use super::import::{import, parse, ImportOptions};
use super::{Array, DType, Graph, Node, DEFAULT_DT};

/// Every network file of the project: one and more hidden layers, supervised (label inputs)
/// and self-supervised, classifiers that see the pixels, thresholds of 0, refractory periods.
fn networks() -> Vec<NetworkConfig> {
    let files = [
        include_str!("../../../networks/digits.toml"),
        include_str!("../../../networks/digits-supervised.toml"),
        include_str!("../../../networks/mnist.toml"),
        include_str!("../../../networks/up5k.toml"),
        include_str!("../../../verilated/networks/deep.toml"),
        include_str!("../../../verilated/networks/deep3.toml"),
        include_str!("../../../verilated/networks/mixed.toml"),
        include_str!("../../../verilated/networks/tiny.toml"),
        include_str!("../../../verilated/networks/wide.toml"),
    ];
    files
        .iter()
        .map(|text| NetworkConfig::from_toml_str(text, "network").expect("a valid network"))
        .collect()
}

/// The seeded initial weights with a few at the range's ends, and homeostatic thresholds of
/// 0 and more (the first neuron's 0, as in a layer with a silent neuron, or not).
fn weights(cfg: &NetworkConfig) -> Learned {
    let w_max = weight_max(cfg.weight_bits);
    let mut learned = Network::new(cfg).learned();
    for (l, m) in learned.weights.iter_mut().enumerate() {
        let first = l % m.len();
        m[first] = w_max;
        let last = m.len() - 1;
        m[last] = -w_max;
    }
    for (l, h) in learned.homeostasis.iter_mut().enumerate() {
        for (n, h) in h.iter_mut().enumerate() {
            *h = u16::try_from((n * 37 + l * 11) % 90).expect("small") * u16::from(n > l);
        }
    }
    learned
}

fn options(template: &NetworkConfig, keep_thresholds: bool) -> ImportOptions {
    ImportOptions {
        name: template.name.clone(),
        template: template.clone(),
        weight_bits: None,
        keep_thresholds,
        dt: DEFAULT_DT,
    }
}

#[test]
fn export_then_import_gives_back_the_network_and_weights_bit_for_bit() {
    for cfg in networks() {
        let w = weights(&cfg);
        let exported = export(&cfg, &w, DEFAULT_DT).expect("export");
        let imported = import(&exported.graph, &options(&cfg, true)).expect("import");
        assert_eq!(imported.cfg, cfg, "network {}", cfg.name);
        assert_eq!(imported.learned, w, "weights of network {}", cfg.name);
        for layer in &imported.layers {
            assert_eq!(layer.clipped, 0, "{} {}", cfg.name, layer.node);
            assert!(layer.max_error < 1e-3, "{} {layer:?}", cfg.name);
        }
    }
}

#[test]
fn a_changed_weight_does_not_come_back_unchanged() {
    // The round trip compares what it must: the graph carries the weights.
    let cfg = &networks()[0];
    let w = weights(cfg);
    let mut exported = export(cfg, &w, DEFAULT_DT).expect("export");
    let weight = &mut exported
        .graph
        .nodes
        .get_mut("w0")
        .expect("w0")
        .params
        .get_mut("weight")
        .expect("weight")
        .data[5];
    *weight += 1.0;
    let imported = import(&exported.graph, &options(cfg, true)).expect("import");
    assert_ne!(imported.learned.weights, w.weights);
    assert_eq!(imported.learned.homeostasis, w.homeostasis);
}

#[test]
fn export_writes_every_parameter_at_the_layer_shape() {
    let cfg = &networks()[4]; // deep: supervised, two hidden layers, classifier sees input
    let graph = export(cfg, &weights(cfg), 2e-3).expect("export").graph;
    let mut names: Vec<&str> = graph.nodes.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "c0",
            "c1",
            "c_input",
            "classifier",
            "input",
            "label",
            "label_w0",
            "label_w1",
            "lif0",
            "lif1",
            "output",
            "w0",
            "w1"
        ]
    );
    let lif1 = &graph.nodes["lif1"];
    assert_eq!(lif1.kind, "LIF");
    for (name, array) in &lif1.params {
        assert_eq!(array.shape, [5], "lif1.{name}");
    }
    let tau = 2e-3 * f64::from(1u32 << cfg.hidden[1].leak_shift);
    assert!(lif1.params["tau"]
        .data
        .iter()
        .all(|&t| (t - tau).abs() < 1e-12));
    let learned = weights(cfg);
    let unit = f64::from(cfg.hidden[1].threshold.max(1));
    for (n, (&v, &h)) in lif1.params["v_threshold"]
        .data
        .iter()
        .zip(&learned.homeostasis[1])
        .enumerate()
    {
        let expect = (f64::from(cfg.hidden[1].threshold) + f64::from(h)) / unit;
        assert!(
            (v - expect).abs() < 1e-6,
            "lif1.v_threshold[{n}] = {v}, expected {expect}"
        );
    }
    assert_eq!(graph.nodes["w1"].params["weight"].shape, [5, 7]);
    assert_eq!(graph.nodes["label_w1"].params["weight"].shape, [5, 3]);
    assert_eq!(graph.nodes["c_input"].params["weight"].shape, [3, 10]);
    assert_eq!(graph.nodes["c1"].params["weight"].shape, [3, 5]);
}

#[test]
fn import_scales_each_layer_to_the_weight_range() {
    let cfg = &networks()[0];
    let exported = export(cfg, &weights(cfg), DEFAULT_DT).expect("export");
    for bits in [4u8, 8, 12] {
        let opts = ImportOptions {
            weight_bits: Some(bits),
            ..options(cfg, false)
        };
        let imported = import(&exported.graph, &opts).expect("import");
        let w_max = weight_max(bits);
        for (m, layer) in imported.learned.weights.iter().zip(&imported.layers) {
            let largest = m.iter().map(|w| w.unsigned_abs()).max().expect("weights");
            assert_eq!(largest, w_max.unsigned_abs(), "{bits} bits, {}", layer.node);
            assert_eq!(layer.clipped, 0);
            assert!(layer.max_error <= 0.5 + 1e-9, "{layer:?}");
        }
    }
}

#[test]
fn scalar_parameters_are_broadcast_with_a_note() {
    let cfg = &networks()[0];
    let mut graph = export(cfg, &weights(cfg), DEFAULT_DT)
        .expect("export")
        .graph;
    let lif = graph.nodes.get_mut("lif0").expect("lif0");
    lif.params.insert(
        "tau".into(),
        Array {
            shape: vec![],
            data: vec![2.0 * DEFAULT_DT],
            dtype: DType::F32,
        },
    );
    let mut notes = Vec::new();
    let net = parse(&graph, &mut notes).expect("parse");
    assert_eq!(net.hidden[0].tau.len(), cfg.hidden[0].size);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("\"lif0\": tau is a scalar")),
        "{notes:?}"
    );
}

/// The default network's graph, changed by `change`, must be refused with one line that
/// contains each of `expect`.
fn refused(change: impl FnOnce(&mut Graph), expect: &[&str]) {
    let cfg = &networks()[0];
    let mut graph = export(cfg, &weights(cfg), DEFAULT_DT)
        .expect("export")
        .graph;
    change(&mut graph);
    let err = import(&graph, &options(cfg, false))
        .expect_err("must be refused")
        .to_string();
    assert!(!err.contains('\n'), "one line: {err}");
    for part in expect {
        assert!(err.contains(part), "{err:?} lacks {part:?}");
    }
}

fn affine(out: usize, inputs: usize) -> Node {
    Node::new(
        "Affine",
        [
            (
                "weight",
                Array::matrix(out, inputs, vec![0.1; out * inputs], DType::F32),
            ),
            ("bias", Array::filled(out, 0.0, DType::F32)),
        ],
    )
}

#[test]
fn a_cycle_is_refused_naming_its_nodes() {
    refused(
        |g| {
            g.node("back", affine(256, 10));
            g.edge("classifier", "back");
            g.edge("back", "lif0");
        },
        &["graph: a cycle", "back", "lif0", "c0", "classifier"],
    );
}

#[test]
fn an_unsupported_node_is_refused_by_name_and_type() {
    refused(
        |g| {
            g.node("pool", Node::new("SumPool2d", []));
            g.edge("input", "pool");
        },
        &[
            "node \"pool\" (SumPool2d)",
            "Input, Affine, Linear, LIF and Output",
        ],
    );
}

#[test]
fn a_weight_of_the_wrong_shape_is_refused() {
    refused(
        |g| {
            g.nodes.insert("w0".into(), affine(256, 63));
        },
        &["node \"w0\" (Affine)", "(256, 63)", "(256, 64)"],
    );
}

#[test]
fn lif_parameters_of_different_shapes_are_refused() {
    refused(
        |g| {
            let lif = g.nodes.get_mut("lif0").expect("lif0");
            lif.params
                .insert("r".into(), Array::filled(255, 1.0, DType::F32));
        },
        &["node \"lif0\" (LIF)", "r has shape (255,)", "(256,)"],
    );
}

#[test]
fn an_edge_to_a_missing_node_is_refused() {
    refused(
        |g| g.edge("lif0", "nowhere"),
        &["edge \"lif0\" -> \"nowhere\"", "no node"],
    );
}

#[test]
fn a_bias_is_refused() {
    refused(
        |g| {
            let w = g.nodes.get_mut("c0").expect("c0");
            w.params.get_mut("bias").expect("bias").data[3] = 0.5;
        },
        &["node \"c0\" (Affine)", "bias[3] = 0.5", "no bias"],
    );
}

#[test]
fn a_leak_toward_a_nonzero_potential_is_refused() {
    refused(
        |g| {
            let lif = g.nodes.get_mut("classifier").expect("classifier");
            lif.params.get_mut("v_leak").expect("v_leak").data[0] = -0.1;
        },
        &["node \"classifier\" (LIF)", "v_leak[0] = -0.1"],
    );
}

#[test]
fn a_layer_fed_without_weights_is_refused() {
    refused(
        |g| {
            g.edge("input", "lif0");
        },
        &["node \"lif0\" (LIF)", "fed by \"input\" (Input) directly"],
    );
}

#[test]
fn a_second_output_is_refused() {
    refused(
        |g| {
            g.node(
                "out2",
                Node::new(
                    "Output",
                    [("shape", Array::vector(vec![256.0], DType::I64))],
                ),
            );
            g.edge("lif0", "out2");
        },
        &["Output nodes", "out2"],
    );
}

#[test]
fn a_skip_connection_between_hidden_layers_is_refused() {
    // A second hidden layer fed by the pixels as well as the first: not a chain.
    refused(
        |g| {
            g.node("lif1", g.nodes["lif0"].clone());
            g.node("w1", affine(256, 256));
            g.edge("lif0", "w1");
            g.edge("w1", "lif1");
            g.node("skip", affine(256, 64));
            g.edge("input", "skip");
            g.edge("skip", "lif1");
        },
        &["\"lif1\"", "second projection"],
    );
}

#[test]
fn an_option_out_of_range_is_refused() {
    let cfg = &networks()[0];
    let graph = export(cfg, &weights(cfg), DEFAULT_DT)
        .expect("export")
        .graph;
    let err = import(
        &graph,
        &ImportOptions {
            dt: 0.0,
            ..options(cfg, false)
        },
    )
    .expect_err("dt 0");
    assert!(err.to_string().contains("--dt 0"), "{err}");
    let err = export(cfg, &weights(cfg), -1.0).expect_err("dt -1");
    assert!(err.to_string().contains("--dt -1"), "{err}");
}

#[test]
fn keep_thresholds_refuses_a_neuron_below_the_template_threshold() {
    let cfg = &networks()[0];
    let mut graph = export(cfg, &weights(cfg), DEFAULT_DT)
        .expect("export")
        .graph;
    let lif = graph.nodes.get_mut("lif0").expect("lif0");
    lif.params.get_mut("v_threshold").expect("v_threshold").data[9] = 0.5;
    let err = import(&graph, &options(cfg, true))
        .expect_err("below the template's threshold")
        .to_string();
    assert!(
        err.contains("node \"lif0\" (LIF): v_threshold[9] = 0.5 is below the template's threshold"),
        "{err}"
    );
    // Without the option the layer is scaled and neuron 9 sets its threshold.
    let imported = import(&graph, &options(cfg, false)).expect("range scale");
    let layer = &imported.layers[0];
    assert!(layer.homeostasis_max > 0, "{layer:?}");
    assert_eq!(imported.learned.homeostasis[0][9], 0);
}

/// 300 random networks (1 to 4 hidden layers of 1 to 24 neurons, 2 to 16-bit weights,
/// thresholds and leak shifts over their whole ranges, either negative mode, classifiers that
/// see the pixels or not) with random weights and homeostatic thresholds: each comes back bit
/// for bit.
#[test]
fn random_networks_round_trip_bit_for_bit() {
    use spikeforge_sim::config::NegativeMode;
    use spikeforge_sim::rng::Xorshift32;

    fn random_layer(
        rng: &mut Xorshift32,
        base: &LayerConfig,
        size: usize,
        w_max: i16,
    ) -> LayerConfig {
        LayerConfig {
            size,
            threshold: if rng.below(5) == 0 {
                0
            } else {
                i16::try_from(rng.below(32768)).expect("15 bits")
            },
            leak_shift: u8::try_from(rng.below(16)).expect("4 bits"),
            init_range: i16::try_from(rng.below(u32::from(w_max.unsigned_abs()) + 1))
                .expect("in range"),
            homeostasis_max: u16::try_from(rng.below(32768)).expect("15 bits"),
            ..base.clone()
        }
    }

    let mut rng = Xorshift32::new(0x5eed);
    let base = networks()[0].clone();
    for case in 0..300 {
        let mut cfg = base.clone();
        cfg.name = format!("random {case}");
        cfg.inputs = 1 + rng.below(30) as usize;
        cfg.classes = 2 + rng.below(11) as usize;
        cfg.weight_bits = 2 + u8::try_from(rng.below(15)).expect("small");
        cfg.negatives = if rng.below(2) == 0 {
            NegativeMode::Supervised
        } else {
            NegativeMode::SelfSupervised
        };
        cfg.classifier_sees_input = rng.below(2) == 0;
        let w_max = weight_max(cfg.weight_bits);
        let layers = 1 + rng.below(4) as usize;
        cfg.hidden = (0..layers)
            .map(|_| {
                let size = 1 + rng.below(24) as usize;
                random_layer(&mut rng, &base.hidden[0], size, w_max)
            })
            .collect();
        cfg.classifier = random_layer(&mut rng, &base.classifier, cfg.classes, w_max);
        let cfg = NetworkConfig::from_toml_str(&cfg.to_toml(), "random").expect("valid");
        let mut learned = Network::new(&cfg).learned();
        let span = 2 * u32::from(w_max.unsigned_abs()) + 1;
        for w in learned.weights.iter_mut().flatten() {
            *w = i16::try_from(i64::from(rng.below(span)) - i64::from(w_max)).expect("in range");
        }
        for h in learned.homeostasis.iter_mut().flatten() {
            *h = if rng.below(3) == 0 {
                0
            } else {
                u16::try_from(rng.below(65536)).expect("16 bits")
            };
        }
        let exported = export(&cfg, &learned, DEFAULT_DT).expect("export");
        let imported = import(&exported.graph, &options(&cfg, true)).expect("import");
        assert_eq!(imported.cfg, cfg, "case {case}");
        assert_eq!(imported.learned, learned, "case {case}: {}", cfg.to_toml());
    }
}
