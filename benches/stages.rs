//! Criterion benches, one group per pipeline stage, on the bundled sample (real text). Each bench
//! checks its own output (tantivy's habit) so a broken stage cannot look fast.
//!
//! `cargo bench --bench stages`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use policy_themes::config::{Check, ClusterParams, Config, KChoice};
use policy_themes::corpus::Unit;
use policy_themes::meta::Manifest;
use policy_themes::{cluster, concrete, copies, read, reduce, segment, split, tfidf};
use std::hint::black_box;
use std::path::PathBuf;

fn sample_files() -> Vec<read::Found> {
    read::list_files(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sample")])
        .expect("data/sample")
}

fn stages(c: &mut Criterion) {
    let config = Config::default()
        .validate()
        .expect("the defaults are valid");
    let files = sample_files();
    let n = files.len();
    c.bench_function(&format!("read/{n}files"), |b| {
        b.iter(|| {
            let out = read::read_files(black_box(&files), &config.read, &Manifest::default());
            assert_eq!(out.reports.len(), 5);
        })
    });
    let reports = read::read_files(&files, &config.read, &Manifest::default()).reports;
    c.bench_function(&format!("split/{n}reports"), |b| {
        b.iter(|| {
            let units: usize = reports
                .iter()
                .enumerate()
                .map(|(i, r)| split::split_report(r, i, &config.split).units.len())
                .sum();
            assert!(units > 60);
        })
    });
    let split_units: Vec<Unit> = reports
        .iter()
        .enumerate()
        .flat_map(|(i, r)| split::split_report(r, i, &config.split).units)
        .collect();
    let units: Vec<String> = split_units.iter().map(|u| u.text.clone()).collect();
    c.bench_function(&format!("copies/{}units", units.len()), |b| {
        b.iter(|| {
            let found = copies::find(black_box(&split_units), reports.len(), &config.copies);
            // The five seeds share no text.
            assert_eq!(found.copied_share, [0.0; 5]);
        })
    });
    let lists = segment::resolve_lists(&config.segment).expect("bundled lists");
    let phrases = concrete::Phrases::new(&lists.stop_phrases, &lists.lexicon);
    c.bench_function(&format!("concrete/{}units", units.len()), |b| {
        b.iter(|| {
            let quantities: usize = concrete::measure(black_box(&split_units), &phrases)
                .iter()
                .map(|c| c.quantities.len())
                .sum();
            assert!(quantities >= 40, "{quantities}");
        })
    });
    let analyzer = segment::Analyzer::new(&config.segment).expect("bundled lists");
    c.bench_function(&format!("segment/{}units", units.len()), |b| {
        b.iter(|| {
            assert_eq!(
                segment::segment(&analyzer, black_box(&units)).len(),
                units.len()
            )
        })
    });
    let tokens = segment::segment(&analyzer, &units);
    c.bench_function(&format!("tfidf/{}units", units.len()), |b| {
        b.iter(|| {
            assert!(
                tfidf::fit_transform(black_box(&tokens), &config.tfidf)
                    .unwrap()
                    .matrix
                    .nnz()
                    > 500
            )
        })
    });
    let weighted = tfidf::fit_transform(&tokens, &config.tfidf).unwrap();
    c.bench_function(&format!("reduce/{}units", units.len()), |b| {
        b.iter(|| {
            assert!(
                reduce::fit(
                    black_box(&weighted.matrix),
                    &config.reduce,
                    config.seeds().svd()
                )
                .unwrap()
                .0
                .dims
                    > 10
            )
        })
    });
    let (_, x) = reduce::fit(&weighted.matrix, &config.reduce, config.seeds().svd()).unwrap();
    let mut group = c.benchmark_group("cluster");
    for k in [5, 10] {
        let params = ClusterParams {
            k: KChoice::Fixed(k),
            ..ClusterParams::default()
        }
        .check()
        .expect("k >= 2");
        group.bench_with_input(
            BenchmarkId::new("kmeans", format!("{}units/k{k}", units.len())),
            &params,
            |b, p| {
                b.iter(|| {
                    assert_eq!(
                        cluster::cluster(x.view(), p, config.seeds(), None)
                            .unwrap()
                            .k,
                        k
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
