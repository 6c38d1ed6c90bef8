package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/forkcost/forkcost/internal/progress"
	"github.com/forkcost/forkcost/trace/addrspace"
	"github.com/forkcost/forkcost/trace/bsd"
	"github.com/forkcost/forkcost/trace/kdump"
	"github.com/forkcost/forkcost/trace/strace"
	"github.com/forkcost/forkcost/trace/truss"
)

// bsdFlags are convert's flags for kdump and truss logs.
type bsdFlags struct {
	timeForm *string
	os       *string
}

func addBSDFlags(fs *flagSet) *bsdFlags {
	return &bsdFlags{
		timeForm: fs.String("time-form", "auto", "kdump/truss: the `form` of the log's timestamps: auto, absolute (kdump -T), elapsed (kdump -E, truss -d), relative (kdump -R), duration (truss -D alone) or none"),
		os:       fs.String("os", "", "kdump: the `system` the log comes from (netbsd, freebsd, openbsd, dragonfly), when the log does not tell"),
	}
}

// convertOpts are the shared options of convert.
type convertOpts struct {
	out      string
	strict   bool
	quiet    bool
	frac     float64
	pageSize int
	baseVirt int64
	maxHeld  int
	compress bool
}

// detectFormat returns the format of the inputs for --from: strace, kdump
// or truss, recognised by content when from is auto. With auto and stdin,
// e.stdin is replaced by a buffered reader whose start was looked at.
func detectFormat(e *env, from string, inputs []strace.Input) (string, error) {
	if from != "auto" {
		return from, nil
	}
	found := ""
	for _, in := range inputs {
		var head []byte
		if in.Name == "-" {
			br := bufio.NewReaderSize(e.stdin, 64<<10)
			e.stdin = br
			peek, _ := br.Peek(64 << 10)
			// Decompress a copy of the start (gzip or zstd on stdin), so
			// that nothing is consumed from stdin itself.
			if dr, closeDec, err := strace.Decompress(bytes.NewReader(peek)); err == nil {
				head, _ = io.ReadAll(io.LimitReader(dr, 64<<10))
				closeDec()
			}
			if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
				head = head[:i+1]
			}
		} else {
			if _, err := os.Stat(in.Name); err != nil {
				return "", err
			}
			head = bsd.Head(in.Name)
		}
		f := bsd.Detect(head)
		if f == "" {
			if in.Name == "-" {
				continue
			}
			if len(head) == 0 {
				if len(inputs) > 1 {
					continue // an empty -ff file of a task that printed nothing
				}
				return "", fmt.Errorf("%s: the file is empty: nothing to convert", in.Name)
			}
			if bytes.IndexByte(head, 0) >= 0 {
				return "", fmt.Errorf("%s: binary data, not a text log (a ktrace.out file is rendered as text first, with kdump -T -f %s > %s.txt)", in.Name, in.Name, in.Name)
			}
			return "", fmt.Errorf("%s: not recognised as a strace log, nor as a kdump or truss log (its first lines do not parse); use --from to convert it anyway", in.Name)
		}
		if found != "" && f != found {
			return "", fmt.Errorf("%s is a %s log but the logs before it are %s logs", in.Name, f, found)
		}
		found = f
	}
	if found == "" {
		found = "strace"
	}
	return found, nil
}

// convertBSD converts one kdump or truss log.
func convertBSD(e *env, fs *flagSet, format string, inputs []strace.Input, o convertOpts, bf *bsdFlags) error {
	if len(inputs) != 1 {
		return fs.failf("%s: give one log (kdump and truss write one file for all processes)", format)
	}
	form, err := bsd.ParseTimeForm(*bf.timeForm)
	if err != nil {
		return fs.failf("--time-form: %v", err)
	}
	if *bf.os != "" {
		if err := oneOf(fs, "os", *bf.os, "netbsd", "freebsd", "openbsd", "dragonfly"); err != nil {
			return err
		}
	}
	bar := progress.New(e.stderr, e.terminal)
	defer bar.Done()
	base := addrspace.DefaultBaseline
	base.VirtBytes = o.baseVirt
	cfg := bsd.Config{
		Options:  bsd.Options{ResidentFraction: o.frac, PageSize: o.pageSize, Baseline: &base, MaxHeld: o.maxHeld},
		Strict:   o.strict,
		Compress: o.compress,
		Stdin:    e.stdin,
		Warn: func(format string, args ...any) {
			bar.Done()
			fmt.Fprintf(e.stderr, "analyze convert: "+format+"\n", args...)
		},
		Progress: func(n int64) { bar.Printf("converting: %.1f MB read", float64(n)/1e6) },
	}
	var st *bsd.Stats
	if format == "kdump" {
		st, err = kdump.ConvertFile(inputs[0].Name, o.out, kdump.Config{Config: cfg, Form: form, OS: *bf.os})
	} else {
		if *bf.os != "" && *bf.os != "freebsd" {
			return fs.failf("--os %s: truss logs are FreeBSD's", *bf.os)
		}
		st, err = truss.ConvertFile(inputs[0].Name, o.out, truss.Config{Config: cfg, Form: form})
	}
	bar.Done()
	if err != nil {
		var se *bsd.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s (--strict)", se)
		}
		return err
	}
	if st.Records == 0 && st.SyntaxErrors > 0 {
		os.Remove(o.out)
		return fmt.Errorf("%s: no %s record in %d lines (is it a %s log? --from auto recognises the format)", inputs[0].Name, format, st.SyntaxErrors, format)
	}
	if !o.quiet {
		fmt.Fprintf(e.stderr, "wrote %s: %s\n", o.out, st)
		if st.SyntaxErrors > 0 {
			fmt.Fprintf(e.stderr, "skipped %s\n", plural(st.SyntaxErrors, "malformed line"))
		}
	}
	return nil
}
