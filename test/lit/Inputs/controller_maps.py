# Runs `mmlc run FLOW -o OUTDIR` whose last task (Run/Inputs/hold.sh) waits for OUTDIR/GO, reads the
# controller's /proc/<pid>/maps while it waits, and prints which of libLLVM, libclang-cpp and mmlc's
# Clang module it has mapped.
# usage: controller_maps.py MMLC FLOW OUTDIR [mmlc run options...]
import os
import subprocess
import sys
import time

mmlc, flow, out, *options = sys.argv[1:]
ready, go = os.path.join(out, "READY"), os.path.join(out, "GO")
proc = subprocess.Popen([mmlc, "run", flow, "-o", out, *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
deadline = time.monotonic() + 300
while not os.path.exists(ready):
    if proc.poll() is not None or time.monotonic() > deadline:
        proc.kill()
        sys.exit("the flow ended (or timed out) before its waiting task started:\n" + proc.stdout.read().decode())
    time.sleep(0.05)
with open(f"/proc/{proc.pid}/maps") as f:
    maps = f.read()
open(go, "w").close()
output, _ = proc.communicate(timeout=300)
if proc.returncode != 0:
    sys.exit(f"mmlc run exited with {proc.returncode}:\n" + output.decode())
for name in ("libLLVM.so", "libclang-cpp.so", "libmmlc_meta_clang.so"):
    print(f"{name}: {'mapped' if name in maps else 'not mapped'}")
