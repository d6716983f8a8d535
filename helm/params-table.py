#!/usr/bin/env python3
"""Prints the chart README's parameter tables from the `## @section` / `## @param` lines of values.yaml.

    python3 helm/params-table.py > /tmp/params.md   # then replace the tables after "## Parameters" in the README
Needs PyYAML. (Bitnami's readme-generator-for-helm does the same for their charts.)
"""
import json
import re
import sys
from pathlib import Path

import yaml

values_file = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / 'live-end-detector/values.yaml')
text = values_file.read_text()
values = yaml.safe_load(text)


def lookup(path):
    node = values
    for part in path.split('.'):
        node = node[part]
    return node


def shown(value):
    if isinstance(value, (dict, list)):
        s = json.dumps(value)
        return s if len(s) <= 60 else '(see values.yaml)'
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value) if isinstance(value, str) else str(value)


for line in text.splitlines():
    section = re.match(r'\s*## @section (.*)', line)
    if section:
        print(f'\n### {section.group(1)}\n\n| Name | Description | Default |\n| --- | --- | --- |')
        continue
    param = re.match(r'\s*## @param (\S+) (.*)', line)
    if param:
        path, description = param.groups()
        print(f"| `{path}` | {description.replace('|', chr(92) + '|')} | `{shown(lookup(path))}` |")
