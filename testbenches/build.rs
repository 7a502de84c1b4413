//! Builds one Verilator model per network under test and links them into this crate.
//!
//! For each network: generate the core's Verilog with `spikeforge_hdl::generate::generate`,
//! run `verilator --cc` on it (with the waivers of `hdl/verilator/waivers.vlt`), read the
//! class lists of the generated `V<name>_classes.mk`, and compile those files, Verilator's
//! runtime and `src/shim.cpp` with the `cc` crate. `$OUT_DIR/models.rs` declares the shim's
//! functions and one [`CoreKind`](src/model.rs) per network for `src/model.rs`.
//!
//! The `VERILATOR` environment variable names the binary (default `verilator`). A missing
//! Verilator fails the build; it is installed by `scripts/install-tools.sh`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use spikeforge_hdl::generate::generate;
use spikeforge_hdl::lint::{VERILATOR_ENV, WAIVERS};
use spikeforge_sim::config::NetworkConfig;

/// A network under test: the model name (a C identifier) and its TOML, `None` for the
/// embedded default network.
const NETWORKS: &[(&str, Option<&str>)] =
    &[("small", Some("networks/small.toml")), ("default", None)];

type BuildResult<T> = Result<T, String>;

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> BuildResult<()> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/shim.cpp");
    println!("cargo:rerun-if-env-changed={VERILATOR_ENV}");
    let out_dir = PathBuf::from(env("OUT_DIR")?);
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let verilator = std::env::var(VERILATOR_ENV).unwrap_or_else(|_| "verilator".to_string());
    let root = verilator_root(&verilator)?;
    let include = root.join("include");

    let waivers = out_dir.join("waivers.vlt");
    write(&waivers, WAIVERS)?;

    let mut sources = Vec::new();
    let mut mdirs = Vec::new();
    let mut runtime = Vec::new();
    let mut times = String::new();
    let mut models_inc = String::new();
    let mut models_rs = String::new();
    for &(name, toml) in NETWORKS {
        let (cfg, toml_path) = match toml {
            Some(relative) => {
                let path = manifest_dir.join(relative);
                println!("cargo:rerun-if-changed={}", path.display());
                let cfg =
                    NetworkConfig::from_file(&path).map_err(|e| format!("network {name}: {e}"))?;
                (cfg, Some(path))
            }
            None => (
                NetworkConfig::default_network().map_err(|e| format!("default network: {e}"))?,
                None,
            ),
        };
        let generated = generate(&cfg).map_err(|e| e.to_string())?;
        let verilog = out_dir.join(format!("{name}.v"));
        write(&verilog, &generated.verilog)?;
        let mdir = out_dir.join(name);
        let started = Instant::now();
        verilate(&verilator, name, &waivers, &verilog, &mdir)?;
        let _ = writeln!(
            times,
            "verilator --cc {name}: {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let model = model_sources(name, &mdir, &include)?;
        sources.extend(model.classes);
        for file in model.global {
            if !runtime.contains(&file) {
                runtime.push(file);
            }
        }
        mdirs.push(mdir);
        let _ = writeln!(
            models_inc,
            "#include \"V{name}.h\"\nSPIKEFORGE_MODEL({name})"
        );
        models_rs.push_str(&rust_declarations(name, &cfg.name, toml_path.as_deref()));
    }
    write(&out_dir.join("models.inc"), &models_inc)?;
    write(&out_dir.join("models.rs"), &models_rs)?;

    let started = Instant::now();
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .opt_level(2)
        .debug(false)
        // Verilated code is not ours to fix; its warnings would drown the build log.
        .warnings(false)
        .include(&include)
        .include(include.join("vltstd"))
        .include(&out_dir)
        .define("VM_COVERAGE", "0")
        .define("VM_SC", "0")
        .define("VM_TRACE", "0")
        .define("VM_TRACE_FST", "0")
        .define("VM_TRACE_VCD", "0")
        .flag_if_supported("-faligned-new")
        .file(manifest_dir.join("src/shim.cpp"))
        .files(&runtime);
    for mdir in &mdirs {
        build.include(mdir);
    }
    build.files(&sources);
    build
        .try_compile("spikeforge_verilated")
        .map_err(|e| format!("compiling the Verilated models: {e}"))?;
    let _ = writeln!(
        times,
        "C++ compile of the models and runtime: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    write(&out_dir.join("build-times.txt"), &times)
}

fn env(name: &str) -> BuildResult<String> {
    std::env::var(name).map_err(|e| format!("{name}: {e}"))
}

fn write(path: &Path, text: &str) -> BuildResult<()> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Run `verilator` with `args` and return what it printed (stdout, stderr); that output
/// becomes the error when it fails.
fn verilator_output(verilator: &str, args: &[&std::ffi::OsStr]) -> BuildResult<(String, String)> {
    let output = Command::new(verilator).args(args).output().map_err(|e| {
        format!("cannot run {verilator} ({e}); install Verilator with scripts/install-tools.sh")
    })?;
    if !output.status.success() {
        return Err(format!(
            "{verilator} {} failed with {}:\n{}{}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// Verilator's installation root (its runtime sources are in `include/`).
fn verilator_root(verilator: &str) -> BuildResult<PathBuf> {
    let (root, _) = verilator_output(verilator, &["--getenv".as_ref(), "VERILATOR_ROOT".as_ref()])?;
    let root = PathBuf::from(root.trim());
    let runtime = root.join("include/verilated.cpp");
    if !runtime.is_file() {
        return Err(format!(
            "{verilator} reports VERILATOR_ROOT {} but {} does not exist",
            root.display(),
            runtime.display()
        ));
    }
    Ok(root)
}

/// `verilator --cc` of `verilog` (top module `top`) into `mdir`, classes prefixed `V<name>`.
fn verilate(
    verilator: &str,
    name: &str,
    waivers: &Path,
    verilog: &Path,
    mdir: &Path,
) -> BuildResult<()> {
    if mdir.exists() {
        std::fs::remove_dir_all(mdir)
            .map_err(|e| format!("cannot clear {}: {e}", mdir.display()))?;
    }
    let prefix = format!("V{name}");
    let args: Vec<&std::ffi::OsStr> = vec![
        "--cc".as_ref(),
        "-O2".as_ref(),
        "--top-module".as_ref(),
        "top".as_ref(),
        "--prefix".as_ref(),
        prefix.as_ref(),
        "-Mdir".as_ref(),
        mdir.as_os_str(),
        waivers.as_os_str(),
        verilog.as_os_str(),
    ];
    let (stdout, stderr) = verilator_output(verilator, &args)?;
    write(&mdir.join("verilator.log"), &format!("{stdout}{stderr}"))
}

/// The C++ files of model `name` from the class lists of `V<name>_classes.mk`: the generated
/// classes (`VM_CLASSES_*`, `VM_SUPPORT_*`, in `mdir`) and the runtime's global classes
/// (`VM_GLOBAL_*`, in Verilator's `include`; linked once however many models list them).
fn model_sources(name: &str, mdir: &Path, include: &Path) -> BuildResult<ModelSources> {
    let classes_mk = mdir.join(format!("V{name}_classes.mk"));
    let text = std::fs::read_to_string(&classes_mk)
        .map_err(|e| format!("cannot read {}: {e}", classes_mk.display()))?;
    let mut sources = ModelSources::default();
    let mut list = None;
    for line in text.lines().map(str::trim) {
        if let Some((variable, _)) = line.split_once("+=") {
            list = match variable.trim() {
                "VM_CLASSES_FAST" | "VM_CLASSES_SLOW" | "VM_SUPPORT_FAST" | "VM_SUPPORT_SLOW" => {
                    Some(false)
                }
                "VM_GLOBAL_FAST" | "VM_GLOBAL_SLOW" => Some(true),
                _ => None,
            };
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            list = None;
            continue;
        }
        let Some(global) = list else { continue };
        let class = line.trim_end_matches('\\').trim();
        if class.is_empty() {
            continue;
        }
        let file = if global { include } else { mdir }.join(format!("{class}.cpp"));
        if !file.is_file() {
            return Err(format!(
                "{} lists {class}, but {} does not exist",
                classes_mk.display(),
                file.display()
            ));
        }
        if global {
            sources.global.push(file);
        } else {
            sources.classes.push(file);
        }
    }
    if sources.classes.is_empty() {
        return Err(format!("{} lists no classes", classes_mk.display()));
    }
    Ok(sources)
}

/// C++ files to compile for one model.
#[derive(Debug, Default)]
struct ModelSources {
    /// Generated classes of the model.
    classes: Vec<PathBuf>,
    /// Verilator runtime files.
    global: Vec<PathBuf>,
}

/// The shim's functions for model `name` and its `CoreKind` constant.
fn rust_declarations(name: &str, network: &str, toml: Option<&Path>) -> String {
    let constant = name.to_uppercase();
    let toml = match toml {
        Some(path) => format!("Some(include_str!({:?}))", path.display().to_string()),
        None => "None".to_string(),
    };
    format!(
        r#"
extern "C" {{
    fn tb_{name}_new() -> *mut c_void;
    fn tb_{name}_delete(shim: *mut c_void);
    fn tb_{name}_set_inputs(shim: *mut c_void, clock: u8, cmd_valid: u8, cmd_op: u8, cmd_addr: u16, cmd_data: u32);
    fn tb_{name}_eval(shim: *mut c_void);
    fn tb_{name}_outputs(shim: *const c_void, rsp_valid: *mut u8, rsp_data: *mut u32, busy: *mut u8);
}}

/// The Verilated core of network `{network}` (model `V{name}`).
pub static {constant}: CoreKind = CoreKind {{
    name: "{name}",
    toml: {toml},
    functions: Functions {{
        new: tb_{name}_new,
        delete: tb_{name}_delete,
        set_inputs: tb_{name}_set_inputs,
        eval: tb_{name}_eval,
        outputs: tb_{name}_outputs,
    }},
}};
"#
    )
}
