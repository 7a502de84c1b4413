// Behavioural model of the iCE40 UltraPlus single-port RAM primitive SB_SPRAM256KA, for the
// co-simulation of cores whose hidden weights are in SPRAM (`CoreOptions::weights_in_spram`).
// Yosys maps the primitive itself, so synthesis never sees this file; build.rs passes it to
// the Verilator run of a core only when the core's Verilog instantiates the primitive.
//
// Behaviour, as the iCE40 SPRAM usage guide documents it (everything on the rising edge of
// CLOCK; the low-power inputs are modelled at the clock edge too):
//   - 16,384 words of 16 bits at ADDRESS[13:0];
//   - CHIPSELECT high, WREN low: read; DATAOUT shows the addressed word after the edge (one
//     cycle of latency) and holds it until the next access;
//   - CHIPSELECT high, WREN high: write the nibbles of DATAIN whose MASKWREN bit is set
//     (MASKWREN[n] covers bits 4n+3..4n); DATAOUT is undefined afterwards: this model drives
//     the complement of its previous value, so that a design which uses it shows up as a
//     mismatch against the golden model (as `Ram::in_ice40_spram`'s rust-hdl model does);
//   - CHIPSELECT low: no access, DATAOUT holds;
//   - STANDBY high: no access, contents kept, DATAOUT undefined (complemented here);
//   - SLEEP high: no access, contents kept, DATAOUT 0;
//   - POWEROFF low (active low: 0 = off): no access, contents lost (undefined: set to all
//     ones here), DATAOUT 0.
// Power-up contents are undefined (Verilator starts them at 0); the core writes every weight
// before using it. `Ram` ties STANDBY and SLEEP low and POWEROFF high.
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
    output reg [15:0] DATAOUT
);
    reg [15:0] words [0:16383];
    // The bits a write changes.
    wire [15:0] write_mask = {{4{MASKWREN[3]}}, {4{MASKWREN[2]}}, {4{MASKWREN[1]}},
                              {4{MASKWREN[0]}}};
    integer i;

    // `words` is assigned with `=` (Verilator cannot delay assignments to an array inside a
    // loop); only this block reads it, never after writing it in the same edge.
    /* verilator lint_off BLKSEQ */
    always @(posedge CLOCK) begin
        if (!POWEROFF) begin
            for (i = 0; i < 16384; i = i + 1) begin
                words[i] = 16'hFFFF;
            end
            DATAOUT <= 16'd0;
        end else if (SLEEP) begin
            DATAOUT <= 16'd0;
        end else if (STANDBY) begin
            DATAOUT <= ~DATAOUT;
        end else if (CHIPSELECT) begin
            if (WREN) begin
                words[ADDRESS] = (words[ADDRESS] & ~write_mask) | (DATAIN & write_mask);
                DATAOUT <= ~DATAOUT;
            end else begin
                DATAOUT <= words[ADDRESS];
            end
        end
    end
    /* verilator lint_on BLKSEQ */
endmodule
