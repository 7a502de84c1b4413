//! What `gen-verilog` reports about a built core: its ports, memories and registers.
use super::{CoreInfo, LearningCore, MemoryInfo, ParameterInfo, PortInfo};
use crate::memory::{Ram, RamStyle};
use crate::top::host_interface::{parameter_id, LayerField, LayerId, Register};
use rust_hdl::prelude::*;
use spikeforge_sim::core_interface::ADDRESS_BITS;

impl LearningCore {
    /// Ports, memories and register ids of this core.
    pub fn info(&self) -> CoreInfo {
        let port = |name, direction, width| PortInfo {
            name,
            direction,
            width,
        };
        let ports = vec![
            port("clock", "in", 1),
            port("cmd_valid", "in", 1),
            port("cmd_op", "in", 5),
            port("cmd_addr", "in", ADDRESS_BITS),
            port("cmd_data", "in", 32),
            port("rsp_valid", "out", 1),
            port("rsp_data", "out", 32),
            port("busy", "out", 1),
        ];
        let memory = |name, words, width| MemoryInfo {
            name,
            words,
            banks: 1,
            width,
            storage: RamStyle::Inferred,
        };
        let banked = |name, banks: &[Ram<Bits<16>, ADDRESS_BITS>]| MemoryInfo {
            name,
            words: banks.iter().map(Ram::depth).sum(),
            banks: banks.len(),
            width: banks.first().map_or(0, Ram::stored_bits),
            storage: banks.first().map_or(RamStyle::Inferred, Ram::style),
        };
        let neuron_banks = |name, banks: usize, words: usize, width| MemoryInfo {
            banks,
            ..memory(name, words, width)
        };
        let (parameter_slots, parameter_words) = self.layer_registers.parameter_memories();
        let (hidden_events, classifier_events) = self.event_lists.words();
        let (hidden_entry, classifier_entry) = self.event_lists.entry_bits();
        let (neuron_words, bank_words) = self.neuron_memories.words();
        let lanes = self.lane_id.len();
        let mut memories = vec![
            memory("pixels", self.pixels.depth(), self.pixels.stored_bits()),
            banked("hidden_weights", &self.hidden_weights),
            banked("classifier_weights", &self.classifier_weights),
            memory("membrane", neuron_words, 16),
            memory("refractory", neuron_words, 8),
            neuron_banks("trace_mem", lanes, lanes * bank_words, 8),
            memory("homeostasis_mem", neuron_words, 16),
            memory("count", neuron_words, 16),
            neuron_banks(
                "current_mem",
                lanes,
                lanes * bank_words,
                self.neuron_memories.current_bits(),
            ),
            memory("hidden_events", hidden_events, hidden_entry),
            memory("classifier_events", classifier_events, classifier_entry),
            memory("sigmoid", self.error_stage.sigmoid_words(), 8),
        ];
        let fixed = self.layer_registers.fixed();
        if !fixed {
            memories.push(MemoryInfo {
                banks: parameter_slots,
                ..memory("parameters", parameter_slots * parameter_words, 16)
            });
        }
        let register = |id: u16, name: &str, width, access| ParameterInfo {
            id,
            name: name.to_string(),
            width,
            access,
        };
        let hidden_layers = self.status.hidden_offset.len();
        let hidden = |l: usize| {
            if hidden_layers == 1 {
                "hidden".to_string()
            } else {
                format!("hidden[{l}]")
            }
        };
        let mut parameters = Vec::new();
        for l in 0..hidden_layers {
            let layer = LayerId::hidden(l);
            let learn_state = if hidden_layers == 1 {
                "learn_state".to_string()
            } else {
                format!("{}.learn_state", hidden(l))
            };
            parameters.extend([
                register(
                    Register::ThetaOffset(layer).id(),
                    &format!("{}.theta_offset", hidden(l)),
                    16,
                    "rw",
                ),
                register(
                    Register::Goodness(layer).id(),
                    &format!("{}.goodness", hidden(l)),
                    32,
                    "rw",
                ),
                register(Register::LearnState(layer).id(), &learn_state, 32, "rw"),
            ]);
        }
        parameters.extend([
            register(
                Register::ThetaOffset(LayerId::CLASSIFIER).id(),
                "classifier.theta_offset",
                16,
                "rw",
            ),
            register(
                Register::Goodness(LayerId::CLASSIFIER).id(),
                "classifier.goodness",
                32,
                "rw",
            ),
            register(Register::EncoderState.id(), "encoder_state", 32, "rw"),
            register(
                Register::LearnState(LayerId::CLASSIFIER).id(),
                "classifier_state",
                32,
                "rw",
            ),
            register(Register::WeightMax.id(), "w_max", 15, "w"),
            register(Register::Anneal.id(), "anneal", 8, "w"),
        ]);
        // Fixed parameters are constants, not registers.
        let layers = (0..hidden_layers)
            .map(|l| (LayerId::hidden(l), hidden(l)))
            .chain([(LayerId::CLASSIFIER, "classifier".to_string())])
            .filter(|_| !fixed);
        for (layer_id, layer) in layers {
            for field in LayerField::ALL {
                if layer_id.is_classifier() && field == LayerField::GoodnessThreshold {
                    continue;
                }
                parameters.push(register(
                    parameter_id(layer_id, field),
                    &format!("{layer}.{}", field.name()),
                    field.width(),
                    "w",
                ));
            }
        }
        parameters.sort_by_key(|p| p.id);
        CoreInfo {
            ports,
            memories,
            parameters,
        }
    }
}
