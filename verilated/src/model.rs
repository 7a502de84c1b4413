//! The Verilated cores and chips behind a safe interface: the one place this crate uses
//! `unsafe`.
//!
//! `build.rs` writes `$OUT_DIR/models.rs`: the `extern "C"` functions of `src/shim.cpp` for
//! every core variant under test, one [`CoreKind`] static per variant, [`ALL`]; the functions
//! of `src/chip_shim.cpp` for every chip, one [`ChipKind`] static per chip, [`CHIPS`]; and
//! [`WAVES`].
//!
//! # Waveforms
//!
//! Built with `SPIKEFORGE_WAVES=vcd` (or `fst`) in the environment, every [`Model`] and
//! [`ChipModel`] writes a waveform of all its signals to `build/waves/<test>.<model>.<n>.vcd`
//! (or `.fst`) at the workspace root: `<test>` is the test's name (the thread's name, else the
//! executable's), `<model>` the core's or chip's name and `<n>` counts the models of the
//! process, so no two instances of one run share a file. Each evaluation is one dump, two per
//! clock cycle: 10 ns apart for a core (50 MHz), 41.667 ns for a chip (12 MHz). The variable is
//! read when the crate is built, so changing it rebuilds the models; unset, they carry no
//! tracing code:
//!
//! ```text
//! SPIKEFORGE_WAVES=vcd cargo test -p spikeforge-testbenches --test t_core_small_golden
//! ```
#![allow(unsafe_code)]

use std::ffi::{c_char, c_void, CString};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use spikeforge_hdl::top::{CoreOptions, StateMachine};
use spikeforge_sim::config::{ConfigError, NetworkConfig};

/// The shim's functions for one model class.
#[derive(Debug, Clone, Copy)]
struct Functions {
    new: unsafe extern "C" fn() -> *mut c_void,
    delete: unsafe extern "C" fn(*mut c_void),
    set_inputs: unsafe extern "C" fn(*mut c_void, u8, u8, u8, u32, u32),
    eval: unsafe extern "C" fn(*mut c_void),
    outputs: unsafe extern "C" fn(*const c_void, *mut u8, *mut u32, *mut u8),
    open_waves: unsafe extern "C" fn(*mut c_void, *const c_char) -> u8,
}

/// A core built into this crate: its network and the functions of its Verilated model.
#[derive(Debug)]
pub struct CoreKind {
    name: &'static str,
    toml: Option<&'static str>,
    options: CoreOptions,
    functions: Functions,
}

include!(concat!(env!("OUT_DIR"), "/models.rs"));

impl CoreKind {
    /// The model's name (`V<name>` is its Verilated class).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How the core was built.
    pub fn options(&self) -> CoreOptions {
        self.options
    }

    /// The network the core was generated from.
    pub fn config(&self) -> Result<NetworkConfig, ConfigError> {
        match self.toml {
            Some(text) => NetworkConfig::from_toml_str(text, self.name),
            None => NetworkConfig::default_network(),
        }
    }
}

/// The chip shim's functions for one chip class.
#[derive(Debug, Clone, Copy)]
struct ChipFunctions {
    new: unsafe extern "C" fn() -> *mut c_void,
    delete: unsafe extern "C" fn(*mut c_void),
    cycle: unsafe extern "C" fn(*mut c_void, u8, u8, *mut u8, *mut u8),
    open_waves: unsafe extern "C" fn(*mut c_void, *const c_char) -> u8,
    /// An RTL chip's state registers; a netlist's are not reachable.
    states: Option<StateFunctions>,
}

/// The chip shim's access to the state registers of an RTL chip (machine numbers in the
/// order of [`StateMachine::ALL`]).
#[derive(Debug, Clone, Copy)]
struct StateFunctions {
    state: unsafe extern "C" fn(*mut c_void, u8) -> u8,
    force_state: unsafe extern "C" fn(*mut c_void, u8, u8) -> u8,
}

/// A chip built into this crate (the whole chip at its UART pins): its network, its core's
/// options, its bit time and the functions of its Verilated model.
#[derive(Debug)]
pub struct ChipKind {
    name: &'static str,
    toml: Option<&'static str>,
    options: CoreOptions,
    clocks_per_bit: u16,
    functions: ChipFunctions,
}

impl ChipKind {
    /// The model's name (`V<name>` is its Verilated class).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How the chip's core was built.
    pub fn options(&self) -> CoreOptions {
        self.options
    }

    /// Clock cycles per UART bit, fixed when the Verilog was generated.
    pub fn clocks_per_bit(&self) -> u16 {
        self.clocks_per_bit
    }

    /// The network the chip was generated from.
    pub fn config(&self) -> Result<NetworkConfig, ConfigError> {
        match self.toml {
            Some(text) => NetworkConfig::from_toml_str(text, self.name),
            None => NetworkConfig::default_network(),
        }
    }

    /// Whether [`ChipModel::state`] and [`ChipModel::force_state`] reach its state registers
    /// (an RTL chip; not a gate-level netlist).
    pub fn has_state_access(&self) -> bool {
        self.functions.states.is_some()
    }
}

/// The chip's output pins in one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pins {
    /// `uart_tx`: the serial line to the host, high when idle.
    pub uart_tx: bool,
    /// `active`: a request is being executed or answered.
    pub active: bool,
}

/// One instance of a Verilated chip, freed on drop. Powered up with the clock low and
/// `uart_rx` idle (high).
#[derive(Debug)]
pub struct ChipModel {
    kind: &'static ChipKind,
    shim: NonNull<c_void>,
}

impl ChipModel {
    /// A new instance of `kind`, evaluated once at power-up.
    pub fn new(kind: &'static ChipKind) -> Self {
        // SAFETY: `new` allocates a model and returns an owned pointer to it.
        let shim = unsafe { (kind.functions.new)() };
        let shim = NonNull::new(shim)
            .unwrap_or_else(|| panic!("the shim returned no model for {}", kind.name));
        let model = Self { kind, shim };
        // SAFETY: `shim` is the live model `new` returned.
        open_waves(kind.name, |path| unsafe {
            (kind.functions.open_waves)(model.shim.as_ptr(), path)
        });
        model
    }

    /// The chip this model simulates.
    pub fn kind(&self) -> &'static ChipKind {
        self.kind
    }

    /// One clock cycle with `uart_rx` on the line (rising edge, falling edge); the output
    /// pins as they are in the next cycle.
    pub fn cycle(&mut self, uart_rx: bool) -> Pins {
        self.cycle_reset(uart_rx, false)
    }

    /// [`ChipModel::cycle`] with the chip's synchronous `reset` input as given: high, the
    /// rising edge returns every register to its power-up value (`docs/spec.md` §7.10).
    pub fn cycle_reset(&mut self, uart_rx: bool, reset: bool) -> Pins {
        let (mut uart_tx, mut active) = (0u8, 0u8);
        // SAFETY: `shim` is the live model `new` returned; the pointers are to locals.
        unsafe {
            (self.kind.functions.cycle)(
                self.shim.as_ptr(),
                uart_rx.into(),
                reset.into(),
                &mut uart_tx,
                &mut active,
            );
        }
        Pins {
            uart_tx: uart_tx != 0,
            active: active != 0,
        }
    }
}

impl ChipModel {
    fn state_functions(&self) -> StateFunctions {
        self.kind.functions.states.unwrap_or_else(|| {
            panic!(
                "chip {} is a netlist: its state registers are not reachable",
                self.kind.name
            )
        })
    }

    /// The encoding in the state register of `machine` (panics for a gate-level chip).
    pub fn state(&mut self, machine: StateMachine) -> u8 {
        let functions = self.state_functions();
        // SAFETY: `shim` is the live model `new` returned.
        let state = unsafe { (functions.state)(self.shim.as_ptr(), machine_number(machine)) };
        assert_ne!(
            state,
            0xFF,
            "the shim has no state register for {}",
            machine.name()
        );
        state
    }

    /// Make the next rising edge store `encoding` in the state register of `machine`, in
    /// place of what its logic computed: an upset, for the tests of the unused encodings.
    /// Call it with the serial line as it was in the last cycle (a change re-evaluates the
    /// receiver's logic before the edge). Panics for a gate-level chip or an encoding wider
    /// than the register.
    pub fn force_state(&mut self, machine: StateMachine, encoding: u8) {
        let (_, bits) = machine.encodings();
        assert!(
            u32::from(encoding) < 1 << bits,
            "encoding {encoding} does not fit the {bits}-bit state register of {}",
            machine.name()
        );
        let functions = self.state_functions();
        // SAFETY: `shim` is the live model `new` returned.
        let forced = unsafe {
            (functions.force_state)(self.shim.as_ptr(), machine_number(machine), encoding)
        };
        assert_eq!(
            forced,
            1,
            "the shim has no state register for {}",
            machine.name()
        );
    }
}

/// The shim's number of `machine`: its place in [`StateMachine::ALL`].
fn machine_number(machine: StateMachine) -> u8 {
    let at = StateMachine::ALL
        .iter()
        .position(|&m| m == machine)
        .unwrap_or_else(|| panic!("{} is not in StateMachine::ALL", machine.name()));
    u8::try_from(at).unwrap_or(u8::MAX)
}

impl Drop for ChipModel {
    fn drop(&mut self) {
        // SAFETY: `shim` came from `new` of the same kind and is freed exactly once.
        unsafe { (self.kind.functions.delete)(self.shim.as_ptr()) }
    }
}

/// Values of the core's input ports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inputs {
    /// `clock`.
    pub clock: bool,
    /// `cmd_valid`.
    pub cmd_valid: bool,
    /// `cmd_op`, 5 bits.
    pub cmd_op: u8,
    /// `cmd_addr`, `ADDRESS_BITS` (20) bits.
    pub cmd_addr: u32,
    /// `cmd_data`, 32 bits.
    pub cmd_data: u32,
}

/// Values of the core's output ports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outputs {
    /// `rsp_valid`.
    pub rsp_valid: bool,
    /// `rsp_data`, 32 bits.
    pub rsp_data: u32,
    /// `busy`.
    pub busy: bool,
}

/// One instance of a Verilated core, freed on drop.
#[derive(Debug)]
pub struct Model {
    kind: &'static CoreKind,
    shim: NonNull<c_void>,
}

impl Model {
    /// A new instance of `kind`, every input at 0 and nothing evaluated yet.
    pub fn new(kind: &'static CoreKind) -> Self {
        // SAFETY: `new` allocates a model and returns an owned pointer to it.
        let shim = unsafe { (kind.functions.new)() };
        let shim = NonNull::new(shim)
            .unwrap_or_else(|| panic!("the shim returned no model for {}", kind.name));
        let model = Self { kind, shim };
        // SAFETY: `shim` is the live model `new` returned.
        open_waves(kind.name, |path| unsafe {
            (kind.functions.open_waves)(model.shim.as_ptr(), path)
        });
        model
    }

    /// The core this model simulates.
    pub fn kind(&self) -> &'static CoreKind {
        self.kind
    }

    /// Set the input ports (takes effect at the next [`Model::eval`]).
    pub fn set_inputs(&mut self, inputs: &Inputs) {
        // SAFETY: `shim` is the live model `new` returned; the values are plain integers.
        unsafe {
            (self.kind.functions.set_inputs)(
                self.shim.as_ptr(),
                inputs.clock.into(),
                inputs.cmd_valid.into(),
                inputs.cmd_op,
                inputs.cmd_addr,
                inputs.cmd_data,
            );
        }
    }

    /// Evaluate the model with the current inputs.
    pub fn eval(&mut self) {
        // SAFETY: `shim` is the live model `new` returned.
        unsafe { (self.kind.functions.eval)(self.shim.as_ptr()) }
    }

    /// The output ports as of the last [`Model::eval`].
    pub fn outputs(&self) -> Outputs {
        let (mut rsp_valid, mut rsp_data, mut busy) = (0u8, 0u32, 0u8);
        // SAFETY: `shim` is the live model `new` returned; the pointers are to locals.
        unsafe {
            (self.kind.functions.outputs)(
                self.shim.as_ptr(),
                &mut rsp_valid,
                &mut rsp_data,
                &mut busy,
            );
        }
        Outputs {
            rsp_valid: rsp_valid != 0,
            rsp_data,
            busy: busy != 0,
        }
    }
}

/// With waveforms built in ([`WAVES`]), start one for a new instance of model `name` through
/// `open` (the shim's `open_waves`, given a NUL-terminated path that outlives the call).
fn open_waves(name: &str, open: impl FnOnce(*const c_char) -> u8) {
    let Some(extension) = WAVES else { return };
    let path = waves_path(name, extension);
    let text = path.to_string_lossy().into_owned();
    let c_path = CString::new(text.clone())
        .unwrap_or_else(|_| panic!("waveform path {text:?} contains a NUL byte"));
    let opened = open(c_path.as_ptr());
    assert!(
        opened != 0,
        "model {name}: cannot write the waveform {text}"
    );
}

/// Models created by this process, numbering the waveform files.
static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// `build/waves/<test>.<model>.<n>.<extension>` at the workspace root (the directory is
/// created); `<test>` is the thread's name, or the executable's without Cargo's hash on the
/// main thread.
fn waves_path(model: &str, extension: &str) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = crate_dir.parent().unwrap_or(crate_dir).join("build/waves");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let thread = std::thread::current();
    let test = match thread.name() {
        Some(name) if name != "main" => name.replace("::", "."),
        _ => std::env::current_exe()
            .ok()
            .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .map(|stem| match stem.rsplit_once('-') {
                Some((name, _hash)) => name.to_string(),
                None => stem,
            })
            .unwrap_or_else(|| "main".to_string()),
    };
    let n = INSTANCES.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{test}.{model}.{n}.{extension}"))
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: `shim` came from `new` of the same kind and is freed exactly once.
        unsafe { (self.kind.functions.delete)(self.shim.as_ptr()) }
    }
}
