#!/usr/bin/env bash
# Makes tests/fixtures/office/ from the seed reports, as governments publish them:
#   SEED.docx, SEED.pdf    each seed as LibreOffice saves plain text to Word and PDF
#   listnumbered.docx      seed 004 with its headings numbered by a Word list (markers only in
#                          numbering.xml), a running header and a "- PAGE -" footer
#   listnumbered.pdf       that document printed to PDF by LibreOffice (header and page numbers)
#   encrypted.pdf          a PDF that needs a password to open
#   scanned.pdf            a page holding only an image (no text layer)
#   old.doc                a Word 97 file
# Needs LibreOffice (apt-get install libreoffice-writer-nogui fonts-noto-cjk) and python3.
# The tests read the committed files, so they run on a clone without LibreOffice.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=../shared/corpus/seeds
out=tests/fixtures/office
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
convert() { # FORMAT FILE [INFILTER]
  soffice --headless "-env:UserInstallation=file://$work/profile" ${3:+"--infilter=$3"} \
    --convert-to "$1" --outdir "$work" "$2" >/dev/null 2>&1
}
for seed in "$seeds"/*.txt; do
  name=$(basename "$seed" .txt)
  cp "$seed" "$work/$name.txt"
  for format in docx pdf; do
    convert "$format" "$work/$name.txt" "Text (encoded):UTF8,,,"
    cp "$work/$name.$format" "$out/"
  done
done
python3 scripts/office_fixtures.py listnumbered "$seeds/004_b0bbcd55e46bbf4d.txt" "$out/listnumbered.docx"
convert pdf "$out/listnumbered.docx"
cp "$work/listnumbered.pdf" "$out/"
printf '江湾镇2023年法治政府建设情况报告\n一、加强组织领导\n' >"$work/encrypted.txt"
convert 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}' \
  "$work/encrypted.txt" "Text (encoded):UTF8,,,"
cp "$work/encrypted.pdf" "$out/"
cp "$work/encrypted.txt" "$work/old.txt"
convert doc "$work/old.txt" "Text (encoded):UTF8,,,"
cp "$work/old.doc" "$out/"
python3 scripts/office_fixtures.py scanned "$out/scanned.pdf"
ls -l "$out"
