"""Count distinct pixel values sampled from a PNG (RGB/RGBA, 8 bits): `python3 png_colours.py F.png`.

Used by smoke_test.sh to tell a blank screenshot from a painted window; stdlib only, so it runs
with any python3 and nothing installed. Rows are not unfiltered (slow in pure Python): the
filtered bytes of a blank image take a handful of values, those of a painted window hundreds.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path


def distinct_values(path: Path) -> int:
    data = path.read_bytes()
    pos, idat = 8, b""
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, _depth, colour_type = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[colour_type]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    seen: set[bytes] = set()
    for y in range(0, height, 4):
        row = raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        seen.update(row[i : i + bpp] for i in range(0, len(row), bpp * 3))
    return len(seen)


if __name__ == "__main__":
    print(distinct_values(Path(sys.argv[1])))
