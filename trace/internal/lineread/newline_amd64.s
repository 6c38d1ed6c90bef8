#include "textflag.h"

// func newlinesAVX2(data []byte, base int, out []int32, mark byte) (n, scanned int, special bool)
//
// Thirty-two bytes at a time (AVX2): compare each byte with '\n', take
// the mask of the matches and write base plus the index of each, lowest
// first, until data has fewer than 32 bytes left or out is full (then
// scanned is the index of the first newline not written). special says
// whether a byte scanned is mark or '\r': the same loads, compared twice
// more.
TEXT ·newlinesAVX2(SB), NOSPLIT, $0-81
	MOVQ data_base+0(FP), SI
	MOVQ data_len+8(FP), BX
	MOVQ base+24(FP), R8
	MOVQ out_base+32(FP), DI
	MOVQ out_len+40(FP), R9
	XORQ CX, CX            // bytes scanned
	XORQ DX, DX            // entries written
	MOVQ $0x0a, AX
	MOVQ AX, X1
	VPBROADCASTB X1, Y1    // '\n' in every byte of Y1
	MOVBQZX mark+56(FP), AX
	MOVQ AX, X2
	VPBROADCASTB X2, Y2    // mark in every byte of Y2
	MOVQ $0x0d, AX
	MOVQ AX, X5
	VPBROADCASTB X5, Y5    // '\r' in every byte of Y5
	VPXOR Y4, Y4, Y4       // the marks and '\r's seen

loop:
	LEAQ 32(CX), AX
	CMPQ AX, BX
	JA   done
	VMOVDQU (SI)(CX*1), Y0
	// A page ahead: the hardware prefetcher stops at each 4 KiB page
	// of a mapped file, and this loop is the first to read its bytes
	// (finding the line ends of a 500 MB mapped log took 77-90 ms
	// without, 50-62 ms with; 1 KiB and 8 KiB ahead did less). A
	// prefetch never faults, past the data's end included.
	PREFETCHT0 4096(SI)(CX*1)
	VPCMPEQB Y2, Y0, Y3
	VPOR Y3, Y4, Y4
	VPCMPEQB Y5, Y0, Y3
	VPOR Y3, Y4, Y4
	VPCMPEQB Y1, Y0, Y0
	VPMOVMSKB Y0, AX
	TESTL AX, AX
	JZ   next

each:
	CMPQ DX, R9
	JAE  full
	BSFL AX, R10
	LEAQ (CX)(R10*1), R11
	ADDQ R8, R11
	MOVL R11, (DI)(DX*4)
	INCQ DX
	LEAL -1(AX), R10
	ANDL R10, AX           // the next match
	JNZ  each

next:
	ADDQ $32, CX
	JMP  loop

full:
	// The block of the newline not written counts as scanned for the
	// mark and '\r': the next call scans it again, which only repeats
	// the answer.
	BSFL AX, R10
	ADDQ R10, CX

done:
	VPTEST Y4, Y4
	SETNE AX
	VZEROUPPER
	MOVQ DX, n+64(FP)
	MOVQ CX, scanned+72(FP)
	MOVB AX, special+80(FP)
	RET
