#!/usr/bin/python3
"""Peak RSS of our server through the side-by-side's workloads, and where it goes.

Starts the Release server on the bench model the way ../shared/peer/sidebyside.py does (same flags, 32 LoRAs plus 4
cold ones), runs the untimed warm-up waves, then waves a (base), b (one LoRA), c (32 LoRAs) and d (batch 1), and
prints after each: VmHWM/VmRSS, the largest anonymous mappings (resident/size MiB @ address) and, sampled every 50
ms during each wave, the mappings at that wave's highest RSS. With --trim-at-end it then asks the process to
malloc_trim(0) through gdb: what that returns was free memory glibc still held. Run from the repository root:

  PEER=/work/peer /usr/bin/python3 docs/benchmarks/memory/waves.py [--threads 2] [--extra "--Engine:X=Y"]

Extra environment (MALLOC_*, DOTNET_*) passes through to the server.
"""
import argparse, os, re, subprocess, sys, threading, time

PEER = os.environ.get("PEER", "/work/peer")
sys.path.insert(0, os.environ.get("PEER_SCRIPTS", os.path.join(os.path.dirname(__file__), "../../../../shared/peer")))
import sidebyside as sbs  # noqa: E402


def smaps(pid):
    regs, cur = [], None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$", line)
            if m:
                cur = {"start": int(m.group(1), 16), "end": int(m.group(2), 16), "name": m.group(4).strip(), "rss": 0}
                regs.append(cur)
            elif line.startswith("Rss:"):
                cur["rss"] = int(line.split()[1])
    return regs


def anon(regs):
    big = sorted([r for r in regs if r["name"] == "" and r["rss"] > 4096], key=lambda r: -r["rss"])[:12]
    return ", ".join("%.0f/%.0f@%x" % (r["rss"] / 1024, (r["end"] - r["start"]) / 2 ** 20, r["start"]) for r in big)


def report(pid, tag):
    print("== %s %s\n   anon>4MiB: %s" % (tag, sbs.mem_mib(pid), anon(smaps(pid))), flush=True)


def sampled(pid, fn, tag):
    best, stop = [None], [False]

    def run():
        while not stop[0]:
            try:
                rss = sbs.mem_mib(pid)["VmRSS"]
                if best[0] is None or rss > best[0][0]:
                    best[0] = (rss, smaps(pid))
            except (OSError, KeyError):
                pass
            time.sleep(0.05)
    th = threading.Thread(target=run)
    th.start()
    try:
        return fn()
    finally:
        stop[0] = True
        th.join()
        if best[0]:
            print("   peak during %s: %.0f MiB; anon>4MiB: %s" % (tag, best[0][0], anon(best[0][1])), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--extra", default="", help="extra server arguments")
    ap.add_argument("--workloads", default="a,b,c,d")
    ap.add_argument("--trim-at-end", action="store_true", help="malloc_trim(0) through gdb at the end")
    x = ap.parse_args()
    out = os.path.join(PEER, "results", "memory-%s" % time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)
    a = argparse.Namespace(peer=PEER, project=os.getcwd(), threads=x.threads, adapters=32, cold_adapters=4, prompt_len=58,
                           ports=[53051, 53052, 53053], admin_key="sbs-admin-key", peft_extra=x.extra, out=out)
    p = sbs.Peft(a)
    pid = p.start(x.threads, out)

    class NoGate:
        def wait(self, what):
            return {}
    sess = sbs.Session(a, None, p, NoGate(), lambda m: None)
    sess.sys = {"project": p}
    try:
        report(pid, "after start and registering")
        p.generate(sbs.prompt_ids(1, 16), 4, None)
        for mode in ("distinct", "base"):
            sess.wave("project", mode, max_tokens=4)()
        report(pid, "after the warm-up waves")
        wl = x.workloads.split(",")
        for w, what in (("a", "base"), ("b", "same"), ("c", "distinct")):
            if w in wl:
                r = sampled(pid, sess.wave("project", what), w)
                print("%s %s tok/s" % (w, r["tok_s"]), flush=True)
                report(pid, "after " + w)
        if "d" in wl:
            r = sampled(pid, sess.single("project", 0), "d")
            print("d prompt %s tok/s, decode %s tok/s" % (r["pp128_tok_s"], r["decode_tok_s"]), flush=True)
            report(pid, "after d")
        if x.trim_at_end:
            subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "call (int)malloc_trim(0)"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            report(pid, "after malloc_trim(0)")
        for line in p.metrics().splitlines():
            if "peft_memory_bytes{" in line:
                print("  ", line)
    finally:
        p.stop()


if __name__ == "__main__":
    main()
