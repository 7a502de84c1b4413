// C ABI over the Verilated chips (the whole chip at its pins, `top` of
// hdl/src/top/chip_top.rs: `clock`, `uart_rx`, `uart_tx`, `active`), for src/model.rs.
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
        // Power-up: the clock low, the line idle (high).
        model.clock = 0;
        model.uart_rx = 1;
        eval();
    }

    // One clock cycle with `uart_rx` on the line: rising edge, falling edge; then the pins
    // as they are for the next cycle.
    void cycle(uint8_t uart_rx, uint8_t* uart_tx, uint8_t* active) {
        model.uart_rx = uart_rx;
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
    extern "C" void tb_##name##_cycle(void* shim, uint8_t uart_rx, uint8_t* uart_tx,        \
                                      uint8_t* active) {                                    \
        static_cast<ChipShim<V##name>*>(shim)->cycle(uart_rx, uart_tx, active);             \
    }                                                                                       \
    extern "C" uint8_t tb_##name##_open_waves(void* shim, const char* path) {               \
        return static_cast<ChipShim<V##name>*>(shim)->open_waves(path) ? 1 : 0;             \
    }

#include "chips.inc"
