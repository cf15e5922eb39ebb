#!/usr/bin/env python3
"""Finds full-expressions that GCC 12 miscompiles in coroutines.

In a statement that contains `co_await`, GCC 12 destroys some temporaries twice (a double free or
a reference count dropped twice, found in this project the hard way):
  - closures that capture something by value (`[text](...) {...}` passed to an awaited call),
  - aggregates built in place (`Request{...}`, or `{...}` / `{}` for an aggregate parameter),
  - conditional expressions of class type (`c ? a : QString()`).
Name the value in a statement of its own first, or use a helper such as `choose()`.

Usage: coroutine_temporaries.py FILE_OR_DIR...   (exit 1 and one line per finding, else 0)
A line may opt out with the comment `coroutine-lint: ok (<why>)`.
"""
import pathlib
import re
import sys


def blank_comments_and_literals(src: str) -> str:
    """The source with comments and string/char literals blanked (same offsets and lines)."""
    out = []
    i, n = 0, len(src)
    while i < n:
        if src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif src.startswith('/*', i):
            j = src.find('*/', i)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        elif src[i] in '"\'' and not (i > 0 and (src[i - 1].isalnum() or src[i - 1] == '_') and src[i] == '\''):
            quote = src[i]
            j = i + 1
            while j < n and src[j] != quote and src[j] != '\n':
                j += 2 if src[j] == '\\' else 1
            out.append(quote + ' ' * (j - i - 1) + quote)
            i = j + 1
        else:
            out.append(src[i])
            i += 1
    return ''.join(out)


def statement_around(s: str, pos: int) -> tuple[int, int]:
    """The bounds of the statement (full-expression) that holds offset `pos`."""
    a, depth = pos, 0
    while a > 0:
        ch = s[a - 1]
        if ch in ')]':
            depth += 1
        elif ch in '([':
            depth = max(0, depth - 1)
        elif ch in ';{}' and depth == 0:
            break
        a -= 1
    b, depth = pos, 0
    while b < len(s):
        ch = s[b]
        if ch in '([{':
            depth += 1
        elif ch in ')]}':
            if depth == 0:
                break
            depth -= 1
        elif ch == ';' and depth == 0:
            break
        b += 1
    return a, b


CAPTURE = re.compile(r'\[([^\[\]]*)\]\s*(?:\([^()]*\)\s*)?(?:mutable\s*)?(?:->[^{;]*)?\{')


def by_value_capture(stmt: str) -> bool:
    for m in CAPTURE.finditer(stmt):
        inner = m.group(1).strip()
        if not inner:
            continue
        for part in (p.strip() for p in inner.split(',')):
            if part and part not in ('this', '&') and not part.startswith('&'):
                return True
    return False


def findings(path: pathlib.Path):
    text = path.read_text(encoding='utf-8')
    lines = text.split('\n')
    s = blank_comments_and_literals(text)
    seen = set()
    for m in re.finditer(r'\bco_await\b', s):
        a, b = statement_around(s, m.start())
        if (a, b) in seen:
            continue
        seen.add((a, b))
        stmt = s[a:b]
        first = s.count('\n', 0, a)
        last = s.count('\n', 0, b)
        if any('coroutine-lint: ok' in lines[k] for k in range(first, min(last + 1, len(lines)))):
            continue
        body = stmt[stmt.find('co_await'):]
        problems = []
        if by_value_capture(stmt):
            problems.append('a closure capturing by value')
        # Braces that build a value: `{` after `(`, `,`, `=` or a type name (not a lambda body).
        if re.search(r'(?:[(,=]\s*|[A-Za-z_>]\s*)\{', re.sub(CAPTURE, '(', body)):
            problems.append('a braced temporary')
        if re.search(r'\?[^:?]*:(?!:)', body.replace('::', '  ')):
            problems.append('a conditional expression')
        if problems:
            line = s.count('\n', 0, m.start()) + 1
            yield f'{path}:{line}: {" and ".join(problems)} in a statement with co_await: ' \
                  f'{" ".join(stmt.split())[:140]}'


def main(argv):
    files = []
    for arg in argv[1:]:
        p = pathlib.Path(arg)
        files += sorted(p.rglob('*.cpp')) + sorted(p.rglob('*.h')) if p.is_dir() else [p]
    found = [f for path in files for f in findings(path)]
    for f in found:
        print(f)
    if found:
        print(f'{len(found)} statement(s) that GCC 12 may miscompile; see the header of {argv[0]}')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
