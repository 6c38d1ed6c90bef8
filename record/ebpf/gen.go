package ebpf

// The BPF program is compiled by bpf2go into record_bpfel.o and bound in
// record_bpfel.go; both are committed, so that building forkcost needs no
// clang. To rebuild them (after editing bpf/record.bpf.c), install clang,
// llvm and libbpf-dev (Debian: apt-get install clang llvm libbpf-dev) and run
// go generate ./record/ebpf. bpf/vmlinux.h came from the running kernel's
// BTF: bpftool btf dump file /sys/kernel/btf/vmlinux format c (package
// bpftool); CO-RE relocations adapt the object to other kernels' layouts.
//go:generate go tool bpf2go -tags linux -target bpfel -type event -type exec_event record bpf/record.bpf.c -- -O2 -g -Wall -I bpf
