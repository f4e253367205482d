#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Reads tdxtop report --html pages back for tests/report/html.sh.

  html-check.py data PAGE          the embedded data (JSON) on stdout
  html-check.py dom DOM            facts of the DOM Chromium rendered, one per line:
                                   headings and axis labels, elements inside
                                   table cells, each table row's data-v values
                                   (JSON), bars per colour, cell texts
  html-check.py shot PNG           "<distinct colours> <non-white %>" of a screenshot
"""
import json
import sys
from html.parser import HTMLParser


def data(path):
    page = open(path, encoding='utf-8').read()
    start = page.index('<script type="application/json" id="tdxtop-data">')
    start = page.index('>', start) + 1
    end = page.index('</script>', start)
    json.dump(json.loads(page[start:end]), sys.stdout)


class Dom(HTMLParser):
    """Headings, axis labels, table cells (data-v) and elements by tag."""

    def __init__(self):
        super().__init__()
        self.stack, self.text = [], {}
        self.tags, self.cells, self.heads = {}, {}, []
        self.attrs_of = {}
        self.rendered = False
        self.counts = {}
        self.intd, self.rows = {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == 'body' and a.get('data-rendered') == 'yes':
            self.rendered = True
        if tag == 'table':
            self.table = a.get('id', '')
        if tag == 'rect' and 'data-count' in a:
            self.counts[a.get('fill', '')] = self.counts.get(a.get('fill', ''), 0) + 1
        if self.stack and self.stack[-1][0] == 'td':
            self.intd[tag] = self.intd.get(tag, 0) + 1
        if tag == 'tr':
            self.row = []
            self.rows.setdefault(getattr(self, 'table', ''), []).append(self.row)
        if tag == 'td' and 'data-v' in a and hasattr(self, 'row'):
            self.row.append(a['data-v'])
        self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, d):
        if self.stack and self.stack[-1][0] in ('h2', 'h3') and d.strip():
            self.heads.append(d.strip())
        if self.stack and self.stack[-1][1].get('class') == 'axis-label':
            self.heads.append('axis: ' + d.strip())
        if self.stack and self.stack[-1][0] == 'td':
            self.text.setdefault('td', []).append(d)


def dom(path):
    p = Dom()
    p.feed(open(path, encoding='utf-8').read())
    print('rendered', 'yes' if p.rendered else 'no')
    for h in p.heads:
        print('head', h)
    for tag in ('img', 'iframe', 'object', 'embed', 'link', 'b', 'i'):
        print('tag', tag, p.tags.get(tag, 0))
    for tag, n in sorted(p.intd.items()):
        print('in-td', tag, n)
    for t, rows in p.rows.items():
        for r in rows:
            if r:
                print('row', t, json.dumps(r))
    for fill, n in sorted(p.counts.items()):
        print('bars', fill, n)
    for t in p.text.get('td', []):
        print('td', t.encode('unicode_escape').decode())


def shot(path):
    from PIL import Image
    im = Image.open(path).convert('RGB')
    small = im.resize((im.width // 4, im.height // 4))
    px = list(small.getdata())
    colours = len(set(px))
    ink = sum(1 for p in px if p != (255, 255, 255)) * 100.0 / len(px)
    print(colours, '%.1f' % ink)


{'data': data, 'dom': dom, 'shot': shot}[sys.argv[1]](sys.argv[2])
