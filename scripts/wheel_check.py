#!/usr/bin/env python3
"""Check an rqdash wheel (or a bare ELF binary) before it ships.

    python3 scripts/wheel_check.py --max-glibc 2.17 target/wheels/rqdash-*.whl
    python3 scripts/wheel_check.py --max-glibc 2.17 path/to/rqdash     # just the binary

For a wheel: its tag is manylinux2014 / manylinux_2_17, it holds only the binary, the
`python -m rqdash` launcher and its metadata, and it declares no Python dependency.
For the binary: the highest GLIBC_x.y version it needs (read from the ELF .gnu.version_r
section, as `objdump -T` shows it) is at most --max-glibc. Standard library only, so it runs
before anything is installed. Exit status 0 when every check holds, 1 otherwise.
"""

import argparse
import struct
import sys
import zipfile

SHT_GNU_VERNEED = 0x6FFFFFFE
ALLOWED_FILES = {"rqdash/__init__.py", "rqdash/__main__.py"}


def glibc_versions(elf: bytes) -> set:
    """Every GLIBC_x.y[.z] version named in the binary's version-needed section."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    found = set()
    for _name, kind, _flags, _addr, off, _size, link, info, _align, _entsize in sections:
        if kind != SHT_GNU_VERNEED:
            continue
        strtab_off = sections[link][4]

        def string(at):
            start = strtab_off + at
            return elf[start:elf.index(b"\0", start)].decode()

        need = off
        for _ in range(info):  # sh_info = number of Verneed entries
            _ver, cnt, _file, aux, nxt = struct.unpack_from("<HHIII", elf, need)
            a = need + aux
            for _ in range(cnt):
                _hash, _flg, _other, name, anext = struct.unpack_from("<IHHII", elf, a)
                found.add(string(name))
                a += anext
            need += nxt
    return {v for v in found if v.startswith("GLIBC_") and v[6:7].isdigit()}


def version_key(v: str) -> tuple:
    return tuple(int(p) for p in v.split("_", 1)[1].split("."))


def check_binary(elf: bytes, max_glibc: str, label: str) -> list:
    versions = glibc_versions(elf)
    if not versions:
        return [f"{label}: no GLIBC_ version found (not a dynamically linked glibc binary?)"]
    highest = max(versions, key=version_key)
    print(f"{label}: highest GLIBC_ version needed is {highest} (of {len(versions)} named)")
    if version_key(highest) > version_key("GLIBC_" + max_glibc):
        return [f"{label}: needs {highest}, above the allowed GLIBC_{max_glibc}"]
    return []


def check_wheel(path: str, max_glibc: str) -> list:
    problems = []
    name = path.rsplit("/", 1)[-1]
    if "manylinux_2_17" not in name and "manylinux2014" not in name:
        problems.append(f"{name}: the file name carries no manylinux2014 / manylinux_2_17 tag")
    with zipfile.ZipFile(path) as whl:
        names = whl.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/WHEEL"))
        tags = [line.split(": ", 1)[1] for line in whl.read(f"{dist_info}/WHEEL").decode().splitlines()
                if line.startswith("Tag: ")]
        print(f"{name}: tags {', '.join(tags)}")
        if not any("manylinux_2_17" in t or "manylinux2014" in t for t in tags):
            problems.append(f"{name}: WHEEL declares no manylinux_2_17 tag")
        metadata = whl.read(f"{dist_info}/METADATA").decode()
        if any(line.startswith("Requires-Dist:") for line in metadata.splitlines()):
            problems.append(f"{name}: declares Python dependencies")
        binaries = [n for n in names if n.endswith(".data/scripts/rqdash")]
        if len(binaries) != 1:
            problems.append(f"{name}: expected one .data/scripts/rqdash, found {binaries}")
        extra = [n for n in names if not n.startswith(dist_info + "/") and n not in binaries
                 and n not in ALLOWED_FILES]
        if extra:
            problems.append(f"{name}: unexpected files {extra}")
        for b in binaries:
            info = whl.getinfo(b)
            if not (info.external_attr >> 16) & 0o111:
                problems.append(f"{name}: {b} is not executable")
            problems += check_binary(whl.read(b), max_glibc, b)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-glibc", default="2.17", help="highest GLIBC_ version allowed")
    parser.add_argument("path", help="a .whl file or an ELF binary")
    args = parser.parse_args()
    if args.path.endswith(".whl"):
        problems = check_wheel(args.path, args.max_glibc)
    else:
        with open(args.path, "rb") as f:
            problems = check_binary(f.read(), args.max_glibc, args.path)
    for p in problems:
        print(f"FAIL {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
