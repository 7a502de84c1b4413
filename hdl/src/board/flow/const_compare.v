// Comparisons with a constant, built from logic (the iCE40 board flow's map, see
// spikeforge-hdl board::flow::CONST_COMPARE_MAP).
//
// Yosys maps every `<`, `<=`, `>` and `>=` to an adder's carry chain. When one side is a
// constant the chain's lookup tables fold away and the carries stay, each in a logic cell
// of its own: a 16-bit check against a constant takes 16 cells where a few lookup tables do.
// This map rewrites such a comparison as `x < y` evaluated from the least significant bit
// up, which ABC then packs into lookup tables. Comparisons of two signals keep the chain
// (`_TECHMAP_FAIL_`).
(* techmap_celltype = "$lt $le $gt $ge" *)
module _spikeforge_const_compare (A, B, Y);
  parameter A_SIGNED = 0;
  parameter B_SIGNED = 0;
  parameter A_WIDTH = 1;
  parameter B_WIDTH = 1;
  parameter Y_WIDTH = 1;
  parameter _TECHMAP_CELLTYPE_ = "";
  parameter _TECHMAP_CONSTMSK_A_ = 0;
  parameter _TECHMAP_CONSTMSK_B_ = 0;

  input [A_WIDTH-1:0] A;
  input [B_WIDTH-1:0] B;
  output [Y_WIDTH-1:0] Y;

  // Exactly one side constant, or the cell stays as it is.
  wire _TECHMAP_FAIL_ = (&_TECHMAP_CONSTMSK_A_) == (&_TECHMAP_CONSTMSK_B_);

  // Both sides widened by one bit past the wider (sign- or zero-extended, as Verilog compares
  // them: signed only when both are); a signed comparison flips that top bit on both sides and
  // compares unsigned.
  localparam SIGNED = A_SIGNED && B_SIGNED;
  localparam W = A_WIDTH > B_WIDTH ? A_WIDTH : B_WIDTH;
  wire [W:0] a = SIGNED ? {{(W + 1 - A_WIDTH){A[A_WIDTH-1]}}, A}
                        : {{(W + 1 - A_WIDTH){1'b0}}, A};
  wire [W:0] b = SIGNED ? {{(W + 1 - B_WIDTH){B[B_WIDTH-1]}}, B}
                        : {{(W + 1 - B_WIDTH){1'b0}}, B};

  // a > b is b < a; a <= b is !(b < a); a >= b is !(a < b).
  localparam SWAP = _TECHMAP_CELLTYPE_ == "$gt" || _TECHMAP_CELLTYPE_ == "$le";
  localparam NEGATE = _TECHMAP_CELLTYPE_ == "$le" || _TECHMAP_CELLTYPE_ == "$ge";
  wire [W:0] flip = SIGNED ? {1'b1, {W{1'b0}}} : {(W + 1){1'b0}};
  wire [W:0] x = (SWAP ? b : a) ^ flip;
  wire [W:0] y = (SWAP ? a : b) ^ flip;

  // below[i]: x's bits under i are less than y's.
  wire [W+1:0] below;
  assign below[0] = 1'b0;
  genvar i;
  generate
    for (i = 0; i <= W; i = i + 1) begin : bits
      assign below[i+1] = (~x[i] & y[i]) | (~(x[i] ^ y[i]) & below[i]);
    end
  endgenerate
  assign Y = below[W+1] ^ NEGATE;
endmodule
