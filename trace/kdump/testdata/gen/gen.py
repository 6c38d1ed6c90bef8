#!/usr/bin/env python3
"""Writes the hand-made kdump fixtures of ../ from one scenario per OS.

No BSD machine was available: every line is printed with the header printf
formats of each OS's kdump.c (quoted in the comments) and payloads in the
shapes of the public samples in ../pub_*.txt. Run it from this directory;
the tests never run it.
"""

def hdr(os, pid, lwp, comm, t, typ, flags):
    """One header, as dumpheader() prints it."""
    comm = comm[:16]
    if os == "netbsd":      # "%6d " pid, "%6d " lid, "%-8.*s " comm, "%ld.%09ld " time, "%-4s  " type
        s = "%6d %6d %-8s " % (pid, lwp, comm)
    elif os == "freebsd":   # "%6jd " pid, with -H "%6jd " tid, "%-8.*s " comm, time "%jd.%06ld ", "%s  " type
        s = "%6d " % pid
        if "H" in flags:
            s += "%6d " % lwp
        s += "%-8s " % comm
        if "A" in flags:
            s = "F64  " + s
    elif os == "openbsd":   # "%6ld" pid, -H "/%-7ld" tid, " %-8s " comm, time "%lld.%06ld ", "%s  " type
        s = "%6d" % pid
        if "H" in flags:
            s += "/%-7d" % lwp
        s += " %-8s " % comm
    elif os == "dragonfly": # pid:lwp joined (linuxthor/uul)
        s = "%6d:%-4d %-8s " % (pid, lwp, comm)
    if t is not None:
        frac = 9 if os == "netbsd" else 6
        sec, ns = divmod(t, 10**9)
        s += "%d.%0*d " % (sec, frac, ns // 10**(9 - frac))
    if os == "netbsd":
        s += "%-4s  " % typ
    else:
        s += "%s  " % (typ + " " * (4 - len(typ)))
    return s

PLAIN = False   # kdump -n: return values in hex only
LWP1 = False    # NetBSD 8: the first lwp's id is 1, not the pid

def ret(v, fancy=True):
    if PLAIN:
        return "%#x" % v if v else "0"
    if 0 <= v <= 9:
        return "%d" % v
    return "%d/%#x" % (v, v)

def scenario(os):
    """(pid, lwp, comm, TYPE, payload, continuation lines) records."""
    vf = {"netbsd": "__vfork14"}.get(os, "vfork")
    brk = {"netbsd": "obreak", "openbsd": "break", "freebsd": "break", "dragonfly": "obreak"}[os]
    lwp0 = {"netbsd": 1000, "freebsd": 100100, "openbsd": 100100, "dragonfly": 1}[os]
    def L(pid):
        if os == "netbsd" and LWP1:
            return 1
        return {"netbsd": pid, "freebsd": 100000 + pid, "openbsd": 100000 + pid, "dragonfly": 1}[os]
    mmap_flags = {"netbsd": "0x1002<PRIVATE,ANONYMOUS,ALIGN=NONE>", "freebsd": "MAP_PRIVATE|MAP_ANON",
                  "openbsd": "0x1002<MAP_PRIVATE|MAP_ANON>", "dragonfly": "0x1002"}[os]
    mmap_prot = {"netbsd": "PROT_READ|PROT_WRITE", "freebsd": "PROT_READ|PROT_WRITE",
                 "openbsd": "0x3<PROT_READ|PROT_WRITE>", "dragonfly": "0x3"}[os]
    mmap_tail = ",0xffffffff,0,0" if os == "netbsd" else ",0xffffffff,0"
    R = []
    def rec(pid, comm, typ, payload, cont=(), lwp=None):
        R.append((pid, L(pid) if lwp is None else lwp, comm, typ, payload, list(cont)))
    sh = "sh"
    if os == "netbsd":
        rec(1000, sh, "EMUL", '"netbsd"')
    # the shell maps 1 MiB and grows its heap
    rec(1000, sh, "CALL", "mmap(0,0x100000,%s,%s%s)" % (mmap_prot, mmap_flags, mmap_tail))
    rec(1000, sh, "RET", "mmap " + ret(0x7f7ff7e00000))
    rec(1000, sh, "CALL", "%s(0x1200000)" % brk)
    rec(1000, sh, "RET", "%s 0" % brk)
    rec(1000, sh, "CALL", "%s(0x1240000)" % brk)
    rec(1000, sh, "RET", "%s 0" % brk)
    # fork; the child's first record comes after the parent's RET here
    rec(1000, sh, "CALL", "fork")
    rec(1000, sh, "RET", "fork " + ret(1001))
    rec(1001, sh, "RET", "fork 0")
    rec(1001, sh, "CALL", "execve(0x7f7fffffe8a0,0x7f7fffffe6c0,0x7f7fffffe6d8)")
    rec(1001, sh, "NAMI", '"/usr/local/bin/cc"')
    rec(1001, sh, "RET", "execve -1 errno 2 No such file or directory")
    rec(1001, sh, "CALL", "execve(0x7f7fffffe8a0,0x7f7fffffe6c0,0x7f7fffffe6d8)")
    rec(1001, sh, "NAMI", '"/usr/bin/cc"')
    if os == "openbsd":
        rec(1001, sh, "ARGS", "", ['\t[0] = "cc"', '\t[1] = "-c"', '\t[2] = "x.c"'])
    if os == "netbsd":
        rec(1001, sh, "ARG", '"cc\\0-c\\0x.c\\0"')
        rec(1001, sh, "NAMI", '"/usr/libexec/ld.elf_so"')
        rec(1001, "cc", "EMUL", '"netbsd"')
    rec(1001, "cc", "RET", "execve " + ("0" if os == "openbsd" else "JUSTRETURN"))
    rec(1001, "cc", "CALL", "mmap(0,0x8000,%s,%s%s)" % (mmap_prot, mmap_flags, mmap_tail))
    rec(1001, "cc", "RET", "mmap " + ret(0x7f7ff7c00000))
    rec(1001, "cc", "GIO", "fd 2 wrote 6 bytes", ['       "hello\\n"'])
    rec(1001, "cc", "CALL", "exit(0)")
    rec(1000, sh, "PSIG", "SIGCHLD caught handler=0x41d6c0 mask=0x0 code=CLD_EXITED" +
        (" status=0 pid=1001 uid=1000<\"user\">" if os == "openbsd" else ""))
    rec(1000, sh, "CALL", "wait4(0xffffffff,0x7f7fffffe5cc,0,0)")
    rec(1000, sh, "RET", "wait4 " + ret(1001))
    # vfork: the child runs before the parent's RET
    rec(1000, sh, "CALL", vf)
    rec(1002, sh, "RET", vf + " 0")
    rec(1002, sh, "CALL", "execve(0x7f7fffffe8a0,0x7f7fffffe6c0,0x7f7fffffe6d8)")
    rec(1002, sh, "NAMI", '"/bin/echo"')
    if os == "netbsd":
        rec(1002, "echo", "EMUL", '"netbsd"')
    rec(1002, "echo", "RET", "execve " + ("0" if os in ("openbsd", "dragonfly") else "JUSTRETURN"))
    rec(1002, "echo", "CALL", "exit(0x3)")
    rec(1000, sh, "RET", vf + " " + ret(1002))
    if os == "netbsd":
        # posix_spawn: the child pid comes back through a pointer
        rec(1000, sh, "CALL", "posix_spawn(0x7f7fffffe5c8,0x7f7fffffe8a0,0,0,0x7f7fffffe6c0,0x7f7fffffe6d8)")
        rec(1003, sh, "NAMI", '"/usr/bin/true"')
        rec(1003, "true", "EMUL", '"netbsd"')
        rec(1000, sh, "RET", "posix_spawn 0")
        rec(1003, "true", "CALL", "exit(0)")
        # a thread
        rec(1000, sh, "CALL", "_lwp_create(0x7f7fffffe400,0x40,0x7f7fffffe3fc)")
        rec(1000, sh, "RET", "_lwp_create 0")
        rec(1000, sh, "CALL", "_lwp_self", lwp=2 if LWP1 else 1999)
        rec(1000, sh, "RET", "_lwp_self " + ret(2 if LWP1 else 1999), lwp=2 if LWP1 else 1999)
        rec(1000, sh, "CALL", "_lwp_exit", lwp=2 if LWP1 else 1999)
        # mremap and minherit
        rec(1000, sh, "CALL", "mremap(0x7f7ff7e00000,0x100000,0,0x200000,0)")
        rec(1000, sh, "RET", "mremap " + ret(0x7f7ff7a00000))
        rec(1000, sh, "CALL", "minherit(0x7f7ff7a00000,0x100000,2)")
        rec(1000, sh, "RET", "minherit 0")
    if os == "freebsd":
        # rfork: RFPROC|RFFDG is a fork; RFPROC|RFMEM|RFPPWAIT (RFSPAWN) a spawn; pdfork
        rec(1000, sh, "CALL", "rfork(0x14<RFFDG|RFPROC>)")
        rec(1000, sh, "RET", "rfork " + ret(1005))
        rec(1005, sh, "CALL", "exit(0)")
        rec(1000, sh, "CALL", "rfork(RFPROC|RFMEM|RFSPAWN)")
        rec(1006, sh, "CALL", "execve(0x7fffffffe8a0,0x7fffffffe6c0,0x7fffffffe6d8)")
        rec(1006, sh, "NAMI", '"/bin/ls"')
        rec(1006, "ls", "RET", "execve JUSTRETURN")
        rec(1000, sh, "RET", "rfork " + ret(1006))
        rec(1006, "ls", "CALL", "exit(0)")
        rec(1000, sh, "CALL", "pdfork(0x7fffffffe5cc,0)")
        rec(1000, sh, "RET", "pdfork " + ret(1007))
        rec(1007, sh, "CALL", "exit(0x1)")
        rec(1000, sh, "CALL", "thr_new(0x7fffffffe400,0x68)")
        rec(1000, sh, "RET", "thr_new 0")
    if os == "openbsd":
        rec(1000, sh, "CALL", "__tfork(0x7f7ffffe3f50,24)")
        rec(1000, sh, "RET", "__tfork " + ret(184467))
        rec(1000, sh, "CALL", "mprotect(0x7f7ff7e00000,0x1000,0<PROT_NONE>)")
        rec(1000, sh, "RET", "mprotect 0")
    # a child that maps memory and dies of SIGSEGV
    rec(1000, sh, "CALL", "fork")
    rec(1004, sh, "RET", "fork 0")
    rec(1000, sh, "RET", "fork " + ret(1004))
    rec(1004, sh, "CALL", "munmap(0x7f7ff7a00000,0x1000)")
    rec(1004, sh, "RET", "munmap 0")
    rec(1004, sh, "PSIG", "SIGSEGV SIG_DFL code=SEGV_MAPERR addr=0x0 trapno=6")
    rec(1000, sh, "CALL", "wait4(0xffffffff,0x7f7fffffe5cc,0,0)")
    rec(1000, sh, "RET", "wait4 " + ret(1004))
    rec(1000, sh, "CALL", "exit(0)")
    return R

def write(path, os, flags="", time=None):
    t0 = 1700000000 * 10**9
    with open(path, "w") as f:
        prev = None
        abs_t = t0
        for i, (pid, lwp, comm, typ, payload, cont) in enumerate(scenario(os)):
            if i > 0:
                abs_t += 20_000 + (i * 7919 % 997) * 1000  # uneven steps, as in a real log
            if time == "T":
                t = abs_t
            elif time == "E":
                t = abs_t - t0
            elif time == "R":
                t = 0 if prev is None else abs_t - prev
            else:
                t = None
            prev = abs_t
            f.write((hdr(os, pid, lwp, comm, t, typ, flags) + payload).rstrip(" ") + "\n")
            for c in cont:
                f.write(c + "\n")

write("../netbsd_T.txt", "netbsd", time="T")
write("../netbsd_E.txt", "netbsd", time="E")
write("../freebsd_R.txt", "freebsd", time="R")
write("../freebsd_H_T.txt", "freebsd", flags="H", time="T")
write("../openbsd_T.txt", "openbsd", time="T")
write("../openbsd_H_E.txt", "openbsd", flags="H", time="E")
write("../dragonfly_none.txt", "dragonfly")
write("../dragonfly_R.txt", "dragonfly", time="R")
PLAIN = True
write("../netbsd_n_T.txt", "netbsd", time="T")
write("../freebsd_n.txt", "freebsd")
PLAIN = False
LWP1 = True
write("../netbsd8_lwp1_E.txt", "netbsd", time="E")
LWP1 = False
write("../netbsd_none.txt", "netbsd")
write("../netbsd_R.txt", "netbsd", time="R")
write("../freebsd_none.txt", "freebsd")
write("../freebsd_H_E.txt", "freebsd", flags="H", time="E")
write("../freebsd_A_T.txt", "freebsd", flags="A", time="T")
write("../openbsd_none.txt", "openbsd")
write("../openbsd_H_R.txt", "openbsd", flags="H", time="R")
write("../dragonfly_T.txt", "dragonfly", time="T")
