//! The fixtures were made once with `../shared/peer/tfidf_ref.py` (scikit-learn 1.9.1) from the
//! sample's tokens (`run --dump`), so this test needs no Python:
//! `tfidf_ref.py --tokens tests/fixtures/sample_tokens.json [options] --out tests/fixtures/….json`.

use crate::util::root;
use policy_themes::config::{Check, DfBound, Norm, TfidfParams};
use policy_themes::segment::TokenizedCorpus;
use policy_themes::tfidf::fit_transform;
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = root().join("tests/fixtures").join(name);
    serde_json::from_slice(
        &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn corpus(docs: &Value) -> TokenizedCorpus {
    let docs: Vec<Vec<String>> = serde_json::from_value(docs.clone()).unwrap();
    TokenizedCorpus::from_docs(&docs)
}

fn bound(v: &Value) -> DfBound {
    if v.is_u64() {
        DfBound::Count(v.as_u64().unwrap())
    } else {
        DfBound::Fraction(v.as_f64().unwrap())
    }
}

fn check(fixture: &str) {
    let reference = load(fixture);
    let p = &reference["params"];
    let params = TfidfParams {
        min_df: bound(&p["min_df"]),
        max_df: bound(&p["max_df"]),
        max_features: None,
        sublinear_tf: p["sublinear_tf"].as_bool().unwrap(),
        smooth_idf: p["smooth_idf"].as_bool().unwrap(),
        use_idf: p["use_idf"].as_bool().unwrap(),
        norm: match p["norm"].as_str() {
            Some("l2") => Norm::L2,
            Some("l1") => Norm::L1,
            _ => Norm::None,
        },
    };
    let params = params.check().unwrap();
    let ours = fit_transform(&corpus(&load("sample_tokens.json")), &params).unwrap();
    let vocabulary: Vec<String> = serde_json::from_value(reference["vocabulary"].clone()).unwrap();
    assert_eq!(ours.model.vocabulary, vocabulary, "{fixture}: vocabulary");
    let idf: Vec<f64> = serde_json::from_value(reference["idf"].clone()).unwrap();
    for (a, b) in ours.model.idf.iter().zip(&idf) {
        assert!((a - b).abs() < 1e-12, "{fixture}: idf {a} vs {b}");
    }
    let triples = reference["triples"].as_array().unwrap();
    assert_eq!(ours.matrix.nnz(), triples.len(), "{fixture}: nnz");
    for t in triples {
        let (row, term, value) = (
            t[0].as_u64().unwrap() as usize,
            t[1].as_str().unwrap(),
            t[2].as_f64().unwrap(),
        );
        let col = vocabulary.binary_search(&term.to_string()).unwrap();
        let got = *ours
            .matrix
            .get(row, col)
            .unwrap_or_else(|| panic!("{fixture}: ({row}, {term}) missing"));
        assert!(
            (got - value).abs() <= 1e-9,
            "{fixture}: ({row}, {term}) {got} vs {value}"
        );
    }
}

#[test]
fn default_options_match_scikit_learn() {
    check("sample_tfidf_default.json");
}

#[test]
fn raw_tf_l1_unsmoothed_and_integer_fraction_bounds_match_scikit_learn() {
    check("sample_tfidf_l1_raw.json");
    check("sample_tfidf_noidf.json");
}
