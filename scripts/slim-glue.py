#!/usr/bin/env python3
"""Trims what wasm-bindgen leaves in the embed that the widget never uses (scripts/embed.sh).

  slim-glue.py unexport WASM GLUE PREFIX...   before wasm-opt
  slim-glue.py imports WASM GLUE              after wasm-opt

`unexport`: leptos always builds its server-function client, which brings wasm-streams and its
three exported classes (IntoUnderlyingSource, IntoUnderlyingSink, IntoUnderlyingByteSource). A
client-side widget never calls a server function, but an export keeps its code alive. This
removes the exports whose names start with a PREFIX from the WebAssembly and their classes from
the glue, so wasm-opt drops the code behind them.

`imports`: once wasm-opt has removed dead code, some functions the glue hands to the
WebAssembly are no longer imported: their definitions go. The rest get short names (a0, a1, …)
in both files instead of wasm-bindgen's `__wbg_<name>_<16 hex digits>`: those hashes are
incompressible and were spelled twice, once in each file.

Both check that the files have the shape this expects and exit non-zero otherwise, so a
wasm-bindgen upgrade that changes the glue fails the build instead of shipping a broken embed.
"""

import re
import sys


def fail(msg):
    sys.exit(f"slim-glue.py: {msg}; update scripts/slim-glue.py")


def leb(data, i):
    result = shift = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name_bytes(s):
    raw = s.encode()
    return uleb(len(raw)) + raw


def sections(data):
    if data[:4] != b"\0asm":
        fail("not a WebAssembly module")
    i = 8
    while i < len(data):
        sid = data[i]
        size, j = leb(data, i + 1)
        yield sid, data[j : j + size]
        i = j + size


def rebuild(data, edit):
    """The module with section `sid`'s body replaced by edit(sid, body) (None keeps it)."""
    out = bytearray(data[:8])
    for sid, body in sections(data):
        new = edit(sid, body)
        body = body if new is None else new
        out += bytes([sid]) + uleb(len(body)) + body
    return bytes(out)


def read_exports(body):
    count, i = leb(body, 0)
    entries = []
    for _ in range(count):
        start = i
        n, i = leb(body, i)
        name = body[i : i + n].decode()
        i += n + 1  # the kind byte
        _, i = leb(body, i)
        entries.append((name, body[start:i]))
    return entries


def read_imports(body):
    """(module, name, rest-of-entry bytes) for each import."""
    count, i = leb(body, 0)
    entries = []
    for _ in range(count):
        n, i = leb(body, i)
        module = body[i : i + n].decode()
        i += n
        n, i = leb(body, i)
        name = body[i : i + n].decode()
        i += n
        start = i
        kind = body[i]
        i += 1
        if kind == 0:  # function: type index
            _, i = leb(body, i)
        elif kind == 1:  # table: reftype + limits
            i += 1
            flags = body[i]
            _, i = leb(body, i + 1)
            if flags & 1:
                _, i = leb(body, i)
        elif kind == 2:  # memory: limits
            flags = body[i]
            _, i = leb(body, i + 1)
            if flags & 1:
                _, i = leb(body, i)
        elif kind == 3:  # global: valtype + mutability
            i += 2
        else:
            fail(f"import kind {kind}")
        entries.append((module, name, body[start:i]))
    return entries


def unexport(wasm_path, glue_path, prefixes):
    data = open(wasm_path, "rb").read()
    glue = open(glue_path).read()
    removed = []

    def edit(sid, body):
        if sid != 7:
            return None
        kept = []
        for name, raw in read_exports(body):
            if name.lstrip("_").removeprefix("wbg_").startswith(tuple(prefixes)):
                removed.append(name)
            else:
                kept.append(raw)
        return uleb(len(kept)) + b"".join(kept)

    data = rebuild(data, edit)
    if not removed:
        fail(f"no export starts with {prefixes}")
    # Each exported class: `export class Name { … }`, its Symbol.dispose line and its
    # FinalizationRegistry constant (three lines).
    classes = sorted(set(re.findall(r"^export class (\w+) \{$", glue, re.M)))
    for cls in classes:
        if not cls.lower().startswith(tuple(prefixes)):
            continue
        glue, n = re.subn(
            rf"^export class {cls} \{{\n.*?^\}}\nif \(Symbol\.dispose\) {cls}\.prototype\[Symbol\.dispose\] = {cls}\.prototype\.free;\n",
            "",
            glue,
            flags=re.M | re.S,
        )
        glue, m = re.subn(rf"^const {cls}Finalization = .*\n.*\n.*\n", "", glue, flags=re.M)
        if n != 1 or m != 1:
            fail(f"class {cls} is not shaped as expected")
    for name in removed:
        if re.search(rf"\bwasm\.{name}\b", glue):
            fail(f"the glue still calls the removed export {name}")
    open(wasm_path, "wb").write(data)
    open(glue_path, "w").write(glue)
    print(f"slim-glue.py: removed {len(removed)} exports", file=sys.stderr)


def imports(wasm_path, glue_path):
    data = open(wasm_path, "rb").read()
    glue = open(glue_path).read()
    module = "./" + glue_path.rsplit("/", 1)[-1].replace(".js", "_bg.js")
    imported = []
    for sid, body in sections(data):
        if sid == 2:
            imported = read_imports(body)
    ours = [name for mod, name, _ in imported if mod == module]
    if not ours or len(ours) != len(imported):
        fail(f"expected every import from {module}")
    # The import object: `const import0 = { __proto__: null, NAME: function(…) {…}, … };`
    start = glue.find("    const import0 = {\n        __proto__: null,\n")
    end = glue.find("\n    };\n", start)
    if start < 0 or end < 0:
        fail("no import0 object")
    body = glue[start:end]
    entries = re.split(r"(?m)^(?=        \w+: )", body)
    head, entries = entries[0], entries[1:]
    defined = {}
    for entry in entries:
        m = re.match(r"        (\w+): ", entry)
        defined[m.group(1)] = entry
    missing = [n for n in ours if n not in defined]
    if missing:
        fail(f"imports without a definition in the glue: {missing[:3]}")
    short = {name: f"a{i}" for i, name in enumerate(ours)}
    kept = "".join(
        entry.replace(f"        {name}: ", f"        {short[name]}: ", 1)
        for name, entry in defined.items()
        if name in short
    )
    glue = glue[:start] + head + kept.rstrip(",\n") + "," + glue[end:]
    if any(re.search(rf"\b{name}\b", glue) for name in short):
        fail("an import name is used elsewhere in the glue")

    def edit(sid, body):
        if sid != 2:
            return None
        out = uleb(len(imported))
        for mod, name, rest in imported:
            out += name_bytes(mod) + name_bytes(short[name]) + rest
        return out

    open(wasm_path, "wb").write(rebuild(data, edit))
    open(glue_path, "w").write(glue)
    print(
        f"slim-glue.py: {len(ours)} imports renamed, {len(defined) - len(ours)} unused dropped",
        file=sys.stderr,
    )


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "unexport":
        unexport(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 4 and sys.argv[1] == "imports":
        imports(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
