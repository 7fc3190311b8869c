"""Verifies a zoo directory against its manifest.json (rule in README.md, "Hashing"):

- every listed file exists with the recorded bytes and sha256;
- an entry with "members" covers exactly those files; its bytes is their sum and its
  sha256 the hash of their contents concatenated in the listed (byte-wise sorted) order;
- every reference file (inputs, outputs, weights) exists;
- no file in DIR is unlisted (empty directories are ignored: git cannot keep them).

Usage: python3 oracle/check_manifest.py DIR      (standard library only)
"""

import hashlib
import json
import os
import sys


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check(root):
    with open(os.path.join(root, "manifest.json")) as f:
        manifest = json.load(f)
    problems, listed = [], {"manifest.json"}

    def check_file(rel, size, digest):
        listed.add(rel)
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            problems.append(f"missing: {rel}")
        elif os.path.getsize(path) != size:
            problems.append(f"bytes differ: {rel} ({os.path.getsize(path)} != {size})")
        elif sha256_file(path) != digest:
            problems.append(f"sha256 differs: {rel}")

    for model in manifest["models"]:
        for rel in model["inputs"] + model["outputs"] + [model["weights"]]:
            listed.add(rel)
            if not os.path.isfile(os.path.join(root, rel)):
                problems.append(f"missing: {rel}")
        for entry in model["files"]:
            members = entry.get("members")
            if members is None:
                check_file(entry["path"], entry["bytes"], entry["sha256"])
                continue
            paths = [m["path"] for m in members]
            if paths != sorted(paths, key=str.encode):
                problems.append(f"members not sorted: {entry['path']}")
            for m in members:
                check_file(m["path"], m["bytes"], m["sha256"])
            if sum(m["bytes"] for m in members) != entry["bytes"]:
                problems.append(f"bytes differ from the members' sum: {entry['path']}")
            digest = hashlib.sha256()
            for rel in paths:
                if os.path.isfile(os.path.join(root, rel)):
                    with open(os.path.join(root, rel), "rb") as f:
                        digest.update(f.read())
            if digest.hexdigest() != entry["sha256"]:
                problems.append(f"sha256 of members differs: {entry['path']}")

    for dirpath, _, names in os.walk(root):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            if rel not in listed:
                problems.append(f"unlisted: {rel}")
    return manifest, listed, problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    manifest, listed, problems = check(sys.argv[1])
    for p in problems:
        print(p)
    n_entries = sum(len(m["files"]) for m in manifest["models"])
    print(f"{len(manifest['models'])} models, {n_entries} file entries, {len(listed)} files: "
          f"{'OK' if not problems else f'{len(problems)} problems'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
