#!/usr/bin/env python3
"""Render a real terminal capture of `zisctl demo` to SVG (assets/screenshot.svg).

Runs the binary in a detached tmux pane of COLSxROWS, types KEYS, captures the pane with its
colours (`tmux capture-pane -e`) and turns the ANSI text into an SVG of coloured runs.

Usage: python3 scripts/screenshot.py [--binary target/release/zisctl] [--size 118x30]
                                     [--keys "Tab j"] [--out assets/screenshot.svg]
"""
import argparse
import html
import os
import re
import subprocess
import time

BASE16 = [
    "#1e1e2e", "#f38ba8", "#a6e3a1", "#f9e2af", "#89b4fa", "#f5c2e7", "#94e2d5", "#bac2de",
    "#585b70", "#f38ba8", "#a6e3a1", "#f9e2af", "#89b4fa", "#f5c2e7", "#94e2d5", "#cdd6f4",
]
FG, BG = "#cdd6f4", "#1e1e2e"


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def parse(lines):
    """Yield (row, col, text, style) runs from ANSI-coloured lines."""
    sgr = re.compile(r"\x1b\[([0-9;]*)m")
    for row, line in enumerate(lines):
        st = {"fg": None, "bg": None, "bold": False, "dim": False, "rev": False}
        col, pos, buf, start = 0, 0, "", 0
        for m in sgr.finditer(line):
            text = line[pos:m.start()]
            if text:
                yield row, col, text, dict(st)
                col += len(text)
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    st = {"fg": None, "bg": None, "bold": False, "dim": False, "rev": False}
                elif c == 1:
                    st["bold"] = True
                elif c == 2:
                    st["dim"] = True
                elif c == 22:
                    st["bold"] = st["dim"] = False
                elif c == 7:
                    st["rev"] = True
                elif c == 27:
                    st["rev"] = False
                elif 30 <= c <= 37:
                    st["fg"] = BASE16[c - 30]
                elif 90 <= c <= 97:
                    st["fg"] = BASE16[c - 90 + 8]
                elif 40 <= c <= 47:
                    st["bg"] = BASE16[c - 40]
                elif 100 <= c <= 107:
                    st["bg"] = BASE16[c - 100 + 8]
                elif c == 39:
                    st["fg"] = None
                elif c == 49:
                    st["bg"] = None
                elif c in (38, 48) and i + 1 < len(codes):
                    key = "fg" if c == 38 else "bg"
                    if codes[i + 1] == 5 and i + 2 < len(codes):
                        st[key] = xterm256(codes[i + 2])
                        i += 2
                    elif codes[i + 1] == 2 and i + 4 < len(codes):
                        st[key] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                        i += 4
                i += 1
        text = line[pos:]
        if text:
            yield row, col, text, dict(st)


def svg(lines, cols, rows):
    cw, ch, pad = 8.4, 17, 12
    w, h = cols * cw + 2 * pad, rows * ch + 2 * pad
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" '
        f'font-size="14">',
        f'<rect width="100%" height="100%" rx="8" fill="{BG}"/>',
    ]
    texts = []
    for row, col, text, st in parse(lines):
        fg, bg = st["fg"] or FG, st["bg"]
        if st["rev"]:
            fg, bg = (bg or BG), (st["fg"] or FG)
        x, y = pad + col * cw, pad + row * ch
        if bg:
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{len(text) * cw:.1f}" height="{ch}" fill="{bg}"/>'
            )
        if text.strip():
            attrs = f'fill="{fg}"'
            if st["bold"]:
                attrs += ' font-weight="bold"'
            if st["dim"]:
                attrs += ' opacity="0.6"'
            texts.append(
                f'<text x="{x:.1f}" y="{y + ch - 4:.1f}" {attrs} xml:space="preserve" '
                f'textLength="{len(text) * cw:.1f}" lengthAdjust="spacingAndGlyphs">'
                f"{html.escape(text)}</text>"
            )
    out.extend(texts)
    out.append("</svg>")
    return "\n".join(out)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(root, "target", "release", "zisctl"))
    ap.add_argument("--size", default="118x30")
    ap.add_argument("--keys", default="Tab j")
    ap.add_argument("--out", default=os.path.join(root, "assets", "screenshot.svg"))
    a = ap.parse_args()
    cols, rows = map(int, a.size.split("x"))
    s = f"zisctl-shot-{os.getpid()}"
    cmd = f"{a.binary} demo --log-file /dev/null"
    subprocess.run(["tmux", "-f", "/dev/null", "new-session", "-d", "-s", s, "-x", str(cols),
                    "-y", str(rows), "env TERM=xterm-256color COLORTERM=truecolor " + cmd], check=True)
    try:
        time.sleep(2)
        for k in a.keys.split():
            subprocess.run(["tmux", "send-keys", "-t", s, k], check=True)
            time.sleep(0.6)
        cap = subprocess.run(["tmux", "capture-pane", "-e", "-p", "-t", s],
                             capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", s])
    lines = cap.split("\n")[:rows]
    lines = [re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:41897", l) for l in lines]
    with open(a.out, "w") as f:
        f.write(svg(lines, cols, rows))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
