#!/usr/bin/env python3
"""Checks that a quantized project's defines.h spells every type QUANTIZATION chose.

Usage: check_precisions.py MODEL_DIR
MODEL_DIR holds precisions.json (the search's choice, per layer and role) and project/.
Every role whose typedef the project has (<layer>_t, <layer>_weight_t, <layer>_bias_t,
<layer>_accum_t, and input_t) must carry exactly the chosen type: a role the search changed
but the rewrite skipped would make the C code compute something else than the simulator.
Prints one line per layer kind checked; exits 1 on the first mismatch."""
import json
import re
import sys


def cpp_of(t):
    """fixed<8,5> -> ap_fixed<8,5>; ufixed<7,4,RND,SAT> -> ap_ufixed<7,4,AP_RND,AP_SAT>."""
    m = re.fullmatch(r"(u?)fixed<([^>]*)>", t)
    if not m:
        sys.exit(f"check_precisions: cannot read type '{t}'")
    fields = [f.strip() for f in m.group(2).split(",")]
    fields = fields[:2] + ["AP_" + f for f in fields[2:]]
    return f"ap_{m.group(1)}fixed<{','.join(fields)}>"


def normalise(cpp):
    """Drops default modes so that ap_fixed<8,5,AP_TRN,AP_WRAP> equals ap_fixed<8,5>."""
    cpp = cpp.replace(" ", "")
    m = re.fullmatch(r"(ap_u?fixed)<([^>]*)>", cpp)
    if not m:
        return cpp
    f = m.group(2).split(",")
    defaults = ["", "", "AP_TRN", "AP_WRAP", "0"]
    while len(f) > 2 and f[-1] == defaults[len(f) - 1]:
        f.pop()
    return f"{m.group(1)}<{','.join(f)}>"


def main():
    model = sys.argv[1]
    chosen = json.load(open(f"{model}/precisions.json"))
    defines = open(f"{model}/project/firmware/defines.h").read()
    typedefs = {name: normalise(t) for t, name in
                re.findall(r"typedef\s+(ap_u?fixed<[^;]*>)\s+(\w+)\s*;", defines)}
    suffix = {"result": "_t", "weight": "_weight_t", "bias": "_bias_t", "accum": "_accum_t"}
    checked = {}
    wanted = [("input_t", chosen["input"], "input")]
    for layer in chosen["layers"]:
        for role, end in suffix.items():
            wanted.append((layer["name"] + end, layer[role], layer["kind"] + " " + role))
    for name, t, what in wanted:
        if name not in typedefs:
            continue  # the kind has no such type (an activation has no weights)
        if typedefs[name] != normalise(cpp_of(t)):
            print(f"MISMATCH {name}: project {typedefs[name]}, search chose {cpp_of(t)}")
            sys.exit(1)
        checked[what] = checked.get(what, 0) + 1
    for what in sorted(checked):
        print(f"checked {what}")


if __name__ == "__main__":
    main()
