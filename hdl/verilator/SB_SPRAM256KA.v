// Port-only stub of the iCE40 UltraPlus SPRAM primitive, for `verilator --lint-only` of a
// design that instantiates it (`Ram::in_ice40_spram`, `gen-verilog --spram`). It declares the
// ports of Yosys's model (`$(yosys-config --datdir)/ice40/cells_sim.v`) and nothing else: the
// lint checks the instantiating design, not the primitive. Yosys knows the cell itself, so the
// generated Verilog carries no copy of this file.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNDRIVEN */
module SB_SPRAM256KA (
    input [13:0] ADDRESS,
    input [15:0] DATAIN,
    input [3:0] MASKWREN,
    input WREN,
    input CHIPSELECT,
    input CLOCK,
    input STANDBY,
    input SLEEP,
    input POWEROFF,
    output [15:0] DATAOUT
);
endmodule
/* verilator lint_on UNDRIVEN */
/* verilator lint_on UNUSEDSIGNAL */
