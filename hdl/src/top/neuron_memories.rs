//! [`NeuronMemories`]: the learning core's neuron state (membrane, refractory counter,
//! homeostatic term, spike count, trace) and current accumulators, with their ports: the
//! host's, the sequencer's, the neuron update's write-back and integration's.
use crate::hw::SignExtend;
use crate::memory::Ram;
use crate::top::learning_core::{constant, replicate};
use rust_hdl::prelude::*;

/// The neuron memories (`docs/spec.md` §6, Memories). `membrane`, `refractory`,
/// `homeostasis` and `count` have one word per neuron word; `trace` and `current` are banked
/// by lane (neuron word `a` is word `a >> s` of bank `a & (P - 1)`).
///
/// Each cycle every memory reads at the sequencer's neuron word (`address`, in the banks
/// `word`), or while the core is idle (`host`) at the host's (`host_address`, `host_word`).
/// Writes, the last listed winning:
///
/// - the host's `WRITE_STATE` of one field (`write_*`, with `data`);
/// - `PHASE_RESET`'s clear (`clear`): the neuron word `address`'s membrane, refractory counter,
///   trace and count to 0 (not the homeostatic term);
/// - the neuron update's write-back (`writeback`): the neuron at `at` gets `*_next`, its
///   homeostatic term only while learning (`h_write`);
/// - integration's stage 2 (`integrate`): each valid lane's current, `j + w` (or `w` in the
///   layer's first event row) on the stored bits (every sum of the network fits them), at the
///   stage's word `stage_word`.
///
/// For the neuron update's data stage, it gives the current and trace of the neuron word
/// `stage_address` (addressed in the cycle before) from its bank.
#[derive(Debug, LogicBlock)]
pub struct NeuronMemories {
    /// The core's clock.
    pub clock: Signal<In, Clock>,
    /// The core is idle: the host addresses the memories.
    pub host: Signal<In, Bit>,
    /// The host's neuron word.
    pub host_address: Signal<In, Bits<16>>,
    /// The host's neuron word within its bank.
    pub host_word: Signal<In, Bits<16>>,
    /// The host's bank.
    pub host_lane: Signal<In, Bits<16>>,
    /// The host's value (its low 16 bits).
    pub data: Signal<In, Bits<16>>,
    /// The host writes a membrane.
    pub write_membrane: Signal<In, Bit>,
    /// The host writes a refractory counter.
    pub write_refractory: Signal<In, Bit>,
    /// The host writes a trace.
    pub write_trace: Signal<In, Bit>,
    /// The host writes a homeostatic term.
    pub write_homeostasis: Signal<In, Bit>,
    /// The host writes a spike count.
    pub write_count: Signal<In, Bit>,
    /// The sequencer's neuron word.
    pub address: Signal<In, Bits<16>>,
    /// The sequencer's neuron word within its bank (in integration and learning, the lanes'
    /// group's).
    pub word: Signal<In, Bits<16>>,
    /// The sequencer's bank.
    pub lane: Signal<In, Bits<16>>,
    /// `PHASE_RESET` clears neuron word `address`.
    pub clear: Signal<In, Bit>,
    /// The neuron update writes a neuron back.
    pub writeback: Signal<In, Bit>,
    /// Its neuron word.
    pub at: Signal<In, Bits<16>>,
    /// Its next membrane potential.
    pub v_next: Signal<In, Bits<16>>,
    /// Its next refractory counter.
    pub refractory_next: Signal<In, Bits<8>>,
    /// Its next homeostatic term.
    pub h_next: Signal<In, Bits<16>>,
    /// The homeostatic term is written (learning).
    pub h_write: Signal<In, Bit>,
    /// Its next spike count.
    pub count_next: Signal<In, Bits<16>>,
    /// Its next trace.
    pub trace_next: Signal<In, Bits<8>>,
    /// Integration's stage 2 holds a group.
    pub integrate: Signal<In, Bit>,
    /// Its neuron word within the banks.
    pub stage_word: Signal<In, Bits<16>>,
    /// Its first event row: the currents start from 0.
    pub first_row: Signal<In, Bit>,
    /// Lane `k` holds a synapse.
    pub lane_valid: Vec<Signal<In, Bit>>,
    /// Lane `k`'s weight, 16-bit signed.
    pub weight: Vec<Signal<In, Bits<16>>>,
    /// The neuron word in the neuron update's data stage.
    pub stage_address: Signal<In, Bits<16>>,
    /// The membrane read.
    pub v: Signal<Out, Bits<16>>,
    /// The refractory counter read.
    pub refractory: Signal<Out, Bits<8>>,
    /// The homeostatic term read.
    pub h: Signal<Out, Bits<16>>,
    /// The spike count read.
    pub count: Signal<Out, Bits<16>>,
    /// Bank `b`'s trace read.
    pub trace: Vec<Signal<Out, Bits<8>>>,
    /// The current of neuron word `stage_address`.
    pub stage_current: Signal<Out, Bits<32>>,
    /// The trace of neuron word `stage_address`.
    pub stage_trace: Signal<Out, Bits<8>>,
    membrane_mem: Ram<Bits<16>, 16>,
    refractory_mem: Ram<Bits<8>, 16>,
    homeostasis_mem: Ram<Bits<16>, 16>,
    count_mem: Ram<Bits<16>, 16>,
    trace_mem: Vec<Ram<Bits<8>, 16>>,
    current_mem: Vec<Ram<Bits<32>, 16>>,
    weight_wide: Vec<SignExtend<16, 32>>,
    current_base: Vec<Signal<Local, Bits<32>>>,
    stage_lane: Signal<Local, Bits<16>>,
    lane_id: Vec<Constant<Bits<16>>>,
    lane_shift: Constant<Bits<16>>,
    lane_mask: Constant<Bits<16>>,
}

impl NeuronMemories {
    /// The memories of `words` neuron words over `lanes` banks (a power of two); each bank of
    /// `bank_words` words; the current accumulators stored on `current_bits` bits (2 to 32:
    /// enough for every sum of the network, which the caller bounds).
    pub fn new(words: usize, lanes: usize, bank_words: usize, current_bits: usize) -> Self {
        Self {
            clock: Signal::default(),
            host: Signal::default(),
            host_address: Signal::default(),
            host_word: Signal::default(),
            host_lane: Signal::default(),
            data: Signal::default(),
            write_membrane: Signal::default(),
            write_refractory: Signal::default(),
            write_trace: Signal::default(),
            write_homeostasis: Signal::default(),
            write_count: Signal::default(),
            address: Signal::default(),
            word: Signal::default(),
            lane: Signal::default(),
            clear: Signal::default(),
            writeback: Signal::default(),
            at: Signal::default(),
            v_next: Signal::default(),
            refractory_next: Signal::default(),
            h_next: Signal::default(),
            h_write: Signal::default(),
            count_next: Signal::default(),
            trace_next: Signal::default(),
            integrate: Signal::default(),
            stage_word: Signal::default(),
            first_row: Signal::default(),
            lane_valid: replicate(lanes, Signal::default),
            weight: replicate(lanes, Signal::default),
            stage_address: Signal::default(),
            v: Signal::default(),
            refractory: Signal::default(),
            h: Signal::default(),
            count: Signal::default(),
            trace: replicate(lanes, Signal::default),
            stage_current: Signal::default(),
            stage_trace: Signal::default(),
            membrane_mem: Ram::new(words),
            refractory_mem: Ram::new(words),
            homeostasis_mem: Ram::new(words),
            count_mem: Ram::new(words),
            trace_mem: replicate(lanes, || Ram::new(bank_words)),
            current_mem: replicate(lanes, || {
                Ram::new(bank_words).with_signed_storage(current_bits)
            }),
            weight_wide: replicate(lanes, SignExtend::new),
            current_base: replicate(lanes, Signal::default),
            stage_lane: Signal::default(),
            lane_id: (0..lanes).map(constant).collect(),
            lane_shift: constant(lanes.trailing_zeros() as usize),
            lane_mask: constant(lanes - 1),
        }
    }

    /// Words of an unbanked memory, and of each bank of a banked one.
    pub fn words(&self) -> (usize, usize) {
        (
            self.membrane_mem.depth(),
            self.trace_mem.first().map_or(0, Ram::depth),
        )
    }

    /// Bits stored per current accumulator.
    pub fn current_bits(&self) -> usize {
        self.current_mem.first().map_or(32, Ram::stored_bits)
    }
}

impl Logic for NeuronMemories {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self,
            clock,
            membrane_mem,
            refractory_mem,
            homeostasis_mem,
            count_mem
        );
        // Reads at the sequencer's word, or the host's; writes of the neuron update's values
        // at the sequencer's word unless a port below says otherwise.
        self.membrane_mem.read_address.next = self.address.val();
        self.membrane_mem.write_address.next = self.address.val();
        self.membrane_mem.write_data.next = self.v_next.val();
        self.membrane_mem.read_enable.next = true;
        self.membrane_mem.write_enable.next = false;
        self.refractory_mem.read_address.next = self.address.val();
        self.refractory_mem.write_address.next = self.address.val();
        self.refractory_mem.write_data.next = self.refractory_next.val();
        self.refractory_mem.read_enable.next = true;
        self.refractory_mem.write_enable.next = false;
        self.homeostasis_mem.read_address.next = self.address.val();
        self.homeostasis_mem.write_address.next = self.address.val();
        self.homeostasis_mem.write_data.next = self.h_next.val();
        self.homeostasis_mem.read_enable.next = true;
        self.homeostasis_mem.write_enable.next = false;
        self.count_mem.read_address.next = self.address.val();
        self.count_mem.write_address.next = self.address.val();
        self.count_mem.write_data.next = self.count_next.val();
        self.count_mem.read_enable.next = true;
        self.count_mem.write_enable.next = false;
        for b in 0..self.lane_id.len() {
            self.trace_mem[b].clock.next = self.clock.val();
            self.trace_mem[b].read_address.next = self.word.val();
            self.trace_mem[b].write_address.next = self.word.val();
            self.trace_mem[b].write_data.next = self.trace_next.val();
            self.trace_mem[b].read_enable.next = true;
            self.trace_mem[b].write_enable.next = false;
            self.current_mem[b].clock.next = self.clock.val();
            self.current_mem[b].read_address.next = self.word.val();
            self.current_mem[b].write_address.next = self.stage_word.val();
            self.current_mem[b].read_enable.next = true;
            self.current_mem[b].write_enable.next = false;
            // Integration: j = (first event row ? 0 : j) + w, exact on the stored bits (which
            // hold every sum of the network), per lane.
            self.weight_wide[b].value.next = signed_cast(self.weight[b].val());
            self.current_base[b].next = self.current_mem[b].read_data.val();
            if self.first_row.val() {
                self.current_base[b].next = bits::<32>(0);
            }
            self.current_mem[b].write_data.next =
                self.current_base[b].val() + unsigned_cast(self.weight_wide[b].result.val());
        }
        if self.host.val() {
            self.membrane_mem.read_address.next = self.host_address.val();
            self.membrane_mem.write_address.next = self.host_address.val();
            self.membrane_mem.write_data.next = self.data.val();
            self.membrane_mem.write_enable.next = self.write_membrane.val();
            self.refractory_mem.read_address.next = self.host_address.val();
            self.refractory_mem.write_address.next = self.host_address.val();
            self.refractory_mem.write_data.next = self.data.val().get_bits::<8>(0);
            self.refractory_mem.write_enable.next = self.write_refractory.val();
            self.homeostasis_mem.read_address.next = self.host_address.val();
            self.homeostasis_mem.write_address.next = self.host_address.val();
            self.homeostasis_mem.write_data.next = self.data.val();
            self.homeostasis_mem.write_enable.next = self.write_homeostasis.val();
            self.count_mem.read_address.next = self.host_address.val();
            self.count_mem.write_address.next = self.host_address.val();
            self.count_mem.write_data.next = self.data.val();
            self.count_mem.write_enable.next = self.write_count.val();
            for b in 0..self.lane_id.len() {
                self.trace_mem[b].read_address.next = self.host_word.val();
                self.trace_mem[b].write_address.next = self.host_word.val();
                self.trace_mem[b].write_data.next = self.data.val().get_bits::<8>(0);
                self.trace_mem[b].write_enable.next =
                    self.write_trace.val() && (self.host_lane.val() == self.lane_id[b].val());
            }
        }
        if self.clear.val() {
            self.membrane_mem.write_data.next = bits::<16>(0);
            self.membrane_mem.write_enable.next = true;
            self.refractory_mem.write_data.next = bits::<8>(0);
            self.refractory_mem.write_enable.next = true;
            self.count_mem.write_data.next = bits::<16>(0);
            self.count_mem.write_enable.next = true;
            for b in 0..self.lane_id.len() {
                self.trace_mem[b].write_data.next = bits::<8>(0);
                self.trace_mem[b].write_enable.next = self.lane.val() == self.lane_id[b].val();
            }
        }
        if self.writeback.val() {
            self.membrane_mem.write_address.next = self.at.val();
            self.refractory_mem.write_address.next = self.at.val();
            self.homeostasis_mem.write_address.next = self.at.val();
            self.count_mem.write_address.next = self.at.val();
            self.membrane_mem.write_enable.next = true;
            self.refractory_mem.write_enable.next = true;
            self.homeostasis_mem.write_enable.next = self.h_write.val();
            self.count_mem.write_enable.next = true;
            for b in 0..self.lane_id.len() {
                self.trace_mem[b].write_address.next = self.at.val() >> self.lane_shift.val();
                self.trace_mem[b].write_enable.next =
                    (self.at.val() & self.lane_mask.val()) == self.lane_id[b].val();
            }
        }
        if self.integrate.val() {
            for b in 0..self.lane_id.len() {
                self.current_mem[b].write_enable.next = self.lane_valid[b].val();
            }
        }
        // The reads.
        self.v.next = self.membrane_mem.read_data.val();
        self.refractory.next = self.refractory_mem.read_data.val();
        self.h.next = self.homeostasis_mem.read_data.val();
        self.count.next = self.count_mem.read_data.val();
        self.stage_lane.next = self.stage_address.val() & self.lane_mask.val();
        self.stage_current.next = bits::<32>(0);
        self.stage_trace.next = bits::<8>(0);
        for b in 0..self.lane_id.len() {
            self.trace[b].next = self.trace_mem[b].read_data.val();
            if self.stage_lane.val() == self.lane_id[b].val() {
                self.stage_current.next = self.current_mem[b].read_data.val();
                self.stage_trace.next = self.trace_mem[b].read_data.val();
            }
        }
    }
}
