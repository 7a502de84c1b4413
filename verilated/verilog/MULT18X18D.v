// Behavioural model of the Lattice ECP5 sysDSP multiplier MULT18X18D, for the gate-level
// co-simulation of an ECP5 netlist. Yosys 0.23 ships this primitive only as a blackbox
// (techlibs/ecp5/cells_bb.v); build.rs gives this file to Verilator with the netlist.
//
// Behaviour of the 18x18 multiplier as Lattice's "ECP5 and ECP5-5G sysDSP Usage Guide"
// (FPGA-TN-02205) describes it, with the ports of Yosys's blackbox (cells_bb.v), in the
// configuration Yosys's `dsp_map.v` emits (no parameter set, so every REG_*_CLK is "NONE":
// the input, pipeline and output registers bypassed, and the block is combinational):
//   - the A operand is A17..A0, or the shift input SRIA17..SRIA0 when SOURCEA is 1; B alike
//     with SOURCEB and SRIB;
//   - P35..P0 = A x B, each operand two's complement when its SIGNEDA / SIGNEDB is 1 and
//     unsigned when it is 0; SIGNEDP is 1 when the product is signed (either operand is);
//   - ROA, ROB, ROC pass the A, B and C operands on to a following ALU54B, SROA and SROB the
//     A and B operands to the next multiplier's shift inputs.
// A register (any REG_*_CLK other than "NONE") is not modelled: the simulation stops with
// $fatal at its start, naming the parameter, rather than compute something else.
module MULT18X18D (
    input A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17,
    input B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14, B15, B16, B17,
    input C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17,
    input SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
    input CLK0, CLK1, CLK2, CLK3,
    input CE0, CE1, CE2, CE3,
    input RST0, RST1, RST2, RST3,
    input SRIA0, SRIA1, SRIA2, SRIA3, SRIA4, SRIA5, SRIA6, SRIA7, SRIA8, SRIA9, SRIA10, SRIA11,
    input SRIA12, SRIA13, SRIA14, SRIA15, SRIA16, SRIA17,
    input SRIB0, SRIB1, SRIB2, SRIB3, SRIB4, SRIB5, SRIB6, SRIB7, SRIB8, SRIB9, SRIB10, SRIB11,
    input SRIB12, SRIB13, SRIB14, SRIB15, SRIB16, SRIB17,
    output SROA0, SROA1, SROA2, SROA3, SROA4, SROA5, SROA6, SROA7, SROA8, SROA9, SROA10,
    output SROA11, SROA12, SROA13, SROA14, SROA15, SROA16, SROA17,
    output SROB0, SROB1, SROB2, SROB3, SROB4, SROB5, SROB6, SROB7, SROB8, SROB9, SROB10,
    output SROB11, SROB12, SROB13, SROB14, SROB15, SROB16, SROB17,
    output ROA0, ROA1, ROA2, ROA3, ROA4, ROA5, ROA6, ROA7, ROA8, ROA9, ROA10, ROA11, ROA12,
    output ROA13, ROA14, ROA15, ROA16, ROA17,
    output ROB0, ROB1, ROB2, ROB3, ROB4, ROB5, ROB6, ROB7, ROB8, ROB9, ROB10, ROB11, ROB12,
    output ROB13, ROB14, ROB15, ROB16, ROB17,
    output ROC0, ROC1, ROC2, ROC3, ROC4, ROC5, ROC6, ROC7, ROC8, ROC9, ROC10, ROC11, ROC12,
    output ROC13, ROC14, ROC15, ROC16, ROC17,
    output P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17,
    output P18, P19, P20, P21, P22, P23, P24, P25, P26, P27, P28, P29, P30, P31, P32, P33,
    output P34, P35,
    output SIGNEDP
);
    // The registers' clocks; only "NONE" (bypassed) is modelled.
    parameter REG_INPUTA_CLK = "NONE";
    parameter REG_INPUTB_CLK = "NONE";
    parameter REG_INPUTC_CLK = "NONE";
    parameter REG_PIPELINE_CLK = "NONE";
    parameter REG_OUTPUT_CLK = "NONE";
    // The rest of the primitive's parameters, accepted so that a netlist may set them; with
    // every register bypassed none of them changes the product.
    parameter REG_INPUTA_CE = "CE0";
    parameter REG_INPUTA_RST = "RST0";
    parameter REG_INPUTB_CE = "CE0";
    parameter REG_INPUTB_RST = "RST0";
    parameter REG_INPUTC_CE = "CE0";
    parameter REG_INPUTC_RST = "RST0";
    parameter REG_PIPELINE_CE = "CE0";
    parameter REG_PIPELINE_RST = "RST0";
    parameter REG_OUTPUT_CE = "CE0";
    parameter REG_OUTPUT_RST = "RST0";
    parameter CLK0_DIV = "ENABLED";
    parameter CLK1_DIV = "ENABLED";
    parameter CLK2_DIV = "ENABLED";
    parameter CLK3_DIV = "ENABLED";
    parameter HIGHSPEED_CLK = "NONE";
    parameter GSR = "ENABLED";
    parameter CAS_MATCH_REG = "FALSE";
    parameter SOURCEB_MODE = "B_SHIFT";
    parameter MULT_BYPASS = "DISABLED";
    parameter RESETMODE = "SYNC";

    initial begin
        if (REG_INPUTA_CLK != "NONE") $fatal(1, "MULT18X18D %m: REG_INPUTA_CLK %s is not modelled", REG_INPUTA_CLK);
        if (REG_INPUTB_CLK != "NONE") $fatal(1, "MULT18X18D %m: REG_INPUTB_CLK %s is not modelled", REG_INPUTB_CLK);
        if (REG_INPUTC_CLK != "NONE") $fatal(1, "MULT18X18D %m: REG_INPUTC_CLK %s is not modelled", REG_INPUTC_CLK);
        if (REG_PIPELINE_CLK != "NONE") $fatal(1, "MULT18X18D %m: REG_PIPELINE_CLK %s is not modelled", REG_PIPELINE_CLK);
        if (REG_OUTPUT_CLK != "NONE") $fatal(1, "MULT18X18D %m: REG_OUTPUT_CLK %s is not modelled", REG_OUTPUT_CLK);
        if (MULT_BYPASS != "DISABLED") $fatal(1, "MULT18X18D %m: MULT_BYPASS %s is not modelled", MULT_BYPASS);
    end

    wire [17:0] a_in = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2,
                        A1, A0};
    wire [17:0] b_in = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2,
                        B1, B0};
    wire [17:0] c_in = {C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2,
                        C1, C0};
    wire [17:0] a_shift = {SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10,
                           SRIA9, SRIA8, SRIA7, SRIA6, SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0};
    wire [17:0] b_shift = {SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10,
                           SRIB9, SRIB8, SRIB7, SRIB6, SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0};
    wire [17:0] a = SOURCEA ? a_shift : a_in;
    wire [17:0] b = SOURCEB ? b_shift : b_in;
    // Each operand extended to the product's 36 bits by its sign bit when signed, by zeros
    // when not; the low 36 bits of the product of the extended operands are the product.
    wire [35:0] a_wide = {{18{SIGNEDA & a[17]}}, a};
    wire [35:0] b_wide = {{18{SIGNEDB & b[17]}}, b};
    wire [35:0] p = a_wide * b_wide;

    assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19,
            P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1,
            P0} = p;
    assign SIGNEDP = SIGNEDA | SIGNEDB;
    assign {ROA17, ROA16, ROA15, ROA14, ROA13, ROA12, ROA11, ROA10, ROA9, ROA8, ROA7, ROA6,
            ROA5, ROA4, ROA3, ROA2, ROA1, ROA0} = a;
    assign {ROB17, ROB16, ROB15, ROB14, ROB13, ROB12, ROB11, ROB10, ROB9, ROB8, ROB7, ROB6,
            ROB5, ROB4, ROB3, ROB2, ROB1, ROB0} = b;
    assign {ROC17, ROC16, ROC15, ROC14, ROC13, ROC12, ROC11, ROC10, ROC9, ROC8, ROC7, ROC6,
            ROC5, ROC4, ROC3, ROC2, ROC1, ROC0} = c_in;
    assign {SROA17, SROA16, SROA15, SROA14, SROA13, SROA12, SROA11, SROA10, SROA9, SROA8,
            SROA7, SROA6, SROA5, SROA4, SROA3, SROA2, SROA1, SROA0} = a;
    assign {SROB17, SROB16, SROB15, SROB14, SROB13, SROB12, SROB11, SROB10, SROB9, SROB8,
            SROB7, SROB6, SROB5, SROB4, SROB3, SROB2, SROB1, SROB0} = b;
endmodule
