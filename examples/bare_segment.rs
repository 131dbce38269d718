//! The segmentation floor: bare jieba-rs (no HMM, default dictionary) over every line of a
//! folder's `.txt` files, in parallel with rayon, one call per line — the cost every pipeline pays.
//! Timed twice: `cut` (accurate mode, the yardstick) and `cut_for_search` (search mode,
//! what policy-themes cuts with by default). `benches/compare.sh` sets the whole run against both.
//!
//! `cargo run --release --example bare_segment -- ../shared/corpus/laws`

use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpus/laws".to_string());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("UTF-8 text"))
        .collect();
    let lines: Vec<&str> = texts
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let bytes: usize = lines.iter().map(|l| l.len()).sum();
    let jieba = jieba_rs::Jieba::new();
    let start = Instant::now();
    let tokens: usize = lines.par_iter().map(|l| jieba.cut(l, false).len()).sum();
    let cut = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let search_tokens: usize = lines
        .par_iter()
        .map(|l| jieba.cut_for_search(l, false).len())
        .sum();
    let search = start.elapsed().as_secs_f64();
    println!(
        "{{\"files\": {}, \"lines\": {}, \"mb\": {:.1}, \"threads\": {}, \"tokens\": {tokens}, \"seconds\": {cut:.3}, \"search_tokens\": {search_tokens}, \"search_seconds\": {search:.3}}}",
        files.len(),
        lines.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
}
