// Command stracegen writes a large strace log made of shifted copies of a
// real one, for scripts/bench-convert.sh.
//
//	go run ./scripts/stracegen -size 500 -o big.strace trace/strace/testdata/real/gobuild.strace.zst
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/forkcost/forkcost/internal/stracegen"
	"github.com/forkcost/forkcost/trace/decompress"
)

func main() {
	size := flag.Int64("size", 500, "size of the log to write, in MB")
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: stracegen [-size MB] -o OUT LOG")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	check(err)
	r, closeDec, err := decompress.Reader(f)
	check(err)
	src, err := io.ReadAll(r)
	check(err)
	closeDec()
	w, err := os.Create(*out)
	check(err)
	n, lines, err := stracegen.Generate(w, src, *size*1e6)
	check(err)
	check(w.Close())
	fmt.Printf("wrote %s: %d bytes, %d lines\n", *out, n, lines)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "stracegen:", err)
		os.Exit(1)
	}
}
