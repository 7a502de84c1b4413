// C ABI over the Verilated learning cores, for the Rust harness (src/model.rs).
//
// Every core has the same ports (`top` of hdl/src/top/learning_core.rs), so one template
// holds the logic and a macro stamps out the `extern "C"` functions of each model class.
// build.rs writes `models.inc` (one `#include "V<name>.h"` and one `SPIKEFORGE_MODEL(<name>)`
// per core) and compiles this file with it. Rust does all the driving; this file only moves
// port values across.
//
// SPIKEFORGE_WAVES (set by build.rs from the environment variable of the same name) is 0, or
// 1 / 2 when the models were verilated with --trace / --trace-fst: then each model can write
// a VCD / FST waveform, dumped after every evaluation. At 0 no tracing code is compiled.

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

namespace {

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
struct Shim {
    Context context;
    Model model;
#if SPIKEFORGE_WAVES
    std::unique_ptr<WaveWriter> waves;
    // Simulated time in the waveform, in the model's time precision (ps for rust-hdl's
    // Verilog): two evaluations per clock cycle, 10 ns apart (a 50 MHz clock).
    uint64_t time = 0;
    static constexpr uint64_t HALF_PERIOD = 10000;
#endif

    Shim() : model(&context, "top") {}
    ~Shim() {
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
            time += HALF_PERIOD;
        }
#endif
    }

    // Inputs are copied to the ports; nothing is evaluated until `eval`.
    void set_inputs(uint8_t clock, uint8_t cmd_valid, uint8_t cmd_op, uint16_t cmd_addr,
                    uint32_t cmd_data) {
        model.clock = clock;
        model.cmd_valid = cmd_valid;
        model.cmd_op = cmd_op;
        model.cmd_addr = cmd_addr;
        model.cmd_data = cmd_data;
    }

    // Outputs as last evaluated.
    void outputs(uint8_t* rsp_valid, uint32_t* rsp_data, uint8_t* busy) const {
        *rsp_valid = model.rsp_valid;
        *rsp_data = model.rsp_data;
        *busy = model.busy;
    }
};

}  // namespace

// tb_<name>_new / _delete / _set_inputs / _eval / _outputs / _open_waves for class V<name>.
#define SPIKEFORGE_MODEL(name)                                                              \
    extern "C" void* tb_##name##_new() { return new Shim<V##name>(); }                     \
    extern "C" void tb_##name##_delete(void* shim) { delete static_cast<Shim<V##name>*>(shim); } \
    extern "C" void tb_##name##_set_inputs(void* shim, uint8_t clock, uint8_t cmd_valid,    \
                                           uint8_t cmd_op, uint16_t cmd_addr,               \
                                           uint32_t cmd_data) {                             \
        static_cast<Shim<V##name>*>(shim)->set_inputs(clock, cmd_valid, cmd_op, cmd_addr,   \
                                                      cmd_data);                            \
    }                                                                                       \
    extern "C" void tb_##name##_eval(void* shim) { static_cast<Shim<V##name>*>(shim)->eval(); } \
    extern "C" void tb_##name##_outputs(const void* shim, uint8_t* rsp_valid,               \
                                        uint32_t* rsp_data, uint8_t* busy) {                \
        static_cast<const Shim<V##name>*>(shim)->outputs(rsp_valid, rsp_data, busy);        \
    }                                                                                       \
    extern "C" uint8_t tb_##name##_open_waves(void* shim, const char* path) {               \
        return static_cast<Shim<V##name>*>(shim)->open_waves(path) ? 1 : 0;                 \
    }

#include "models.inc"
