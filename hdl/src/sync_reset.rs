//! The chip's synchronous reset, threaded into the Verilog rust-hdl emits.
//!
//! rust-hdl 0.46's `DFF` has no reset: its Verilog is a module of its own, ports `d`, `q` and
//! `clock`, whose register takes `d` at every rising edge after an `initial` value. So the
//! reset is added to the emitted Verilog, where no register can be forgotten: every `DFF`
//! module and every module that holds one (at any depth) gets an input [`RESET_PORT`], every
//! instance of such a module passes it on (in the top module `top`, which declares the port
//! itself, the net [`TOP_RESET_NET`]), and every `DFF` module stores its initial value at a
//! rising edge with the reset high instead of `d`.
//! The memories (rust-hdl's `RAM` and this crate's `Ram`: ports `clock`, `read_address`,
//! `read_enable`, `read_data`, `write_address`, `write_data`, `write_enable`) keep their
//! contents (`docs/spec.md` §7.10). Any other clocked module is refused, named.

use std::fmt;

/// The reset input every module of the chip gets: synchronous, active high.
pub const RESET_PORT: &str = "reset";
/// In the top module, the net the reset of its instances comes from: rust-hdl's `ChipTop`
/// declares the input [`RESET_PORT`] and drives this net from it and the frame engine's
/// request after a RESET.
pub const TOP_RESET_NET: &str = "chip_reset";

/// The ports of rust-hdl's `DFF` module.
const DFF_PORTS: &str = "d,q,clock";
/// The ports of a memory module.
const MEMORY_PORTS: &str =
    "clock,read_address,read_enable,read_data,write_address,write_data,write_enable";

/// Verilog with the reset threaded through it, and what it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threaded {
    /// The Verilog.
    pub verilog: String,
    /// `DFF` modules (each a register of the chip's state, reset to its initial value).
    pub registers: usize,
    /// Memory modules, which keep their contents.
    pub memories: usize,
}

/// Why the reset could not be threaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetError {
    /// The module.
    pub module: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for ResetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "module {}: {}", self.module, self.reason)
    }
}

impl std::error::Error for ResetError {}

/// One module of the file: its name, its port list and its lines after the header.
struct Module<'a> {
    name: &'a str,
    ports: &'a str,
    body: Vec<&'a str>,
}

/// The modules of `verilog`, in order, and the lines outside them (kept as they are).
fn modules(verilog: &str) -> Result<Vec<Result<Module<'_>, &str>>, ResetError> {
    let mut items = Vec::new();
    let mut current: Option<Module<'_>> = None;
    for line in verilog.lines() {
        if let Some(module) = current.as_mut() {
            module.body.push(line);
            if line.starts_with("endmodule") {
                items.extend(current.take().map(Ok));
            }
            continue;
        }
        match line.strip_prefix("module ") {
            Some(header) => {
                let (name, ports) = header
                    .strip_suffix(");")
                    .and_then(|h| h.split_once('('))
                    .ok_or_else(|| ResetError {
                        module: header.to_string(),
                        reason: "a module header that is not `module NAME(PORTS);`".to_string(),
                    })?;
                current = Some(Module {
                    name,
                    ports,
                    body: Vec::new(),
                });
            }
            None => items.push(Err(line)),
        }
    }
    if let Some(module) = current {
        return Err(ResetError {
            module: module.name.to_string(),
            reason: "no `endmodule`".to_string(),
        });
    }
    Ok(items)
}

/// Whether `text` names `identifier` as a whole word.
fn mentions(text: &str, identifier: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(identifier).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + identifier.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// The initial value of a `DFF` module's register (`q = VALUE;` in its `initial` block).
fn initial_value(module: &Module<'_>) -> Result<String, ResetError> {
    let at = module
        .body
        .iter()
        .position(|line| line.trim() == "initial begin")
        .ok_or_else(|| ResetError {
            module: module.name.to_string(),
            reason: "a DFF without an `initial` block".to_string(),
        })?;
    module
        .body
        .get(at + 1)
        .and_then(|line| line.trim().strip_prefix("q = "))
        .and_then(|value| value.strip_suffix(';'))
        .map(str::to_string)
        .ok_or_else(|| ResetError {
            module: module.name.to_string(),
            reason: "a DFF whose `initial` block does not set `q`".to_string(),
        })
}

/// The module `line` instantiates (`    NAME instance(`), if it is one of `names`.
fn instance_of<'a>(line: &'a str, names: &[&str]) -> Option<&'a str> {
    line.trim()
        .strip_suffix('(')
        .and_then(|head| head.split_once(' '))
        .filter(|(name, instance)| {
            names.contains(name) && !instance.is_empty() && !instance.contains(' ')
        })
        .map(|(name, _)| name)
}

/// The modules that take the reset: the `DFF` modules, those that instantiate one of them at
/// any depth, and `top`.
fn reset_modules<'a>(modules: &[&Module<'a>], names: &[&str]) -> Vec<&'a str> {
    let mut reached: Vec<&str> = modules
        .iter()
        .filter(|m| m.ports.replace(' ', "") == DFF_PORTS || m.name == "top")
        .map(|m| m.name)
        .collect();
    loop {
        let more: Vec<&str> = modules
            .iter()
            .filter(|m| !reached.contains(&m.name))
            .filter(|m| {
                m.body
                    .iter()
                    .filter_map(|line| instance_of(line, names))
                    .any(|child| reached.contains(&child))
            })
            .map(|m| m.name)
            .collect();
        if more.is_empty() {
            return reached;
        }
        reached.extend(more);
    }
}

/// Thread [`RESET_PORT`] through `verilog` (rust-hdl's output, top module `top`) to every
/// `DFF`, and reset each to its initial value.
pub fn thread_reset(verilog: &str) -> Result<Threaded, ResetError> {
    let items = modules(verilog)?;
    let all: Vec<&Module<'_>> = items.iter().filter_map(|item| item.as_ref().ok()).collect();
    let names: Vec<&str> = all.iter().map(|m| m.name).collect();
    let reset = reset_modules(&all, &names);
    let (mut registers, mut memories) = (0, 0);
    let mut out = String::with_capacity(verilog.len() + verilog.len() / 8);
    for item in &items {
        let module = match item {
            Ok(module) => module,
            Err(line) => {
                out.push_str(line);
                out.push('\n');
                continue;
            }
        };
        let refuse = |reason: String| ResetError {
            module: module.name.to_string(),
            reason,
        };
        let code = |name: &'static str| {
            move |line: &&str| mentions(line.split("//").next().unwrap_or(""), name)
        };
        let is_top = module.name == "top";
        if is_top {
            // rust-hdl's `ChipTop`: the port and the net it drives.
            let port = module.ports.split(',').any(|p| p.trim() == RESET_PORT);
            if !port || !module.body.iter().any(code(TOP_RESET_NET)) {
                return Err(refuse(format!(
                    "the top module must have the input `{RESET_PORT}` and the net \
                     `{TOP_RESET_NET}`"
                )));
            }
        } else if mentions(module.ports, RESET_PORT) || module.body.iter().any(code(RESET_PORT)) {
            return Err(refuse(format!("it already names `{RESET_PORT}`")));
        }
        let source = if is_top { TOP_RESET_NET } else { RESET_PORT };
        let ports = module.ports.replace(' ', "");
        let clocked = module.body.iter().any(|l| l.contains("always @(posedge"));
        let reset_value = if ports == DFF_PORTS {
            registers += 1;
            Some(initial_value(module)?)
        } else {
            if ports == MEMORY_PORTS {
                memories += 1;
            } else if clocked {
                return Err(refuse(
                    "a clocked block in a module that is neither a DFF nor a memory".to_string(),
                ));
            }
            None
        };
        if reset.contains(&module.name) && !is_top {
            out.push_str(&format!(
                "module {}({},{RESET_PORT});\n",
                module.name, module.ports
            ));
            out.push_str(&format!(
                "    // The chip's synchronous reset (spikeforge_hdl::sync_reset).\n    \
                 input wire {RESET_PORT};\n"
            ));
        } else {
            out.push_str(&format!("module {}({});\n", module.name, module.ports));
        }
        let mut stores = 0;
        for line in &module.body {
            let trimmed = line.trim();
            if let Some(value) = reset_value.as_deref().filter(|_| trimmed == "q <= d;") {
                stores += 1;
                out.push_str(&line.replace(
                    "q <= d;",
                    &format!("if ({RESET_PORT}) q <= {value}; else q <= d;"),
                ));
                out.push('\n');
                continue;
            }
            out.push_str(line);
            out.push('\n');
            // An instance of a module that takes the reset.
            if instance_of(line, &names).is_some_and(|child| reset.contains(&child)) {
                let indent = &line[..line.len() - line.trim_start().len()];
                out.push_str(&format!("{indent}    .{RESET_PORT}({source}),\n"));
            }
        }
        if reset_value.is_some() && stores != 1 {
            return Err(refuse(format!(
                "a DFF with {stores} stores `q <= d;` (one expected)"
            )));
        }
    }
    Ok(Threaded {
        verilog: out,
        registers,
        memories,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DFF: &str = "module top$a(d,q,clock);\n    input wire  [3:0] d;\n    output reg  [3:0] q;\n    input wire  clock;\n    initial begin\n       q = 4'h5;\n    end\n    always @(posedge clock) begin\n       q <= d;\n    end\nendmodule // top$a\n";

    fn top(body: &str) -> String {
        format!(
            "module top(clock,x,reset);\n    input wire clock;\n    input wire reset;\n    \
             reg chip_reset;\n{body}endmodule // top\n\n{DFF}\n{ADDER}\n{REGISTER}"
        )
    }

    /// A module that holds a register.
    const REGISTER: &str = "module top$r(clock,d,q);\n    top$a a(\n        .clock(clock),\n        .d(d),\n        .q(q)\n    );\nendmodule // top$r\n";

    /// A module without a register.
    const ADDER: &str = "module top$s(a,b,y);\n    assign y = a + b;\nendmodule // top$s\n";

    #[test]
    fn every_module_takes_the_reset_and_every_dff_stores_its_initial_value() {
        let verilog = top(
            "    top$a a(\n        .clock(clock),\n        .d(x),\n        .q(y)\n    );\n    \
             top$s s(\n        .a(x),\n        .b(y),\n        .y(z)\n    );\n    \
             top$r r(\n        .clock(clock),\n        .d(x),\n        .q(w)\n    );\n",
        );
        let threaded = thread_reset(&verilog).unwrap_or_else(|e| panic!("{e}"));
        let v = &threaded.verilog;
        // The top module keeps its ports and gives its instances `chip_reset`; a module that
        // holds a register passes its own port on.
        assert!(
            v.contains("module top(clock,x,reset);\n    input wire clock;"),
            "{v}"
        );
        assert!(v.contains("module top$a(d,q,clock,reset);"), "{v}");
        assert!(v.contains("module top$r(clock,d,q,reset);"), "{v}");
        assert_eq!(v.matches("input wire reset;").count(), 3, "{v}");
        assert!(
            v.contains("    top$a a(\n        .reset(chip_reset),\n        .clock(clock),"),
            "{v}"
        );
        assert!(
            v.contains("    top$r r(\n        .reset(chip_reset),\n        .clock(clock),"),
            "{v}"
        );
        assert!(
            v.contains(
                "    top$a a(\n        .reset(reset),\n        .clock(clock),\n        .d(d),"
            ),
            "{v}"
        );
        assert!(v.contains("if (reset) q <= 4'h5; else q <= d;"), "{v}");
        // A module without a register takes no reset.
        assert!(v.contains("module top$s(a,b,y);\n    assign"), "{v}");
        assert!(v.contains("    top$s s(\n        .a(x),"), "{v}");
        assert_eq!((threaded.registers, threaded.memories), (1, 0));
        // A top module without the port or the net is refused.
        let bare = verilog.replace("    reg chip_reset;\n", "");
        let err = thread_reset(&bare).expect_err("a top module without chip_reset");
        assert_eq!(err.module, "top");
    }

    #[test]
    fn unknown_clocked_modules_and_a_taken_name_are_refused_by_name() {
        let clocked = format!(
            "{}\nmodule top$b(clock,y);\n    always @(posedge clock) begin\n    end\nendmodule\n",
            top("")
        );
        let err = thread_reset(&clocked).expect_err("a clocked module of no known kind");
        assert_eq!(err.module, "top$b");
        let taken = format!(
            "{}\nmodule top$c(a);\n    wire reset;\nendmodule\n",
            top("")
        );
        let err = thread_reset(&taken).expect_err("a module that names `reset`");
        assert_eq!(err.to_string(), "module top$c: it already names `reset`");
        // `reset_count` or `phase$reset` are other names.
        let others = format!(
            "{}\nmodule top$c(a);\n    wire reset_count;\n    wire phase$reset; // reset\nendmodule\n",
            top("")
        );
        assert!(thread_reset(&others).is_ok());
    }
}
