// Self-checking test of verilog/DP16KD.v (run by testbenches/tests/t_gate_primitive_models.rs
// with `verilator --binary`): for every data width (1, 2, 4, 9, 18) and write mode (NORMAL,
// WRITETHROUGH, and READBEFOREWRITE at 9 and 18, the widths that offer it) one DP16KD against
// a plain memory of that width, 4,000 clock
// cycles of seeded random operations: port A writes (at width 18 with random byte enables) or
// reads, port B reads another address, now and then a cycle with CEA low, a synchronous reset
// of port A, or chip selects that do not match; after every clock edge both outputs are
// compared with what the guide says they hold. Each ends with the line
// "DP16KD width <w> <mode>: <n> checks", or the run stops at the first difference with $fatal
// naming the width, mode, cycle and both values.
module DP16KD_tb;
    reg clock = 0;
    always #5 clock = !clock;
    integer cycle = 0;
    localparam integer CYCLES = 4000;
    genvar w, m;
    generate
        for (w = 0; w < 5; w = w + 1) begin : width
            for (m = 0; m < (w < 3 ? 2 : 3); m = m + 1) begin : mode
                DP16KD_check #(
                    .WIDTH(w == 0 ? 1 : w == 1 ? 2 : w == 2 ? 4 : w == 3 ? 9 : 18),
                    .MODE(m == 0 ? "NORMAL" : m == 1 ? "WRITETHROUGH" : "READBEFOREWRITE"),
                    .SEED(32'h1234_5678 + 97 * (3 * w + m))
                ) check (.clock(clock));
            end
        end
    endgenerate
    always @(negedge clock) begin
        cycle <= cycle + 1;
        if (cycle == CYCLES) $finish;
    end
endmodule

// One DP16KD of data width WIDTH and write mode MODE (both ports) against a plain memory.
module DP16KD_check #(
    parameter integer WIDTH = 9,
    parameter MODE = "NORMAL",
    parameter [31:0] SEED = 1
) (
    input clock
);
    // Address bits below the word address: the width's position in ADx13..ADx0.
    localparam integer SHIFT = WIDTH == 1 ? 0 : WIDTH == 2 ? 1 : WIDTH == 4 ? 2 : WIDTH == 9 ? 3 : 4;
    // The width's bits of an 18-bit bus.
    localparam [17:0] BITS = WIDTH == 18 ? 18'h3FFFF : (18'd1 << WIDTH) - 18'd1;
    // The words the test uses, the first 64 of the width.
    reg [17:0] memory [0:63];
    reg [31:0] random = SEED;
    reg [13:0] address_a = 0, address_b = 0;
    reg [17:0] data_a = 0;
    reg write_a = 0, enable_a = 1, reset_a = 0, select_a = 1;
    reg [1:0] bytes_a = 2'b11;
    reg [17:0] want_a = 0, want_b = 0;
    wire [17:0] out_a, out_b;
    integer i;
    integer cycle = 0;
    integer checks = 0;
    initial for (i = 0; i < 64; i = i + 1) memory[i] = 0;
    final $display("DP16KD width %0d %0s: %0d checks", WIDTH, MODE, checks);

    // The 14-bit address of word `index` (the byte enables in bits 1..0 at width 18).
    function automatic [13:0] pins(input [5:0] index, input [1:0] bytes);
        pins = WIDTH == 18 ? {4'd0, index, 2'b00, bytes} : {8'd0, index} << SHIFT;
    endfunction

    // xorshift32
    function automatic [31:0] next(input [31:0] x);
        reg [31:0] y;
        begin
            y = x ^ (x << 13);
            y = y ^ (y >> 17);
            next = y ^ (y << 5);
        end
    endfunction

    DP16KD #(
        .DATA_WIDTH_A(WIDTH), .DATA_WIDTH_B(WIDTH),
        .WRITEMODE_A(MODE), .WRITEMODE_B(MODE),
        .CSDECODE_A("0b101"), .CSDECODE_B("0b000"),
        .RESETMODE("SYNC")
    ) ram (
        .DIA17(data_a[17]), .DIA16(data_a[16]), .DIA15(data_a[15]), .DIA14(data_a[14]),
        .DIA13(data_a[13]), .DIA12(data_a[12]), .DIA11(data_a[11]), .DIA10(data_a[10]),
        .DIA9(data_a[9]), .DIA8(data_a[8]), .DIA7(data_a[7]), .DIA6(data_a[6]),
        .DIA5(data_a[5]), .DIA4(data_a[4]), .DIA3(data_a[3]), .DIA2(data_a[2]),
        .DIA1(data_a[1]), .DIA0(data_a[0]),
        .ADA13(address_a[13]), .ADA12(address_a[12]), .ADA11(address_a[11]),
        .ADA10(address_a[10]), .ADA9(address_a[9]), .ADA8(address_a[8]), .ADA7(address_a[7]),
        .ADA6(address_a[6]), .ADA5(address_a[5]), .ADA4(address_a[4]), .ADA3(address_a[3]),
        .ADA2(address_a[2]), .ADA1(address_a[1]), .ADA0(address_a[0]),
        .CEA(enable_a), .OCEA(1'b1), .CLKA(clock), .WEA(write_a), .RSTA(reset_a),
        .CSA2(select_a), .CSA1(1'b0), .CSA0(1'b1),
        .DOA17(out_a[17]), .DOA16(out_a[16]), .DOA15(out_a[15]), .DOA14(out_a[14]),
        .DOA13(out_a[13]), .DOA12(out_a[12]), .DOA11(out_a[11]), .DOA10(out_a[10]),
        .DOA9(out_a[9]), .DOA8(out_a[8]), .DOA7(out_a[7]), .DOA6(out_a[6]), .DOA5(out_a[5]),
        .DOA4(out_a[4]), .DOA3(out_a[3]), .DOA2(out_a[2]), .DOA1(out_a[1]), .DOA0(out_a[0]),
        .DIB17(1'b1), .DIB16(1'b1), .DIB15(1'b1), .DIB14(1'b1), .DIB13(1'b1), .DIB12(1'b1),
        .DIB11(1'b1), .DIB10(1'b1), .DIB9(1'b1), .DIB8(1'b1), .DIB7(1'b1), .DIB6(1'b1),
        .DIB5(1'b1), .DIB4(1'b1), .DIB3(1'b1), .DIB2(1'b1), .DIB1(1'b1), .DIB0(1'b1),
        .ADB13(address_b[13]), .ADB12(address_b[12]), .ADB11(address_b[11]),
        .ADB10(address_b[10]), .ADB9(address_b[9]), .ADB8(address_b[8]), .ADB7(address_b[7]),
        .ADB6(address_b[6]), .ADB5(address_b[5]), .ADB4(address_b[4]), .ADB3(address_b[3]),
        .ADB2(address_b[2]), .ADB1(address_b[1]), .ADB0(address_b[0]),
        .CEB(1'b1), .OCEB(1'b1), .CLKB(clock), .WEB(1'b0), .RSTB(1'b0),
        .CSB2(1'b0), .CSB1(1'b0), .CSB0(1'b0),
        .DOB17(out_b[17]), .DOB16(out_b[16]), .DOB15(out_b[15]), .DOB14(out_b[14]),
        .DOB13(out_b[13]), .DOB12(out_b[12]), .DOB11(out_b[11]), .DOB10(out_b[10]),
        .DOB9(out_b[9]), .DOB8(out_b[8]), .DOB7(out_b[7]), .DOB6(out_b[6]), .DOB5(out_b[5]),
        .DOB4(out_b[4]), .DOB3(out_b[3]), .DOB2(out_b[2]), .DOB1(out_b[1]), .DOB0(out_b[0])
    );

    // Words are drawn from the first 64 so that reads often find written ones; port B reads
    // another word than port A's.
    reg [5:0] word_a = 0, word_b = 1;
    reg [17:0] merged;
    always @(negedge clock) begin
        // The outputs after the last rising edge.
        if ((out_a & BITS) !== want_a)
            $fatal(1, "DP16KD width %0d %0s, cycle %0d: DOA %h, want %h", WIDTH, MODE,
                   cycle, out_a & BITS, want_a);
        if ((out_b & BITS) !== want_b)
            $fatal(1, "DP16KD width %0d %0s, cycle %0d: DOB %h, want %h", WIDTH, MODE,
                   cycle, out_b & BITS, want_b);
        checks = checks + 2;
        cycle = cycle + 1;
        // The next operation.
        random = next(random);
        word_a = random[5:0];
        word_b = random[11:6] == random[5:0] ? random[11:6] + 6'd1 : random[11:6];
        write_a = random[12] | random[13];
        enable_a = random[19:16] != 0;
        reset_a = random[23:20] == 0;
        select_a = random[27:24] != 0;
        bytes_a = WIDTH == 18 ? random[29:28] : 2'b00;
        random = next(random);
        data_a = random[17:0];
        address_a = pins(word_a, bytes_a);
        address_b = pins(word_b, 2'b00);
        // What the outputs hold after the next rising edge.
        want_b = memory[word_b];
        if (reset_a) begin
            want_a = 0;
        end else if (enable_a && select_a) begin
            if (write_a) begin
                if (WIDTH == 18)
                    merged = (memory[word_a] & ~{{9{bytes_a[1]}}, {9{bytes_a[0]}}})
                             | (data_a & {{9{bytes_a[1]}}, {9{bytes_a[0]}}});
                else merged = data_a & BITS;
                if (MODE == "WRITETHROUGH") want_a = merged;
                else if (MODE == "READBEFOREWRITE") want_a = memory[word_a];
                memory[word_a] = merged;
            end else begin
                want_a = memory[word_a];
            end
        end
    end
endmodule
