// What every shim shares (src/shim.cpp for the cores, src/chip_shim.cpp for the chips): a
// Verilated model in a simulation context of its own, evaluated on demand, optionally
// writing a waveform.
//
// SPIKEFORGE_WAVES (set by build.rs from the environment variable of the same name) is 0, or
// 1 / 2 when the models were verilated with --trace / --trace-fst: then each model can write
// a VCD / FST waveform, dumped after every evaluation. At 0 no tracing code is compiled.
#pragma once

#include <cstdint>
#include <memory>

#include "verilated.h"

#if SPIKEFORGE_WAVES == 1
#include "verilated_vcd_c.h"
using WaveWriter = VerilatedVcdC;
#elif SPIKEFORGE_WAVES == 2
#include "verilated_fst_c.h"
using WaveWriter = VerilatedFstC;
#endif

namespace spikeforge {

// A simulation context of its own per model (no global state is shared between models).
struct Context : VerilatedContext {
    Context() {
#if SPIKEFORGE_WAVES
        // Must be on before the model is built and its trace is attached.
        traceEverOn(true);
#endif
    }
};

template <class Model>
struct Harness {
    Context context;
    Model model;
#if SPIKEFORGE_WAVES
    std::unique_ptr<WaveWriter> waves;
    // Simulated time in the waveform, in the model's time precision (ps for rust-hdl's
    // Verilog); two evaluations per clock cycle, `half_period` apart.
    uint64_t time = 0;
    uint64_t half_period;
#endif

    explicit Harness(uint64_t half_period_ps) : model(&context, "top") {
#if SPIKEFORGE_WAVES
        half_period = half_period_ps;
#else
        (void)half_period_ps;
#endif
    }
    ~Harness() {
        model.final();
#if SPIKEFORGE_WAVES
        if (waves) waves->close();
#endif
    }

    // Start writing a waveform of every signal to `path`; false when built without tracing.
    bool open_waves(const char* path) {
#if SPIKEFORGE_WAVES
        waves = std::make_unique<WaveWriter>();
        model.trace(waves.get(), 99);
        waves->open(path);
        return waves->isOpen();
#else
        (void)path;
        return false;
#endif
    }

    void eval() {
        model.eval();
#if SPIKEFORGE_WAVES
        if (waves) {
            waves->dump(time);
            time += half_period;
        }
#endif
    }
};

}  // namespace spikeforge
