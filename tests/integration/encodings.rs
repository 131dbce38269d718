use crate::util::{sample, tempdir};
use policy_themes::config::{ReadParams, SplitParams};
use policy_themes::meta::Manifest;
use policy_themes::read::{Found, read_one};
use policy_themes::split::split_report;
use policy_themes::text::trim_blank;
use std::path::Path;

/// (kind, heading, text without blanks) of every unit of a file.
pub fn units_of(path: &Path) -> Vec<(String, String, String)> {
    let report = read_one("r0000", path, &ReadParams::default(), &Manifest::default())
        .unwrap_or_else(|s| panic!("{}: {}", s.file, s.reason));
    split_report(&report, 0, &SplitParams::default())
        .units
        .iter()
        .map(|u| {
            let squash = |s: &str| {
                s.chars()
                    .filter(|c| !policy_themes::text::is_blank(*c))
                    .collect::<String>()
            };
            (
                u.section_kind.to_string(),
                squash(trim_blank(&u.heading)),
                squash(&u.text),
            )
        })
        .collect()
}

fn seeds() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(sample())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn html_copy(text: &str) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title><style>p{margin:0}</style><script>var a = '一、不是标题';</script></head><body><nav><a href=\"/\">首页</a> <a>政务公开</a></nav><div class=\"content\">",
    );
    for line in text.lines() {
        let escaped = line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        html.push_str(&format!("<p>{escaped}</p>\n"));
    }
    html.push_str("</div><footer><script>track()</script></footer></body></html>");
    html
}

#[test]
fn gb18030_utf16_and_html_copies_give_the_same_units() {
    let dir = tempdir();
    for seed in seeds() {
        let text = std::fs::read_to_string(&seed).unwrap();
        let want = units_of(&seed);
        assert!(want.len() >= 10);
        let stem = seed.file_stem().unwrap().to_str().unwrap();
        let (gbk, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for (name, bytes) in [
            ("gbk.txt", gbk.into_owned()),
            ("le.txt", le),
            ("be.txt", be),
            ("bom.txt", bom),
            ("page.html", html_copy(&text).into_bytes()),
        ] {
            let path = dir.path().join(format!("{stem}.{name}"));
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(units_of(&path), want, "{}", path.display());
        }
    }
}

#[test]
fn bad_files_are_skipped_with_a_reason_and_duplicates_once() {
    let dir = tempdir();
    let cases: [(&str, &[u8], &str); 4] = [
        ("binary.txt", b"PK\x03\x04\x00\x00rest", "binary"),
        ("empty.txt", b"   \n", "empty"),
        (
            "latin.txt",
            b"caf\xe9 cr\xe8me br\xfbl\xe9e, d\xe9j\xe0 vu",
            "undecodable",
        ),
        ("huge.txt", b"x", "too large"),
    ];
    let params = ReadParams {
        max_file_mb: 0.000_000_5,
    };
    for (name, bytes, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let p = if name == "huge.txt" {
            params.clone()
        } else {
            ReadParams::default()
        };
        let skipped = read_one("r0001", &path, &p, &Manifest::default()).expect_err(name);
        assert!(
            skipped.reason.starts_with(reason),
            "{name}: {}",
            skipped.reason
        );
    }
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::copy(&seeds()[0], &a).unwrap();
    std::fs::copy(&seeds()[0], &b).unwrap();
    let out = policy_themes::read::read_files(
        &[Found::file(a), Found::file(b)],
        &ReadParams::default(),
        &Manifest::default(),
    );
    assert_eq!(out.reports.len(), 1);
    assert!(
        out.skipped[0].reason.starts_with("duplicate of"),
        "{}",
        out.skipped[0].reason
    );
}
