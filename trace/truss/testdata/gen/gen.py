#!/usr/bin/env python3
"""Writes the hand-made truss fixtures of ../ from one scenario.

No FreeBSD machine was available: lines follow usr.bin/truss/setup.c
(print_line_prefix: "%5d" pid with -f, " %6d" tid with -H, ": ", then
"%jd.%09ld " for -d and for -D; report_exit, report_new_child,
report_thread_birth, report_signal) and syscalls.c (print_syscall pads with
tabs to column 48, then " = %ld (0x%lx)" or " ERR#%ld '%s'"). Run it from
this directory; the tests never run it.
"""

def call(text, result):
    n = len(text)
    return text + "\t" * max(0, 6 - n // 8) + (" " + result if result else "")

S = [
    (1000, call("mmap(0x0,1048576,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANON,-1,0x0)", "= 34366169088 (0x800628000)")),
    (1000, call("break(0x1200000)", "= 0 (0x0)")),
    (1000, call("break(0x1240000)", "= 0 (0x0)")),
    (1000, call("minherit(0x800628000,4096,INHERIT_NONE)", "= 0 (0x0)")),
    (1001, "<new process>"),
    (1000, call("fork()", "= 1001 (0x3e9)")),
    (1001, call('execve("/usr/local/bin/cc",[ "cc", "-c", "x.c" ],0x7fffffffe6d8)', "ERR#2 'No such file or directory'")),
    (1001, call('execve("/usr/bin/cc",[ "cc", "-c", "x.c" ],0x7fffffffe6d8)', "EJUSTRETURN")),
    (1001, call("mmap(0x0,32768,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANON,-1,0x0)", "= 34366201856 (0x800630000)")),
    (1001, call("exit(0x0)", "")),
    (1001, "process exit, rval = 0"),
    (1000, "SIGNAL 20 (SIGCHLD) code=CLD_EXITED pid=1001 uid=1001 status=0"),
    (1000, call("wait4(-1,{ EXITED,val=0 },0x0,0x0)", "= 1001 (0x3e9)")),
    (1002, "<new process>"),
    (1002, call('execve("/bin/echo",[ "echo", "hi" ],0x7fffffffe6d8)', "EJUSTRETURN")),
    (1000, call("vfork()", "= 1002 (0x3ea)")),
    (1002, call("exit(0x3)", "")),
    (1002, "process exit, rval = 3"),
    (1000, call("thr_new(0x7fffffffe400,0x68)", "= 0 (0x0)")),
    (1000, "<new thread 100234>"),
    (1003, "<new process>"),
    (1000, call("rfork(RFPROC|RFMEM|RFSPAWN)", "= 1003 (0x3eb)")),
    (1003, call('execve("/bin/ls",0x7fffffffe6c0,0x7fffffffe6d8)', "EJUSTRETURN")),
    (1003, "process exit, rval = 0"),
    (1004, "<new process>"),
    (1000, call("fork()", "= 1004 (0x3ec)")),
    (1004, call("munmap(0x800628000,4096)", "= 0 (0x0)")),
    (1004, "SIGNAL 11 (SIGSEGV) code=SEGV_MAPERR trapno=12 addr=0x0"),
    (1004, "process killed, signal = 11 (core dumped)"),
    (1000, call("exit(0x0)", "")),
    (1000, "process exit, rval = 0"),
]

def write(path, f=True, H=False, d=False, D=False, pids=None):
    t, prev = 0, 0
    with open(path, "w") as out:
        for i, (pid, body) in enumerate(S):
            if pids and pid not in pids:
                continue
            t += 30_000 + (i * 7919 % 997) * 1000
            pre = ""
            if f or H:
                if f:
                    pre += "%5d" % pid
                if f and H:
                    pre += " "
                if H:
                    pre += "%6d" % (100000 + pid)
                pre += ": "
            if d:
                pre += "%d.%09d " % divmod(t, 10**9)
            if D:
                pre += "%d.%09d " % divmod(1000 + (i * 104729 % 50000), 10**9)
            out.write(pre + body + "\n")

write("../truss_f.txt")
write("../truss_f_d.txt", d=True)
write("../truss_f_D.txt", D=True)
write("../truss_f_d_D.txt", d=True, D=True)
write("../truss_f_H_d.txt", H=True, d=True)
write("../truss_nof.txt", f=False, pids={1000})
