// Behavioural model of the Lattice ECP5 true dual-port block RAM DP16KD, for the gate-level
// co-simulation of an ECP5 netlist. Yosys 0.23's model of the primitive
// (techlibs/ecp5/cells_sim.v) declares its ports and parameters but drives no output, so
// build.rs reads that file as a library and this model replaces its DP16KD.
//
// Behaviour of the sysMEM block in its dual-port mode as Lattice's "ECP5 and ECP5-5G Memory
// Usage Guide" (FPGA-TN-02032) describes it, with the port semantics Yosys maps memories onto
// (techlibs/ecp5/brams.txt, brams_map.v), for the configurations `brams_map.v` emits
// (REGMODE "NOREG", CSDECODE "0b000" with the chip selects tied low, both ports of one width):
//   - 18,432 bits as 1,024 words of 18 (two 9-bit bytes); a port of DATA_WIDTH w reads and
//     writes DIx[w-1:0] / DOx[w-1:0] at the 14-bit address ADx13..ADx0:
//       18: word ADx13..ADx4; ADx1 and ADx0 are the byte enables of bits 17..9 and 8..0,
//        9: word ADx13..ADx4, byte ADx3,
//        4: word ADx13..ADx4, byte ADx3, nibble ADx2 (bits 3..0 or 7..4 of the byte),
//        2: word ADx13..ADx4, byte ADx3, pair ADx2..ADx1,
//        1: word ADx13..ADx4, byte ADx3, bit ADx2..ADx0
//     (the widths 1, 2 and 4 leave the ninth bit of each byte unused);
//   - everything happens at the rising edge of CLKx (the falling edge with CLKxMUX "INV"),
//     when CEx is high and CSx2..CSx0 equal CSDECODE_x: WEx high writes (the enabled bytes
//     at width 18), WEx low reads; the output latch DOx holds between accesses;
//   - during a write DOx follows WRITEMODE_x: "NORMAL" holds its value, "WRITETHROUGH" shows
//     the word as written, "READBEFOREWRITE" (at widths 9 and 18 only) the word as it was;
//   - RSTx clears DOx: at the clock edge whatever CEx (RESETMODE "SYNC"; the port then neither
//     reads nor writes, as Yosys's brams.txt describes the primitive: "rdsrst zero ungated
//     block_wr"), or at once (RESETMODE "ASYNC");
//   - INITVAL_00..INITVAL_3F hold the initial contents, 16 words each: word 16 i + j is bits
//     20 j + 17 .. 20 j of INITVAL_i.
// What is not modelled stops the simulation with $fatal at its start, naming the parameter:
// the output register (REGMODE "OUTREG"), ports of different widths, and READBEFOREWRITE at a
// width below 9, which the block does not offer. Two ports writing one
// word at the same edge, or one reading what the other writes, is a collision whose result
// the guide leaves undefined; here the later assignment wins and a read sees the old word.
module DP16KD (
    input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5,
    input DIA4, DIA3, DIA2, DIA1, DIA0,
    input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
    input CEA, OCEA, CLKA, WEA, RSTA,
    input CSA2, CSA1, CSA0,
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6,
    output DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,

    input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5,
    input DIB4, DIB3, DIB2, DIB1, DIB0,
    input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
    input CEB, OCEB, CLKB, WEB, RSTB,
    input CSB2, CSB1, CSB0,
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6,
    output DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter CLKAMUX = "CLKA";
    parameter CLKBMUX = "CLKB";
    parameter GSR = "ENABLED";
    parameter INIT_DATA = "STATIC";
    parameter [319:0] INITVAL_00 = 320'h0, INITVAL_01 = 320'h0, INITVAL_02 = 320'h0,
        INITVAL_03 = 320'h0, INITVAL_04 = 320'h0, INITVAL_05 = 320'h0, INITVAL_06 = 320'h0,
        INITVAL_07 = 320'h0, INITVAL_08 = 320'h0, INITVAL_09 = 320'h0, INITVAL_0A = 320'h0,
        INITVAL_0B = 320'h0, INITVAL_0C = 320'h0, INITVAL_0D = 320'h0, INITVAL_0E = 320'h0,
        INITVAL_0F = 320'h0, INITVAL_10 = 320'h0, INITVAL_11 = 320'h0, INITVAL_12 = 320'h0,
        INITVAL_13 = 320'h0, INITVAL_14 = 320'h0, INITVAL_15 = 320'h0, INITVAL_16 = 320'h0,
        INITVAL_17 = 320'h0, INITVAL_18 = 320'h0, INITVAL_19 = 320'h0, INITVAL_1A = 320'h0,
        INITVAL_1B = 320'h0, INITVAL_1C = 320'h0, INITVAL_1D = 320'h0, INITVAL_1E = 320'h0,
        INITVAL_1F = 320'h0, INITVAL_20 = 320'h0, INITVAL_21 = 320'h0, INITVAL_22 = 320'h0,
        INITVAL_23 = 320'h0, INITVAL_24 = 320'h0, INITVAL_25 = 320'h0, INITVAL_26 = 320'h0,
        INITVAL_27 = 320'h0, INITVAL_28 = 320'h0, INITVAL_29 = 320'h0, INITVAL_2A = 320'h0,
        INITVAL_2B = 320'h0, INITVAL_2C = 320'h0, INITVAL_2D = 320'h0, INITVAL_2E = 320'h0,
        INITVAL_2F = 320'h0, INITVAL_30 = 320'h0, INITVAL_31 = 320'h0, INITVAL_32 = 320'h0,
        INITVAL_33 = 320'h0, INITVAL_34 = 320'h0, INITVAL_35 = 320'h0, INITVAL_36 = 320'h0,
        INITVAL_37 = 320'h0, INITVAL_38 = 320'h0, INITVAL_39 = 320'h0, INITVAL_3A = 320'h0,
        INITVAL_3B = 320'h0, INITVAL_3C = 320'h0, INITVAL_3D = 320'h0, INITVAL_3E = 320'h0,
        INITVAL_3F = 320'h0;

    // All 64 initial-value rows, row i at bits 320 i + 319 .. 320 i.
    localparam [64 * 320 - 1:0] INITVALS = {
        INITVAL_3F, INITVAL_3E, INITVAL_3D, INITVAL_3C, INITVAL_3B, INITVAL_3A, INITVAL_39,
        INITVAL_38, INITVAL_37, INITVAL_36, INITVAL_35, INITVAL_34, INITVAL_33, INITVAL_32,
        INITVAL_31, INITVAL_30, INITVAL_2F, INITVAL_2E, INITVAL_2D, INITVAL_2C, INITVAL_2B,
        INITVAL_2A, INITVAL_29, INITVAL_28, INITVAL_27, INITVAL_26, INITVAL_25, INITVAL_24,
        INITVAL_23, INITVAL_22, INITVAL_21, INITVAL_20, INITVAL_1F, INITVAL_1E, INITVAL_1D,
        INITVAL_1C, INITVAL_1B, INITVAL_1A, INITVAL_19, INITVAL_18, INITVAL_17, INITVAL_16,
        INITVAL_15, INITVAL_14, INITVAL_13, INITVAL_12, INITVAL_11, INITVAL_10, INITVAL_0F,
        INITVAL_0E, INITVAL_0D, INITVAL_0C, INITVAL_0B, INITVAL_0A, INITVAL_09, INITVAL_08,
        INITVAL_07, INITVAL_06, INITVAL_05, INITVAL_04, INITVAL_03, INITVAL_02, INITVAL_01,
        INITVAL_00};
    // CSDECODE is the string "0bxyz": the low bit of each of its last three characters is
    // the chip-select value that enables the port.
    localparam [2:0] SELECT_A = {CSDECODE_A[16], CSDECODE_A[8], CSDECODE_A[0]};
    localparam [2:0] SELECT_B = {CSDECODE_B[16], CSDECODE_B[8], CSDECODE_B[0]};

    reg [17:0] words [0:1023];
    integer i;
    initial begin
        if (OUTREG_A) $fatal(1, "DP16KD %m: REGMODE_A %s is not modelled", REGMODE_A);
        if (OUTREG_B) $fatal(1, "DP16KD %m: REGMODE_B %s is not modelled", REGMODE_B);
        if (DATA_WIDTH_A != DATA_WIDTH_B)
            $fatal(1, "DP16KD %m: ports of widths %0d and %0d are not modelled", DATA_WIDTH_A,
                   DATA_WIDTH_B);
        if (!(DATA_WIDTH_A == 1 || DATA_WIDTH_A == 2 || DATA_WIDTH_A == 4 || DATA_WIDTH_A == 9
              || DATA_WIDTH_A == 18))
            $fatal(1, "DP16KD %m: DATA_WIDTH_A %0d is not one of 1, 2, 4, 9, 18", DATA_WIDTH_A);
        if ((BEFORE_A || BEFORE_B) && DATA_WIDTH_A < 9)
            $fatal(1, "DP16KD %m: READBEFOREWRITE at width %0d (9 and 18 only)", DATA_WIDTH_A);
        for (i = 0; i < 1024; i = i + 1) begin
            words[i] = INITVALS[(i / 16) * 320 + (i % 16) * 20 +: 18];
        end
    end

    wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7,
                       DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3,
                       ADA2, ADA1, ADA0};
    wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7,
                       DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
    wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3,
                       ADB2, ADB1, ADB0};
    // The string parameters as flags. A netlist gives them as literals of any length, compared
    // here with literals of other lengths (the shorter zero-extended, as Verilog compares).
    /* verilator lint_off WIDTH */
    localparam INVERT_A = CLKAMUX == "INV";
    localparam INVERT_B = CLKBMUX == "INV";
    localparam ASYNC = RESETMODE == "ASYNC";
    localparam THROUGH_A = WRITEMODE_A == "WRITETHROUGH";
    localparam THROUGH_B = WRITEMODE_B == "WRITETHROUGH";
    localparam BEFORE_A = WRITEMODE_A == "READBEFOREWRITE";
    localparam BEFORE_B = WRITEMODE_B == "READBEFOREWRITE";
    localparam OUTREG_A = REGMODE_A != "NOREG";
    localparam OUTREG_B = REGMODE_B != "NOREG";
    /* verilator lint_on WIDTH */
    wire clock_a = INVERT_A ? !CLKA : CLKA;
    wire clock_b = INVERT_B ? !CLKB : CLKB;
    wire async_reset_a = ASYNC && RSTA;
    wire async_reset_b = ASYNC && RSTB;
    wire sync_reset_a = !ASYNC && RSTA;
    wire sync_reset_b = !ASYNC && RSTB;
    wire enabled_a = CEA && {CSA2, CSA1, CSA0} == SELECT_A;
    wire enabled_b = CEB && {CSB2, CSB1, CSB0} == SELECT_B;

    // The bits of its word a port of `width` reaches at `address`, as a mask of the 18.
    function automatic [17:0] lanes(input integer width, input [13:0] address);
        case (width)
            18: lanes = {{9{address[1]}}, {9{address[0]}}};
            9: lanes = 18'h1FF << (9 * address[3]);
            4: lanes = 18'hF << (9 * address[3] + 4 * address[2]);
            2: lanes = 18'h3 << (9 * address[3] + 2 * address[2:1]);
            default: lanes = 18'h1 << (9 * address[3] + address[2:0]);
        endcase
    endfunction

    // The port's data placed at its bits of the word (`lanes` picks them): every byte holds
    // the data at its offset, so that any byte or nibble the mask keeps has the right bits.
    function automatic [17:0] spread(input integer width, input [17:0] data);
        case (width)
            18: spread = data;
            9: spread = {data[8:0], data[8:0]};
            4: spread = {1'b0, {2{data[3:0]}}, 1'b0, {2{data[3:0]}}};
            2: spread = {1'b0, {4{data[1:0]}}, 1'b0, {4{data[1:0]}}};
            default: spread = {1'b0, {8{data[0]}}, 1'b0, {8{data[0]}}};
        endcase
    endfunction

    // The port's bits of `word` at `address`, in DOx[width-1:0].
    function automatic [17:0] pick(input integer width, input [13:0] address,
                                   input [17:0] word);
        case (width)
            18: pick = word;
            9: pick = {9'd0, word[9 * address[3] +: 9]};
            4: pick = {14'd0, word[9 * address[3] + 4 * address[2] +: 4]};
            2: pick = {16'd0, word[9 * address[3] + 2 * address[2:1] +: 2]};
            default: pick = {17'd0, word[9 * address[3] + address[2:0]]};
        endcase
    endfunction

    // DOx after an access of an enabled port of `width` at `address` to `word`: a read shows
    // the port's bits of the word, a write (`write`; `written` the word it leaves) shows them
    // as written (`through`), as they were (`read_first`), or leaves `held` (NORMAL).
    function automatic [17:0] shown(input integer width, input [13:0] address, input write,
                                    input through, input read_first, input [17:0] word,
                                    input [17:0] written, input [17:0] held);
        if (!write) shown = pick(width, address, word);
        else if (through) shown = pick(width, address, written);
        else if (read_first) shown = pick(width, address, word);
        else shown = held;
    endfunction

    reg [17:0] out_a = 18'd0;
    reg [17:0] out_b = 18'd0;
    wire [9:0] word_a = ada[13:4];
    wire [9:0] word_b = adb[13:4];
    wire [17:0] mask_a = lanes(DATA_WIDTH_A, ada);
    wire [17:0] mask_b = lanes(DATA_WIDTH_B, adb);
    wire [17:0] new_a = (words[word_a] & ~mask_a) | (spread(DATA_WIDTH_A, dia) & mask_a);
    wire [17:0] new_b = (words[word_b] & ~mask_b) | (spread(DATA_WIDTH_B, dib) & mask_b);

    always @(posedge clock_a or posedge async_reset_a) begin
        if (async_reset_a || sync_reset_a) begin
            out_a <= 18'd0;
        end else if (enabled_a) begin
            if (WEA) words[word_a] <= new_a;
            out_a <= shown(DATA_WIDTH_A, ada, WEA, THROUGH_A, BEFORE_A, words[word_a], new_a,
                           out_a);
        end
    end

    always @(posedge clock_b or posedge async_reset_b) begin
        if (async_reset_b || sync_reset_b) begin
            out_b <= 18'd0;
        end else if (enabled_b) begin
            if (WEB) words[word_b] <= new_b;
            out_b <= shown(DATA_WIDTH_B, adb, WEB, THROUGH_B, BEFORE_B, words[word_b], new_b,
                           out_b);
        end
    end

    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5,
            DOA4, DOA3, DOA2, DOA1, DOA0} = out_a;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5,
            DOB4, DOB3, DOB2, DOB1, DOB0} = out_b;
endmodule
