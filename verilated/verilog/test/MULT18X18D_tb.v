// Self-checking test of verilog/MULT18X18D.v (run by
// testbenches/tests/t_gate_primitive_models.rs with `verilator --binary`): 20,000 seeded
// random operand pairs and the corners (0, 1, the largest unsigned, the most negative and the
// largest signed value), each in all four signedness combinations, from the A/B inputs and
// from the shift inputs (SOURCEA, SOURCEB); the product is compared with the 64-bit integer
// product of the operands read as signed or unsigned, and the cascade outputs with the
// operands. Ends with the line "MULT18X18D: <n> checks", or stops at the first difference
// with $fatal naming the operands, the signedness and both values.
module MULT18X18D_tb;
    reg [17:0] a = 0, b = 0, c = 0, shift_a = 0, shift_b = 0;
    reg signed_a = 0, signed_b = 0, source_a = 0, source_b = 0;
    wire [35:0] p;
    wire [17:0] ro_a, ro_b, ro_c, sro_a, sro_b;
    wire signed_p;
    integer checks = 0;

    MULT18X18D multiplier (
        .A0(a[0]), .A1(a[1]), .A2(a[2]), .A3(a[3]), .A4(a[4]), .A5(a[5]), .A6(a[6]), .A7(a[7]),
        .A8(a[8]), .A9(a[9]), .A10(a[10]), .A11(a[11]), .A12(a[12]), .A13(a[13]), .A14(a[14]),
        .A15(a[15]), .A16(a[16]), .A17(a[17]),
        .B0(b[0]), .B1(b[1]), .B2(b[2]), .B3(b[3]), .B4(b[4]), .B5(b[5]), .B6(b[6]), .B7(b[7]),
        .B8(b[8]), .B9(b[9]), .B10(b[10]), .B11(b[11]), .B12(b[12]), .B13(b[13]), .B14(b[14]),
        .B15(b[15]), .B16(b[16]), .B17(b[17]),
        .C0(c[0]), .C1(c[1]), .C2(c[2]), .C3(c[3]), .C4(c[4]), .C5(c[5]), .C6(c[6]), .C7(c[7]),
        .C8(c[8]), .C9(c[9]), .C10(c[10]), .C11(c[11]), .C12(c[12]), .C13(c[13]), .C14(c[14]),
        .C15(c[15]), .C16(c[16]), .C17(c[17]),
        .SIGNEDA(signed_a), .SIGNEDB(signed_b), .SOURCEA(source_a), .SOURCEB(source_b),
        .CLK0(1'b0), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0),
        .CE0(1'b1), .CE1(1'b1), .CE2(1'b1), .CE3(1'b1),
        .RST0(1'b0), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0),
        .SRIA0(shift_a[0]), .SRIA1(shift_a[1]), .SRIA2(shift_a[2]), .SRIA3(shift_a[3]),
        .SRIA4(shift_a[4]), .SRIA5(shift_a[5]), .SRIA6(shift_a[6]), .SRIA7(shift_a[7]),
        .SRIA8(shift_a[8]), .SRIA9(shift_a[9]), .SRIA10(shift_a[10]), .SRIA11(shift_a[11]),
        .SRIA12(shift_a[12]), .SRIA13(shift_a[13]), .SRIA14(shift_a[14]),
        .SRIA15(shift_a[15]), .SRIA16(shift_a[16]), .SRIA17(shift_a[17]),
        .SRIB0(shift_b[0]), .SRIB1(shift_b[1]), .SRIB2(shift_b[2]), .SRIB3(shift_b[3]),
        .SRIB4(shift_b[4]), .SRIB5(shift_b[5]), .SRIB6(shift_b[6]), .SRIB7(shift_b[7]),
        .SRIB8(shift_b[8]), .SRIB9(shift_b[9]), .SRIB10(shift_b[10]), .SRIB11(shift_b[11]),
        .SRIB12(shift_b[12]), .SRIB13(shift_b[13]), .SRIB14(shift_b[14]),
        .SRIB15(shift_b[15]), .SRIB16(shift_b[16]), .SRIB17(shift_b[17]),
        .SROA0(sro_a[0]), .SROA1(sro_a[1]), .SROA2(sro_a[2]), .SROA3(sro_a[3]),
        .SROA4(sro_a[4]), .SROA5(sro_a[5]), .SROA6(sro_a[6]), .SROA7(sro_a[7]),
        .SROA8(sro_a[8]), .SROA9(sro_a[9]), .SROA10(sro_a[10]), .SROA11(sro_a[11]),
        .SROA12(sro_a[12]), .SROA13(sro_a[13]), .SROA14(sro_a[14]), .SROA15(sro_a[15]),
        .SROA16(sro_a[16]), .SROA17(sro_a[17]),
        .SROB0(sro_b[0]), .SROB1(sro_b[1]), .SROB2(sro_b[2]), .SROB3(sro_b[3]),
        .SROB4(sro_b[4]), .SROB5(sro_b[5]), .SROB6(sro_b[6]), .SROB7(sro_b[7]),
        .SROB8(sro_b[8]), .SROB9(sro_b[9]), .SROB10(sro_b[10]), .SROB11(sro_b[11]),
        .SROB12(sro_b[12]), .SROB13(sro_b[13]), .SROB14(sro_b[14]), .SROB15(sro_b[15]),
        .SROB16(sro_b[16]), .SROB17(sro_b[17]),
        .ROA0(ro_a[0]), .ROA1(ro_a[1]), .ROA2(ro_a[2]), .ROA3(ro_a[3]), .ROA4(ro_a[4]),
        .ROA5(ro_a[5]), .ROA6(ro_a[6]), .ROA7(ro_a[7]), .ROA8(ro_a[8]), .ROA9(ro_a[9]),
        .ROA10(ro_a[10]), .ROA11(ro_a[11]), .ROA12(ro_a[12]), .ROA13(ro_a[13]),
        .ROA14(ro_a[14]), .ROA15(ro_a[15]), .ROA16(ro_a[16]), .ROA17(ro_a[17]),
        .ROB0(ro_b[0]), .ROB1(ro_b[1]), .ROB2(ro_b[2]), .ROB3(ro_b[3]), .ROB4(ro_b[4]),
        .ROB5(ro_b[5]), .ROB6(ro_b[6]), .ROB7(ro_b[7]), .ROB8(ro_b[8]), .ROB9(ro_b[9]),
        .ROB10(ro_b[10]), .ROB11(ro_b[11]), .ROB12(ro_b[12]), .ROB13(ro_b[13]),
        .ROB14(ro_b[14]), .ROB15(ro_b[15]), .ROB16(ro_b[16]), .ROB17(ro_b[17]),
        .ROC0(ro_c[0]), .ROC1(ro_c[1]), .ROC2(ro_c[2]), .ROC3(ro_c[3]), .ROC4(ro_c[4]),
        .ROC5(ro_c[5]), .ROC6(ro_c[6]), .ROC7(ro_c[7]), .ROC8(ro_c[8]), .ROC9(ro_c[9]),
        .ROC10(ro_c[10]), .ROC11(ro_c[11]), .ROC12(ro_c[12]), .ROC13(ro_c[13]),
        .ROC14(ro_c[14]), .ROC15(ro_c[15]), .ROC16(ro_c[16]), .ROC17(ro_c[17]),
        .P0(p[0]), .P1(p[1]), .P2(p[2]), .P3(p[3]), .P4(p[4]), .P5(p[5]), .P6(p[6]),
        .P7(p[7]), .P8(p[8]), .P9(p[9]), .P10(p[10]), .P11(p[11]), .P12(p[12]),
        .P13(p[13]), .P14(p[14]), .P15(p[15]), .P16(p[16]), .P17(p[17]), .P18(p[18]),
        .P19(p[19]), .P20(p[20]), .P21(p[21]), .P22(p[22]), .P23(p[23]), .P24(p[24]),
        .P25(p[25]), .P26(p[26]), .P27(p[27]), .P28(p[28]), .P29(p[29]), .P30(p[30]),
        .P31(p[31]), .P32(p[32]), .P33(p[33]), .P34(p[34]), .P35(p[35]),
        .SIGNEDP(signed_p)
    );

    // `x` read as an 18-bit two's complement number when `is_signed`, unsigned otherwise.
    function automatic longint value(input [17:0] x, input is_signed);
        value = is_signed && x[17] ? longint'(x) - 64'sd262144 : longint'(x);
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

    // Apply `x`, `y` (through the inputs or the shift inputs, `through_shift`) with every
    // signedness, and check the outputs.
    task automatic check(input [17:0] x, input [17:0] y, input through_shift);
        longint want;
        reg [17:0] operand_a, operand_b;
        integer s;
        for (s = 0; s < 4; s = s + 1) begin
            signed_a = s[0];
            signed_b = s[1];
            source_a = through_shift;
            source_b = through_shift;
            a = through_shift ? ~x : x;
            b = through_shift ? ~y : y;
            shift_a = through_shift ? x : ~x;
            shift_b = through_shift ? y : ~y;
            c = x ^ y;
            #1;
            operand_a = x;
            operand_b = y;
            want = value(operand_a, signed_a) * value(operand_b, signed_b);
            if (p !== want[35:0])
                $fatal(1, "MULT18X18D: %h x %h (SIGNEDA %0d, SIGNEDB %0d, SOURCE %0d): P %h, want %h",
                       x, y, signed_a, signed_b, through_shift, p, want[35:0]);
            if (signed_p !== (signed_a | signed_b))
                $fatal(1, "MULT18X18D: SIGNEDA %0d, SIGNEDB %0d: SIGNEDP %0d", signed_a,
                       signed_b, signed_p);
            if (ro_a !== x || ro_b !== y || sro_a !== x || sro_b !== y || ro_c !== (x ^ y))
                $fatal(1, "MULT18X18D: %h x %h: ROA %h ROB %h SROA %h SROB %h ROC %h", x, y,
                       ro_a, ro_b, sro_a, sro_b, ro_c);
            checks = checks + 1;
        end
    endtask

    reg [31:0] random = 32'h2545_F491;
    reg [17:0] corners [0:5];
    integer i, j;
    initial begin
        corners[0] = 18'h00000;
        corners[1] = 18'h00001;
        corners[2] = 18'h3FFFF;
        corners[3] = 18'h20000;
        corners[4] = 18'h1FFFF;
        corners[5] = 18'h2AAAA;
        for (i = 0; i < 6; i = i + 1)
            for (j = 0; j < 6; j = j + 1) begin
                check(corners[i], corners[j], 1'b0);
                check(corners[i], corners[j], 1'b1);
            end
        for (i = 0; i < 20000; i = i + 1) begin
            random = next(random);
            a = random[17:0];
            random = next(random);
            check(a, random[17:0], random[31]);
        end
        $display("MULT18X18D: %0d checks", checks);
        $finish;
    end
endmodule
