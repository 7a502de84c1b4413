// C ABI over the Verilated learning cores, for the Rust harness (src/model.rs).
//
// Every core has the same ports (`top` of hdl/src/top/learning_core.rs), so one template
// holds the logic and a macro stamps out the `extern "C"` functions of each model class.
// build.rs writes `models.inc` (one `#include "V<name>.h"` and one `SPIKEFORGE_MODEL(<name>)`
// per core) and compiles this file with it. Rust does all the driving; this file only moves
// port values across.
//
// The harness (a context of its own, evaluation, waveforms) is src/harness.h.

#include <cstdint>

#include "harness.h"

namespace {

template <class Model>
struct Shim : spikeforge::Harness<Model> {
    using spikeforge::Harness<Model>::model;

    // Waveform time: 10 ns per evaluation, two per clock cycle (a 50 MHz clock).
    Shim() : spikeforge::Harness<Model>(10000) {}

    // Inputs are copied to the ports; nothing is evaluated until `eval`.
    void set_inputs(uint8_t clock, uint8_t cmd_valid, uint8_t cmd_op, uint32_t cmd_addr,
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
                                           uint8_t cmd_op, uint32_t cmd_addr,               \
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
