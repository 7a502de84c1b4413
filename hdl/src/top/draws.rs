//! [`Draws`]: the random numbers of the learning core: the encoder's, and each learning
//! lane's for its stochastic rounding, drawn from the generators' streams exactly as the
//! golden model draws them one by one.
use crate::encoder::Xorshift32Jump;
use crate::top::learning_core::replicate;
use rust_hdl::prelude::*;

/// The generators' draws (`docs/spec.md` §6, Lanes). Lane `k`'s generator steps its source
/// `k + 1` times ([`Xorshift32Jump`]), so a group of lanes draws the next numbers of the
/// stream at once. The source is:
///
/// - while encoding (`encode`): the encoder's generator register;
/// - else the stream after the group in learning's stage 3 (`round_stage`): the draw of its
///   last valid lane (`next_state`, for its layer's generator register);
/// - else, with stage 3 empty, the generator register of the layer of the group in stage 2
///   (`stage_state`).
///
/// The lanes' draws are registered (`draw`): the group that reaches stage 3 in the next cycle
/// rounds with them.
///
/// The encoder's next state, `encoder_next` (unregistered), is one step of its generator
/// register. With one lane it is lane 0's draw; with more, a generator of its own steps the
/// register, so that the encoder's path (draw, comparison with the pixel, the input event's
/// append) does not start at the source's select, whose state decoding fans out to every
/// lane's generator (16 lanes on the ECP5: 46 MHz with the shared draw, 50 MHz without).
#[derive(Debug, LogicBlock)]
pub struct Draws {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// The encoder draws.
    pub encode: Signal<In, Bit>,
    /// The encoder's generator register.
    pub encoder_state: Signal<In, Bits<32>>,
    /// The generator register of the layer of the group in stage 2.
    pub stage_state: Signal<In, Bits<32>>,
    /// Stage 3 holds a group.
    pub round_stage: Signal<In, Bit>,
    /// Its lane `k` holds a synapse.
    pub round_lane_valid: Vec<Signal<In, Bit>>,
    /// The encoder's generator after its draw.
    pub encoder_next: Signal<Out, Bits<32>>,
    /// The stream after the group in stage 3.
    pub next_state: Signal<Out, Bits<32>>,
    /// Lane `k`'s draw for the group reaching stage 3.
    pub draw: Vec<Signal<Out, Bits<32>>>,
    generator: Vec<Xorshift32Jump>,
    // The encoder's own generator, with more than one lane.
    encoder_generator: Vec<Xorshift32Jump>,
    draw_q: Vec<DFF<Bits<32>>>,
    source: Signal<Local, Bits<32>>,
}

impl Draws {
    /// The draws of `lanes` lanes.
    pub fn new(lanes: usize) -> Self {
        Self {
            clock: Signal::default(),
            encode: Signal::default(),
            encoder_state: Signal::default(),
            stage_state: Signal::default(),
            round_stage: Signal::default(),
            round_lane_valid: replicate(lanes, Signal::default),
            encoder_next: Signal::default(),
            next_state: Signal::default(),
            draw: replicate(lanes, Signal::default),
            generator: (1..=lanes).map(Xorshift32Jump::new).collect(),
            encoder_generator: (lanes > 1)
                .then(|| Xorshift32Jump::new(1))
                .into_iter()
                .collect(),
            draw_q: replicate(lanes, DFF::default),
            source: Signal::default(),
        }
    }
}

impl Logic for Draws {
    #[hdl_gen]
    fn update(&mut self) {
        // The stream's state after the group in stage 3 is the draw of its last valid lane.
        self.next_state.next = self.draw_q[0].q.val();
        for k in 0..self.draw_q.len() {
            if self.round_lane_valid[k].val() {
                self.next_state.next = self.draw_q[k].q.val();
            }
        }
        self.source.next = self.stage_state.val();
        if self.round_stage.val() {
            self.source.next = self.next_state.val();
        }
        if self.encode.val() {
            self.source.next = self.encoder_state.val();
        }
        for k in 0..self.draw_q.len() {
            self.draw_q[k].clock.next = self.clock.val();
            self.generator[k].state.next = self.source.val();
            self.draw_q[k].d.next = self.generator[k].next_state.val();
            self.draw[k].next = self.draw_q[k].q.val();
        }
        self.encoder_next.next = self.generator[0].next_state.val();
        for g in 0..self.encoder_generator.len() {
            self.encoder_generator[g].state.next = self.encoder_state.val();
            self.encoder_next.next = self.encoder_generator[g].next_state.val();
        }
    }
}
