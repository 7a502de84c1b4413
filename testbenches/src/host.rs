//! [`Host`]: a Verilated core driven like a host, one command per cycle (docs/spec.md §6).

use std::time::{Duration, Instant};

use spikeforge_hdl::top::host_interface::Op;

use crate::model::{CoreKind, Inputs, Model, Outputs};

/// Cycles a `STEP` or `PHASE_RESET` may stay busy before the host gives up.
const BUSY_LIMIT: u64 = 100_000_000;

/// A core driven over its host interface.
#[derive(Debug)]
pub struct Host {
    model: Model,
    inputs: Inputs,
    outputs: Outputs,
    cycles: u64,
    busy_cycles: u64,
    busy_time: Duration,
}

impl Host {
    /// A new core of `kind`, clocked once with no command (as the rust-hdl test does).
    pub fn new(kind: &'static CoreKind) -> Self {
        let mut model = Model::new(kind);
        let inputs = Inputs::default();
        model.set_inputs(&inputs);
        model.eval();
        let outputs = model.outputs();
        let mut host = Self {
            model,
            inputs,
            outputs,
            cycles: 0,
            busy_cycles: 0,
            busy_time: Duration::ZERO,
        };
        host.tick();
        host
    }

    /// One clock cycle with the inputs already presented: rising edge, then falling edge.
    /// Afterwards the outputs are those of the next cycle.
    pub fn tick(&mut self) {
        self.inputs.clock = true;
        self.model.set_inputs(&self.inputs);
        self.model.eval();
        self.inputs.clock = false;
        self.model.set_inputs(&self.inputs);
        self.model.eval();
        self.outputs = self.model.outputs();
        self.cycles += 1;
    }

    /// The outputs in the current cycle.
    pub fn outputs(&self) -> Outputs {
        self.outputs
    }

    /// Cycles clocked since the core was created.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Cycles spent busy in [`Host::run`] and the wall time they took.
    pub fn busy_stats(&self) -> (u64, Duration) {
        (self.busy_cycles, self.busy_time)
    }

    fn present(&mut self, op: Op, addr: u32, data: u32) {
        self.inputs.cmd_valid = true;
        self.inputs.cmd_op = op.code();
        self.inputs.cmd_addr = addr;
        self.inputs.cmd_data = data;
    }

    fn quiet(&mut self) {
        self.inputs.cmd_valid = false;
        self.inputs.cmd_op = Op::Nop.code();
        self.inputs.cmd_addr = 0;
        self.inputs.cmd_data = 0;
    }

    /// A command without response (a write, or the start of `STEP` / `PHASE_RESET`).
    pub fn write(&mut self, op: Op, addr: u32, data: u32) {
        assert!(
            !self.outputs.busy,
            "{op:?} to {addr} while busy (cycle {})",
            self.cycles
        );
        self.present(op, addr, data);
        self.tick();
        self.quiet();
    }

    /// One read: command in cycle `t`, answer in cycle `t + 2`.
    pub fn read(&mut self, op: Op, addr: u32) -> u32 {
        self.reads(&[(op, addr)])[0]
    }

    /// Reads issued back to back; each answer arrives two cycles after its command.
    pub fn reads(&mut self, requests: &[(Op, u32)]) -> Vec<u32> {
        assert!(
            !self.outputs.busy,
            "reads while busy (cycle {})",
            self.cycles
        );
        let mut answers = Vec::with_capacity(requests.len());
        for i in 0..=requests.len() {
            match requests.get(i) {
                Some(&(op, addr)) => self.present(op, addr, 0),
                None => self.quiet(),
            }
            self.tick();
            // Now in the cycle after command i: the answer to command i - 1 is out.
            let valid = self.outputs.rsp_valid;
            assert_eq!(
                valid,
                i > 0,
                "rsp_valid is {valid} one cycle after read {i} ({:?})",
                requests.get(i)
            );
            if valid {
                answers.push(self.outputs.rsp_data);
            }
        }
        self.quiet();
        answers
    }

    /// `PHASE_RESET` or `STEP`: the cycles `busy` stays high.
    pub fn run(&mut self, op: Op, data: u32) -> u64 {
        self.write(op, 0, data);
        let started = Instant::now();
        let mut cycles = 0;
        while self.outputs.busy {
            self.tick();
            cycles += 1;
            assert!(
                cycles < BUSY_LIMIT,
                "{op:?} ({data:#x}) still busy after {cycles} cycles"
            );
        }
        self.busy_time += started.elapsed();
        self.busy_cycles += cycles;
        cycles
    }
}
