// C ABI over the Verilated chips (the whole chip at its pins, `top` of
// hdl/src/top/chip_top.rs: `clock`, `reset`, `uart_rx`, `uart_tx`, `active`; the reset threaded in by
// spikeforge_hdl::sync_reset), for src/model.rs.
//
// build.rs writes `chips.inc` (one `#include "V<name>.h"` and one `SPIKEFORGE_CHIP(<name>)`
// per chip) and compiles this file with it. Rust drives the serial line bit by bit
// (src/uart.rs); this file only clocks the model and moves the pin values across. The
// harness (a context of its own, evaluation, waveforms) is src/harness.h.

#include <cstdint>

#include "harness.h"

namespace {

template <class Model>
struct ChipShim : spikeforge::Harness<Model> {
    using spikeforge::Harness<Model>::model;
    using spikeforge::Harness<Model>::eval;

    // Waveform time: half a period of a 12 MHz clock (41,667 ps) per evaluation.
    ChipShim() : spikeforge::Harness<Model>(41667) {
        // Power-up: the clock low, the line idle (high), the reset low.
        model.clock = 0;
        model.uart_rx = 1;
        model.reset = 0;
        eval();
    }

    // One clock cycle with `uart_rx` on the line and `reset` on the chip's synchronous reset:
    // rising edge, falling edge; then the pins as they are for the next cycle.
    void cycle(uint8_t uart_rx, uint8_t reset, uint8_t* uart_tx, uint8_t* active) {
        model.uart_rx = uart_rx;
        model.reset = reset;
        model.clock = 1;
        eval();
        model.clock = 0;
        eval();
        *uart_tx = model.uart_tx;
        *active = model.active;
    }
};

}  // namespace

// tb_<name>_new / _delete / _cycle / _open_waves for class V<name>.
#define SPIKEFORGE_CHIP(name)                                                               \
    extern "C" void* tb_##name##_new() { return new ChipShim<V##name>(); }                 \
    extern "C" void tb_##name##_delete(void* shim) {                                        \
        delete static_cast<ChipShim<V##name>*>(shim);                                       \
    }                                                                                       \
    extern "C" void tb_##name##_cycle(void* shim, uint8_t uart_rx, uint8_t reset,           \
                                      uint8_t* uart_tx, uint8_t* active) {                  \
        static_cast<ChipShim<V##name>*>(shim)->cycle(uart_rx, reset, uart_tx, active);      \
    }                                                                                       \
    extern "C" uint8_t tb_##name##_open_waves(void* shim, const char* path) {               \
        return static_cast<ChipShim<V##name>*>(shim)->open_waves(path) ? 1 : 0;             \
    }

// The state registers of an RTL chip's three state machines (`spikeforge_verilated::model::
// StateMachine`, in its order): the frame engine, the core's sequencer, the UART receiver.
// `next` picks the register's input (the value the next rising edge stores), else its
// output. build.rs makes these nets public (verilog/chip_states.vlt) and includes the
// model's root header; a netlist has no such nets, so gate-level chips lack these functions.
template <class Root>
CData* state_net(Root& root, uint8_t machine, bool next) {
    switch (machine) {
        case 0:
            return next ? &root.top__DOT__chip__DOT__engine__DOT__state__024d
                        : &root.top__DOT__chip__DOT__engine__DOT__state__024q;
        case 1:
            return next ? &root.top__DOT__chip__DOT__core__DOT__sequencer__DOT__state__024d
                        : &root.top__DOT__chip__DOT__core__DOT__sequencer__DOT__state__024q;
        case 2:
            return next ? &root.top__DOT__receiver__DOT__state__024d
                        : &root.top__DOT__receiver__DOT__state__024q;
        default:
            return nullptr;
    }
}

// tb_<name>_state: the state register of `machine` (0xFF for no such machine).
// tb_<name>_force_state: overwrite the value the logic computed for the register's input, so
// that the next rising edge stores `encoding`; 0 for no such machine. Call it between cycles
// with the serial line steady: a change of `uart_rx` re-evaluates the receiver's logic.
#define SPIKEFORGE_CHIP_STATES(name)                                                        \
    extern "C" uint8_t tb_##name##_state(void* shim, uint8_t machine) {                      \
        CData* net = state_net(*static_cast<ChipShim<V##name>*>(shim)->model.rootp, machine, \
                               false);                                                       \
        return net ? *net : 0xFF;                                                            \
    }                                                                                        \
    extern "C" uint8_t tb_##name##_force_state(void* shim, uint8_t machine, uint8_t encoding) { \
        CData* net = state_net(*static_cast<ChipShim<V##name>*>(shim)->model.rootp, machine, \
                               true);                                                        \
        if (!net) return 0;                                                                  \
        *net = encoding;                                                                     \
        return 1;                                                                            \
    }

#include "chips.inc"
