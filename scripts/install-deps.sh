#!/usr/bin/env bash
# Installs the Debian packages mmlc needs; idempotent and quiet when everything is present.
set -euo pipefail
PKGS=(cmake ninja-build ccache clang-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
      libclang-19-dev libclang-cpp19-dev libclang-rt-19-dev libomp-19-dev
      antlr4 libantlr4-runtime-dev libeigen3-dev libfmt-dev nlohmann-json3-dev zlib1g-dev
      libgtest-dev libonnx-dev libprotobuf-dev protobuf-compiler
      libhdf5-dev libglpk-dev                     # keras(): HDF5 weights; allocate(): the GLPK MIP solver
      python3-h5py python3-numpy                  # tests: NumPy references of Keras models
      dataset-fashion-mnist python3 g++ curl
      neovim    # test/lsp: a real editor (built-in LSP client) drives mmlc-lsp
      nodejs    # test/lsp: the VS Code extension's server launch, run with Node
      slurm-wlm munge) # slurm-wlm, munge: test/slurm starts a one-node cluster for the Slurm executor
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "mmlc: installing missing Debian packages: ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
