//! [`PortDecoder`]: what a host command of the learning core does and where it lands: the
//! memory it reads or writes, its weight word and bank or its neuron word and bank.
use crate::top::host_interface::{LayerId, Op};
use crate::top::learning_core::{address_constant, constant, Address};
use rust_hdl::prelude::*;
use spikeforge_sim::core_interface::ADDRESS_BITS;

/// Decodes the command's operation and address (`docs/spec.md` §6, host interface) into the
/// strobes and the memory words and banks the core's `Idle` state uses. Combinational.
///
/// - A valid command raises the strobe of its operation: the memory it writes (a state write
///   the memory of its field, bits 14..12), a read (`read`, with the code `read_op` the
///   answer is made for: every hidden layer's weight read answers as hidden layer 0's),
///   a register write, `PHASE_RESET` or `STEP`. Codes of layers the core lacks and unknown
///   codes raise none.
/// - A weight operation's space is `(op - 1) >> 1`: hidden layer `l`'s weights are at its base
///   in W, so its word is `base_l + addr`; any other weight (the classifier's C) is at `addr`.
///   Word `a` is word `a >> s` of bank `a & (P - 1)`.
/// - A state address: bit 15 the classifier, bits 11..0 its neuron; else, with one hidden
///   layer, bits 11..0 the neuron, with more, bits 11..10 the hidden layer and 9..0 the
///   neuron. The layer's first neuron word plus the neuron is the neuron word, in bank
///   `word & (P - 1)`.
#[derive(Debug, LogicBlock)]
pub struct PortDecoder {
    /// The command's operation code.
    pub op: Signal<In, Bits<5>>,
    /// The command's address or register id (state addresses and register ids are its bits
    /// 15..0).
    pub addr: Signal<In, Address>,
    /// The command is valid (and the core idle).
    pub valid: Signal<In, Bit>,
    /// `WRITE_PIXEL`.
    pub write_pixel: Signal<Out, Bit>,
    /// A write of a hidden layer's weight.
    pub write_hidden_weight: Signal<Out, Bit>,
    /// A read of a hidden layer's weight.
    pub read_hidden_weight: Signal<Out, Bit>,
    /// A write of a classifier weight.
    pub write_classifier_weight: Signal<Out, Bit>,
    /// `WRITE_STATE` of a membrane.
    pub write_membrane: Signal<Out, Bit>,
    /// `WRITE_STATE` of a refractory counter.
    pub write_refractory: Signal<Out, Bit>,
    /// `WRITE_STATE` of a trace.
    pub write_trace: Signal<Out, Bit>,
    /// `WRITE_STATE` of a homeostatic term.
    pub write_homeostasis: Signal<Out, Bit>,
    /// `WRITE_STATE` of a spike count.
    pub write_count: Signal<Out, Bit>,
    /// `WRITE_REG`.
    pub write_register: Signal<Out, Bit>,
    /// `PHASE_RESET`.
    pub phase_reset: Signal<Out, Bit>,
    /// `STEP`.
    pub step: Signal<Out, Bit>,
    /// A read: the answer follows two cycles later.
    pub read: Signal<Out, Bit>,
    /// The read's code for the answer.
    pub read_op: Signal<Out, Bits<5>>,
    /// The weight's word within its bank (W for a hidden layer, else C; with paired banks,
    /// twice the lanes).
    pub weight_word: Signal<Out, Address>,
    /// The bank of the word the operation reads: the weight's, or for `READ_STATE` the
    /// neuron's.
    pub lane: Signal<Out, Bits<16>>,
    /// The neuron word of a state address, in the unbanked neuron memories.
    pub neuron_address: Signal<Out, Bits<16>>,
    /// The neuron's word within its bank of the banked neuron memories (traces).
    pub neuron_word: Signal<Out, Bits<16>>,
    /// The neuron's bank.
    pub neuron_lane: Signal<Out, Bits<16>>,
    // Combinational temporaries: the operation reads or writes a hidden layer's weights, ...
    hidden_weight: Signal<Local, Bit>,
    space: Signal<Local, Bits<5>>,
    weight_base: Signal<Local, Address>,
    weight_address: Signal<Local, Address>,
    state_neuron: Signal<Local, Bits<16>>,
    neuron_base: Signal<Local, Bits<16>>,
    // Per hidden layer: its number, weight space, first weight word and first neuron word.
    hidden_id: Vec<Constant<Bits<2>>>,
    hidden_space: Vec<Constant<Bits<5>>>,
    hidden_weight_base: Vec<Constant<Address>>,
    hidden_neuron_base: Vec<Constant<Bits<16>>>,
    classifier_neuron_base: Constant<Bits<16>>,
    hidden_read_op: Constant<Bits<5>>,
    stacked: Constant<Bit>,
    lane_shift: Constant<Bits<16>>,
    lane_mask: Constant<Bits<16>>,
    bank_shift: Constant<Bits<16>>,
    bank_mask: Constant<Bits<16>>,
}

/// `value` as a constant of `N` bits.
fn small<const N: usize>(value: u64) -> Constant<Bits<N>> {
    Constant::new(value.into())
}

impl PortDecoder {
    /// The decoder of a core with `lanes` banks of its neuron memories and `banks` of each
    /// weight memory (powers of two) whose hidden layer `l` has its weights from word
    /// `weight_bases[l]` of W and its neurons from word `neuron_bases[l]`; the classifier's
    /// neurons start at `neuron_bases[hidden layers]`.
    pub fn new(weight_bases: &[usize], neuron_bases: &[usize], lanes: usize, banks: usize) -> Self {
        let hidden_layers = weight_bases.len();
        assert!(
            (1..=4).contains(&hidden_layers) && neuron_bases.len() == hidden_layers + 1,
            "PortDecoder: {hidden_layers} hidden layers with {} neuron bases",
            neuron_bases.len()
        );
        assert!(
            lanes.is_power_of_two() && banks.is_power_of_two(),
            "PortDecoder: lanes = {lanes} or banks = {banks} is not a power of two"
        );
        Self {
            op: Signal::default(),
            addr: Signal::default(),
            valid: Signal::default(),
            write_pixel: Signal::default(),
            write_hidden_weight: Signal::default(),
            read_hidden_weight: Signal::default(),
            write_classifier_weight: Signal::default(),
            write_membrane: Signal::default(),
            write_refractory: Signal::default(),
            write_trace: Signal::default(),
            write_homeostasis: Signal::default(),
            write_count: Signal::default(),
            write_register: Signal::default(),
            phase_reset: Signal::default(),
            step: Signal::default(),
            read: Signal::default(),
            read_op: Signal::default(),
            hidden_weight: Signal::default(),
            weight_word: Signal::default(),
            lane: Signal::default(),
            neuron_address: Signal::default(),
            neuron_word: Signal::default(),
            neuron_lane: Signal::default(),
            space: Signal::default(),
            weight_base: Signal::default(),
            weight_address: Signal::default(),
            state_neuron: Signal::default(),
            neuron_base: Signal::default(),
            hidden_id: (0..hidden_layers as u64).map(small).collect(),
            hidden_space: (0..hidden_layers)
                .map(|l| {
                    small(u64::from(
                        (Op::WriteWeight(LayerId::hidden(l)).code() - 1) >> 1,
                    ))
                })
                .collect(),
            hidden_weight_base: weight_bases.iter().copied().map(address_constant).collect(),
            hidden_neuron_base: neuron_bases[..hidden_layers]
                .iter()
                .copied()
                .map(constant)
                .collect(),
            classifier_neuron_base: constant(neuron_bases[hidden_layers]),
            hidden_read_op: small(u64::from(Op::ReadWeight(LayerId::hidden(0)).code())),
            stacked: Constant::new(hidden_layers > 1),
            lane_shift: constant(lanes.trailing_zeros() as usize),
            lane_mask: constant(lanes - 1),
            bank_shift: constant(banks.trailing_zeros() as usize),
            bank_mask: constant(banks - 1),
        }
    }
}

impl Logic for PortDecoder {
    #[hdl_gen]
    fn update(&mut self) {
        // A state address: its layer's first neuron word plus its neuron.
        self.neuron_base.next = self.hidden_neuron_base[0].val();
        self.state_neuron.next = bit_cast::<16, 12>(self.addr.val().get_bits::<12>(0));
        if self.addr.val().get_bit(15) {
            self.neuron_base.next = self.classifier_neuron_base.val();
        } else if self.stacked.val() {
            self.state_neuron.next = bit_cast::<16, 10>(self.addr.val().get_bits::<10>(0));
            for l in 1..self.hidden_id.len() {
                if self.addr.val().get_bits::<2>(10) == self.hidden_id[l].val() {
                    self.neuron_base.next = self.hidden_neuron_base[l].val();
                }
            }
        }
        self.neuron_address.next = self.neuron_base.val() + self.state_neuron.val();
        self.neuron_word.next = self.neuron_address.val() >> self.lane_shift.val();
        self.neuron_lane.next = self.neuron_address.val() & self.lane_mask.val();
        // A weight: its layer's base in W plus the address (C's words start at 0).
        self.space.next = (self.op.val() - 1) >> 1;
        self.hidden_weight.next = false;
        self.weight_base.next = bits::<ADDRESS_BITS>(0);
        for l in 0..self.hidden_id.len() {
            if self.space.val() == self.hidden_space[l].val() {
                self.hidden_weight.next = true;
                self.weight_base.next = self.hidden_weight_base[l].val();
            }
        }
        self.weight_address.next = self.addr.val() + self.weight_base.val();
        self.weight_word.next = self.weight_address.val() >> self.bank_shift.val();
        self.lane.next = self.weight_address.val().get_bits::<16>(0) & self.bank_mask.val();
        if self.op.val().index() == 8 {
            self.lane.next = self.neuron_lane.val();
        }
        // The operation's strobes.
        self.write_pixel.next = false;
        self.write_hidden_weight.next = false;
        self.read_hidden_weight.next = false;
        self.write_classifier_weight.next = false;
        self.write_membrane.next = false;
        self.write_refractory.next = false;
        self.write_trace.next = false;
        self.write_homeostasis.next = false;
        self.write_count.next = false;
        self.write_register.next = false;
        self.phase_reset.next = false;
        self.step.next = false;
        self.read.next = false;
        self.read_op.next = self.op.val();
        if self.valid.val() {
            if self.hidden_weight.val() {
                // A hidden layer's weight: odd codes write.
                if self.op.val().get_bit(0) {
                    self.write_hidden_weight.next = true;
                } else {
                    self.read_hidden_weight.next = true;
                    self.read.next = true;
                    self.read_op.next = self.hidden_read_op.val();
                }
            }
            match self.op.val().index() {
                1 => {
                    self.write_pixel.next = true;
                }
                2 => {
                    self.read.next = true;
                }
                5 => {
                    self.write_classifier_weight.next = true;
                }
                6 => {
                    self.read.next = true;
                }
                7 => match self.addr.val().get_bits::<3>(12).index() {
                    0 => {
                        self.write_membrane.next = true;
                    }
                    1 => {
                        self.write_refractory.next = true;
                    }
                    2 => {
                        self.write_trace.next = true;
                    }
                    3 => {
                        self.write_homeostasis.next = true;
                    }
                    4 => {
                        self.write_count.next = true;
                    }
                    _ => {}
                },
                8 => {
                    self.read.next = true;
                }
                9 => {
                    self.write_register.next = true;
                }
                10 => {
                    self.read.next = true;
                }
                11 => {
                    self.phase_reset.next = true;
                }
                12 => {
                    self.step.next = true;
                }
                13 => {
                    self.read.next = true;
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth_check::assert_synthesizes_combinational;
    use crate::test_vectors::{
        assert_matches_golden, draw_cases, from_bit, from_bits, to_bits, Draw, GoldenCase, VECTORS,
    };
    use crate::top::host_interface::{CoreShape, StateField};

    const SEED: u32 = 0x1A7E_0005;
    /// The decoder under test: two hidden layers of 24 and 12 neurons after 16 pixels, 10
    /// classes, 4 lanes, 8 banks of each weight memory (paired banks).
    const LANES: u16 = 4;
    const BANKS: u16 = 8;
    const HIDDEN: [usize; 2] = [24, 12];

    fn shape() -> CoreShape {
        CoreShape {
            inputs: 16,
            label_inputs: 0,
            hidden: HIDDEN.to_vec(),
            classes: 10,
            classifier_rows: 36,
            classifier_sees_input: false,
            fixed_parameters: false,
        }
    }

    /// Layer `i` of the shape: hidden layer `i`, or the classifier after them.
    fn layer(i: usize) -> LayerId {
        if i < HIDDEN.len() {
            LayerId::hidden(i)
        } else {
            LayerId::CLASSIFIER
        }
    }

    /// The first weight word of each hidden layer in W: the layers' `rows * size` one after
    /// the other.
    fn weight_bases() -> Vec<usize> {
        let shape = shape();
        let mut bases = vec![0];
        for (l, size) in HIDDEN.iter().enumerate() {
            bases.push(bases[l] + shape.rows(LayerId::hidden(l)) * size);
        }
        bases.truncate(HIDDEN.len());
        bases
    }

    /// The first neuron word of each hidden layer and of the classifier, each hidden layer
    /// from a whole number of lanes.
    fn neuron_bases() -> Vec<usize> {
        let lanes = usize::from(LANES);
        vec![
            0,
            HIDDEN[0].next_multiple_of(lanes),
            HIDDEN[0].next_multiple_of(lanes) + HIDDEN[1].next_multiple_of(lanes),
        ]
    }

    fn uut() -> PortDecoder {
        let mut uut = PortDecoder::new(
            &weight_bases(),
            &neuron_bases(),
            usize::from(LANES),
            usize::from(BANKS),
        );
        uut.connect_all();
        uut
    }

    #[derive(Debug)]
    struct Case {
        op: u8,
        addr: u32,
        valid: bool,
    }

    /// A size or index as an `i64` for [`Draw::int`].
    fn wide(x: usize) -> i64 {
        i64::try_from(x).unwrap_or(i64::MAX)
    }

    fn narrow<T: TryFrom<i64>>(x: i64) -> T {
        T::try_from(x).unwrap_or_else(|_| panic!("{x} is outside the drawn range"))
    }

    impl GoldenCase for Case {
        type Widget = PortDecoder;

        fn draw(draw: &mut Draw) -> Self {
            let shape = shape();
            let which = narrow::<usize>(draw.int(0, wide(HIDDEN.len())));
            let id = layer(which);
            match draw.int(0, 2) {
                // A weight of a layer.
                0 => {
                    let op = if draw.int(0, 1) == 0 {
                        Op::WriteWeight(id)
                    } else {
                        Op::ReadWeight(id)
                    };
                    let size = if id.is_classifier() {
                        shape.classes
                    } else {
                        HIDDEN[which]
                    };
                    let words = shape.rows(id) * size;
                    Self {
                        op: op.code(),
                        addr: narrow(draw.int(0, wide(words) - 1)),
                        valid: draw.int(0, 3) > 0,
                    }
                }
                // A state word of a neuron.
                1 => {
                    let field = StateField::ALL[narrow::<usize>(draw.int(0, 4))];
                    let size = if id.is_classifier() {
                        shape.classes
                    } else {
                        HIDDEN[which]
                    };
                    let neuron = narrow::<usize>(draw.int(0, wide(size) - 1));
                    let op = if draw.int(0, 1) == 0 {
                        Op::WriteState
                    } else {
                        Op::ReadState
                    };
                    Self {
                        op: op.code(),
                        addr: shape.state_address(id, field, neuron).into(),
                        valid: draw.int(0, 3) > 0,
                    }
                }
                // Anything: bits 19..16 of a state address or register id are ignored.
                _ => Self {
                    op: narrow(draw.int(0, 31)),
                    addr: narrow(draw.int(0, (1 << ADDRESS_BITS) - 1)),
                    valid: draw.int(0, 3) > 0,
                },
            }
        }

        fn drive(&self, uut: &mut PortDecoder) {
            uut.op.next = to_bits(self.op.into());
            uut.addr.next = to_bits(self.addr.into());
            uut.valid.next = self.valid;
        }

        fn ports(&self) -> Vec<(&'static str, usize, i64)> {
            vec![
                ("op", 5, self.op.into()),
                ("addr", ADDRESS_BITS, self.addr.into()),
                ("valid", 1, self.valid.into()),
            ]
        }

        fn golden(&self) -> Vec<(&'static str, i64)> {
            let shape = shape();
            let layers = HIDDEN.len();
            // A hidden layer's weight operation, read or write.
            let weight_layer = (0..layers).find(|&l| {
                let id = LayerId::hidden(l);
                self.op == Op::WriteWeight(id).code() || self.op == Op::ReadWeight(id).code()
            });
            let weight_base = weight_layer.map_or(0, |l| weight_bases()[l]);
            let weight_address =
                (self.addr + narrow::<u32>(wide(weight_base))) % (1 << ADDRESS_BITS);
            // A state address's layer (hidden layer 0 for a layer code the core lacks).
            let state = shape.split_state_address(self.addr as u16);
            let base = match state.layer {
                LayerId::Classifier => neuron_bases()[layers],
                LayerId::Hidden(l) if usize::from(l) < layers => neuron_bases()[usize::from(l)],
                LayerId::Hidden(_) => neuron_bases()[0],
            };
            let neuron_address = state.neuron.wrapping_add(narrow(wide(base)));
            let mut lane = weight_address % u32::from(BANKS);
            if self.op == Op::ReadState.code() {
                lane = (neuron_address % LANES).into();
            }
            // The operation, if the core has it.
            let op = Op::from_code(self.op)
                .filter(|op| match op {
                    Op::WriteWeight(LayerId::Hidden(l)) | Op::ReadWeight(LayerId::Hidden(l)) => {
                        usize::from(*l) < layers
                    }
                    _ => true,
                })
                .filter(|_| self.valid);
            let is = |want: Op| op == Some(want);
            let field =
                |want: StateField| is(Op::WriteState) && (self.addr >> 12) & 0x7 == want as u32;
            let hidden_read = matches!(op, Some(Op::ReadWeight(LayerId::Hidden(_))));
            let read_op = if hidden_read {
                Op::ReadWeight(LayerId::hidden(0)).code()
            } else {
                self.op
            };
            vec![
                ("write_pixel", is(Op::WritePixel).into()),
                (
                    "write_hidden_weight",
                    matches!(op, Some(Op::WriteWeight(LayerId::Hidden(_)))).into(),
                ),
                ("read_hidden_weight", hidden_read.into()),
                (
                    "write_classifier_weight",
                    is(Op::WriteWeight(LayerId::Classifier)).into(),
                ),
                ("write_membrane", field(StateField::Membrane).into()),
                ("write_refractory", field(StateField::Refractory).into()),
                ("write_trace", field(StateField::Trace).into()),
                ("write_homeostasis", field(StateField::Homeostasis).into()),
                ("write_count", field(StateField::Count).into()),
                ("write_register", is(Op::WriteRegister).into()),
                ("phase_reset", is(Op::PhaseReset).into()),
                ("step", is(Op::Step).into()),
                ("read", op.is_some_and(Op::is_read).into()),
                ("read_op", read_op.into()),
                ("weight_word", (weight_address / u32::from(BANKS)).into()),
                ("lane", lane.into()),
                ("neuron_address", neuron_address.into()),
                ("neuron_word", (neuron_address / LANES).into()),
                ("neuron_lane", (neuron_address % LANES).into()),
            ]
        }

        fn read(uut: &PortDecoder) -> Vec<(&'static str, i64)> {
            vec![
                ("write_pixel", from_bit(uut.write_pixel.val())),
                (
                    "write_hidden_weight",
                    from_bit(uut.write_hidden_weight.val()),
                ),
                ("read_hidden_weight", from_bit(uut.read_hidden_weight.val())),
                (
                    "write_classifier_weight",
                    from_bit(uut.write_classifier_weight.val()),
                ),
                ("write_membrane", from_bit(uut.write_membrane.val())),
                ("write_refractory", from_bit(uut.write_refractory.val())),
                ("write_trace", from_bit(uut.write_trace.val())),
                ("write_homeostasis", from_bit(uut.write_homeostasis.val())),
                ("write_count", from_bit(uut.write_count.val())),
                ("write_register", from_bit(uut.write_register.val())),
                ("phase_reset", from_bit(uut.phase_reset.val())),
                ("step", from_bit(uut.step.val())),
                ("read", from_bit(uut.read.val())),
                ("read_op", from_bits(uut.read_op.val())),
                ("weight_word", from_bits(uut.weight_word.val())),
                ("lane", from_bits(uut.lane.val())),
                ("neuron_address", from_bits(uut.neuron_address.val())),
                ("neuron_word", from_bits(uut.neuron_word.val())),
                ("neuron_lane", from_bits(uut.neuron_lane.val())),
            ]
        }
    }

    #[test]
    fn port_decoder_matches_the_wire_addresses() {
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_matches_golden("PortDecoder", &mut uut(), &cases);
    }

    #[test]
    fn port_decoder_synthesizes() {
        let cases: Vec<Case> = draw_cases(SEED, VECTORS);
        assert_synthesizes_combinational("port_decoder", &uut(), &cases);
    }
}
