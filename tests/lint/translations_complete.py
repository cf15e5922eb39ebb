#!/usr/bin/env python3
"""Checks that a translation covers every user-visible string of the current sources.

Usage: translations_complete.py LUPDATE SOURCE_DIR TS_FILE

Runs lupdate over src/ and qml/ into a scratch copy of TS_FILE (so the checked-in file is not
touched) and fails, listing them, when a string has no finished translation, or when a
translation lost a placeholder (%1, %n, ...) of its source. Run `ninja update_translations` and
translate what it lists to fix.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PLACEHOLDER = re.compile(r"%(?:L?\d+|n)")


def main() -> int:
    lupdate, source_dir, ts_file = sys.argv[1:4]
    sources = []
    for sub, exts in (("src", (".cpp", ".h")), ("qml", (".qml",))):
        for root, _dirs, files in os.walk(os.path.join(source_dir, sub)):
            sources += [os.path.join(root, f) for f in files if f.endswith(exts)]
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, os.path.basename(ts_file))
        shutil.copyfile(ts_file, copy)
        listing = os.path.join(scratch, "sources.lst")
        with open(listing, "w", encoding="utf-8") as f:
            f.write("\n".join(sorted(sources)))
        # The include path lets lupdate see the classes, so contexts come out fully qualified, as
        # tr() looks them up at run time.
        subprocess.run([lupdate, "-silent", "-no-obsolete", "-locations", "none",
                        "-I", os.path.join(source_dir, "src"), "@" + listing, "-ts", copy], check=True)
        tree = ET.parse(copy)
    problems = []
    count = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            count += 1
            source = message.findtext("source") or ""
            translation = message.find("translation")
            forms = [n.text or "" for n in translation.iter("numerusform")] or [translation.text or ""]
            if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
                problems.append(f"{name}: untranslated: {source!r}")
                continue
            wanted = set(PLACEHOLDER.findall(source))
            for form in forms:
                if message.get("numerus") == "yes":
                    missing = wanted - set(PLACEHOLDER.findall(form)) - {"%n"}
                else:
                    missing = wanted - set(PLACEHOLDER.findall(form))
                if missing:
                    problems.append(f"{name}: {sorted(missing)} missing in {form!r} (for {source!r})")
    if problems:
        print(f"{os.path.basename(ts_file)}: {len(problems)} of {count} strings need work:")
        print("\n".join("  " + p for p in problems))
        return 1
    print(f"{os.path.basename(ts_file)}: all {count} strings translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
