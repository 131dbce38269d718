#!/usr/bin/env python3
"""Office fixtures that LibreOffice cannot make from plain text (standard library only).

usage: office_fixtures.py listnumbered SEED.txt OUT.docx
       office_fixtures.py scanned OUT.pdf

listnumbered: a .docx of SEED whose headings are numbered by a Word list, as Word reports often
are: `一、` (level 0), `（一）` (level 1) and `1.` (level 2) live only in numbering.xml, the
paragraphs carry `w:numPr`. A heading whose literal marker is not the number the list would give
(broken numbering) keeps its marker as text, so the rendered document reads as SEED does. It
also has a running header and a `- PAGE -` footer (left out of the .docx text; chrome once
LibreOffice prints it to PDF).

scanned: a one-page PDF holding only an image, as a scanner makes: no text layer.
"""
import re
import sys
import zipfile
import zlib
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HAN = "一二三四五六七八九十"
# (pattern, list level); the marker's number is group 1.
LEVELS = [
    (re.compile(r"^([一二三四五六七八九十]+)、\s*"), 0),
    (re.compile(r"^（([一二三四五六七八九十]+)）\s*"), 1),
    (re.compile(r"^(\d{1,2})\.\s*"), 2),
]


def han(n):
    if n < 10:
        return HAN[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else HAN[tens - 1]) + "十" + (HAN[ones - 1] if ones else "")


def number(marker):
    return int(marker) if marker.isdigit() else next(n for n in range(1, 100) if han(n) == marker)


def paragraph(text, level=None):
    num = "" if level is None else f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr>'
    ppr = f"<w:pPr>{num}</w:pPr>" if num else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def listnumbered(seed, out):
    counters = [0, 0, 0]
    body = []
    for line in open(seed, encoding="utf-8").read().splitlines():
        stripped = line.strip().lstrip("\u3000")
        for pattern, level in LEVELS:
            m = pattern.match(stripped)
            if m and number(m.group(1)) == counters[level] + 1:
                counters[level] += 1
                counters[level + 1:] = [0] * (2 - level)
                body.append(paragraph(stripped[m.end():], level))
                break
        else:
            body.append(paragraph(line))
    levels = [("chineseCounting", "%1、", "nothing"), ("chineseCounting", "（%2）", "nothing"),
              ("decimal", "%3.", "tab")]
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:suff w:val="{suff}"/><w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl>'
        for i, (fmt, text, suff) in enumerate(levels))
    numbering = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{W}">'
                 f'<w:abstractNum w:abstractNumId="0">{lvls}</w:abstractNum>'
                 f'<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    header = f'<w:hdr xmlns:w="{W}">{paragraph("法治政府建设年度报告")}</w:hdr>'
    footer = (f'<w:ftr xmlns:w="{W}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">- </w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
              '<w:r><w:t xml:space="preserve"> -</w:t></w:r></w:p></w:ftr>')
    sect = (f'<w:sectPr><w:headerReference w:type="default" r:id="rId3"/><w:footerReference w:type="default" r:id="rId4"/>'
            '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
            'w:header="720" w:footer="720"/></w:sectPr>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{R}">'
                f'<w:body>{"".join(body)}{sect}</w:body></w:document>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/numbering" Target="numbering.xml"/>'
                f'<Relationship Id="rId3" Type="{rel}/header" Target="header1.xml"/>'
                f'<Relationship Id="rId4" Type="{rel}/footer" Target="footer1.xml"/></Relationships>')
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>')
    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/word/document.xml" ContentType="{ct}.document.main+xml"/>'
             f'<Override PartName="/word/numbering.xml" ContentType="{ct}.numbering+xml"/>'
             f'<Override PartName="/word/header1.xml" ContentType="{ct}.header+xml"/>'
             f'<Override PartName="/word/footer1.xml" ContentType="{ct}.footer+xml"/></Types>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", types), ("_rels/.rels", root_rels),
                           ("word/document.xml", document), ("word/_rels/document.xml.rels", doc_rels),
                           ("word/numbering.xml", numbering), ("word/header1.xml", header),
                           ("word/footer1.xml", footer)]:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def scanned(out):
    width, height = 64, 32
    pixels = bytes((x // 8 + y // 8) % 2 * 255 for y in range(height) for x in range(width))
    image = zlib.compress(pixels)
    content = b"q 400 0 0 200 100 500 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (width, height, len(image)) + image + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    open(out, "wb").write(pdf)


if __name__ == "__main__":
    if sys.argv[1] == "listnumbered":
        listnumbered(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "scanned":
        scanned(sys.argv[2])
    else:
        sys.exit(__doc__)
