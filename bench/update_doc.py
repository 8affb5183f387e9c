"""Replaces (or appends) one `## <title>` section of docs/benchmarks.md with the content of a file."""
import pathlib
import sys

doc, title, section_file = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
section = section_file.read_text().rstrip() + "\n"
header = "# Benchmarks\n\nEvery figure is paired with a baseline measured in the same run; compare ratios, not absolute numbers.\n"
text = doc.read_text() if doc.exists() else header
parts = text.split("\n## ")
head, sections = parts[0], parts[1:]
kept = [s for s in sections if not s.startswith(title)]
body = "\n## ".join([head.rstrip() + "\n"] + [s.rstrip() + "\n" for s in kept])
doc.parent.mkdir(parents=True, exist_ok=True)
doc.write_text(body.rstrip() + "\n\n" + section)
