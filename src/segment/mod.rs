//! Stage 3: unit texts → token ids over a sorted vocabulary, with jieba-rs.
//!
//! One shared [`Analyzer`]: a `jieba_rs::Jieba` loaded with the bundled policy lexicon (and the
//! analyst's), a stop-phrase pass that blanks slogans before cutting (习近平法治思想, 两个确立…),
//! quote marks dropped so `“八五”普法` stays one term, then a chain of token filters in tantivy's
//! style ([`TokenFilter`]): minimum length, no digits or punctuation, stop words, optional POS.
//!
//! Search mode is jieba's `cut_for_search` rebuilt from the accurate cut: the words it adds
//! inside a word depend on that word alone, so each distinct word is expanded and looked up once.
//!
//! Parallelism and determinism: units are cut in fixed-size chunks with rayon; each worker thread
//! keeps a local vocabulary; the local vocabularies are merged into one sorted in code-point order
//! (the order scikit-learn uses), and local ids are remapped. Ids and order never depend on
//! threads.

mod analyzer;
mod filter;
mod lists;
mod vocabulary;

pub use analyzer::{Analyzer, is_quote_mark};
pub use filter::{MinChars, NoNumbersOrPunctuation, StopWords, TokenFilter};
pub use lists::{
    BUNDLED_LEXICON, BUNDLED_STOP_PHRASES, BUNDLED_STOPWORDS, parse_list, resolve_lists,
};
pub use vocabulary::{TokenizedCorpus, segment, segment_with_progress};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CutMode, SegmentParams};

    fn analyzer() -> Analyzer {
        Analyzer::new(&SegmentParams::default()).unwrap()
    }

    #[test]
    fn stop_phrases_added_later_cut_as_listed_ones() {
        let text = "江湾镇坚持“谁执法、谁普法”，江湾镇司法所开展矛盾纠纷排查。";
        let listed = Analyzer::new(&SegmentParams {
            stop_phrases: vec!["江湾镇".to_string(), "江湾".to_string()],
            ..SegmentParams::default()
        })
        .unwrap();
        let mut added = analyzer();
        assert!(added.tokens(text).iter().any(|t| t.contains("江湾")));
        added.add_stop_phrases(&["江湾镇".to_string(), "江湾".to_string()]);
        let tokens = added.tokens(text);
        assert_eq!(tokens, listed.tokens(text));
        assert!(!tokens.iter().any(|t| t.contains("江湾")), "{tokens:?}");
        assert!(tokens.iter().any(|t| t == "司法所"), "{tokens:?}");
    }

    #[test]
    fn lexicon_terms_stay_whole_and_quoted_terms_join() {
        let a = analyzer();
        let t = a.tokens(
            "深入开展“八五”普法,落实谁执法谁普法责任制,培育法律明白人,坚持发展新时代枫桥经验。",
        );
        for term in ["八五普法", "谁执法谁普法", "法律明白人"] {
            assert!(t.iter().any(|x| x == term), "{term} missing from {t:?}");
        }
    }

    #[test]
    fn slogans_numbers_and_single_characters_are_dropped() {
        let a = analyzer();
        let t = a.tokens("深入学习贯彻习近平法治思想,2023年开展矛盾纠纷排查120余次。");
        assert!(
            !t.iter()
                .any(|x| x.contains("习近平") || x.contains("2023") || x.chars().count() < 2),
            "{t:?}"
        );
        assert!(t.iter().any(|x| x.contains("矛盾纠纷")), "{t:?}");
    }

    #[test]
    fn search_mode_adds_the_words_inside_a_word_and_marks_them_inner() {
        let a = analyzer();
        let mut seen = Vec::new();
        a.for_each_token(
            "加强综合行政执法队伍建设,关心基层工作者",
            |t, inner| seen.push((t.to_string(), inner)),
        );
        let has = |word: &str, inner: bool| seen.iter().any(|(t, i)| t == word && *i == inner);
        assert!(has("综合行政执法", false), "{seen:?}");
        assert!(has("行政", true) && has("执法", true), "{seen:?}");
        // 作者 (author) is a dictionary word inside 工作者 (worker): a feature, never a label word.
        assert!(has("工作者", false) && !has("作者", false), "{seen:?}");
        let accurate = Analyzer::new(&SegmentParams {
            mode: CutMode::Accurate,
            ..SegmentParams::default()
        })
        .unwrap();
        let words = accurate.tokens("加强综合行政执法队伍建设");
        assert!(!words.iter().any(|w| w == "执法"), "{words:?}");
    }

    /// Every nonblank line of the seeds and the provincial reports, and of every 25th law.
    fn shared_corpus_lines() -> Vec<String> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
        let mut lines = Vec::new();
        for (folder, step) in [("seeds", 1), ("provincial-2025", 1), ("laws", 25)] {
            let mut files: Vec<_> = std::fs::read_dir(format!("{root}/{folder}"))
                .expect("../shared/corpus beside the repository")
                .map(|e| e.expect("a folder entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            for file in files.iter().step_by(step) {
                let text = std::fs::read_to_string(file).expect("UTF-8 text");
                lines.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(String::from),
                );
            }
        }
        lines
    }

    #[test]
    #[ignore = "reads ../shared/corpus beside the repository (.ci/run runs it)"]
    fn search_mode_cuts_as_jiebas_cut_for_search_on_the_shared_corpus() {
        let lines = shared_corpus_lines();
        assert!(lines.len() > 10_000, "{}", lines.len());
        for hmm in [false, true] {
            let a = Analyzer::new(&SegmentParams {
                hmm,
                ..SegmentParams::default()
            })
            .unwrap();
            for line in &lines {
                // jieba puts the words inside a token just before it: scanning backwards, a
                // token within the span of the last whole token seen is one of its inner words.
                let text = a.normalize(line);
                let tokens = a.jieba.cut_for_search(&text, hmm);
                let mut expected = Vec::with_capacity(tokens.len());
                let mut whole = (0, 0);
                for t in tokens.iter().rev() {
                    let span = (t.start, t.end);
                    let inner = span.0 >= whole.0 && span.1 <= whole.1 && span != whole;
                    if !inner {
                        whole = span;
                    }
                    expected.push((t.word, inner));
                }
                expected.reverse();
                let mut cut = Vec::with_capacity(tokens.len());
                a.for_each_cut(line, |w, inner| cut.push((w.to_string(), inner)));
                let cut: Vec<(&str, bool)> = cut.iter().map(|(w, i)| (w.as_str(), *i)).collect();
                assert_eq!(cut, expected, "{line}");
            }
            // Segmenting with the threads' caches gives each text's tokens as cut alone.
            let corpus = segment(&a, &lines);
            for (d, line) in lines.iter().enumerate() {
                let mut tokens = Vec::new();
                a.for_each_token(line, |t, inner| tokens.push((t.to_string(), inner)));
                let ours: Vec<(String, bool)> = corpus
                    .doc_terms(d)
                    .zip(corpus.doc_inner(d))
                    .map(|(t, inner)| (t.to_string(), inner))
                    .collect();
                assert_eq!(ours, tokens, "{line}");
            }
        }
    }

    #[test]
    fn vocabulary_is_sorted_and_independent_of_chunking() {
        let a = analyzer();
        let texts: Vec<String> = (0..1200)
            .map(|i| format!("第{i}村开展人民调解和法治宣传,网格员排查矛盾纠纷"))
            .collect();
        let corpus = segment(&a, &texts);
        assert!(corpus.terms().windows(2).all(|w| w[0] < w[1]));
        assert_eq!(corpus.len(), texts.len());
        let one = segment(&a, &texts[..1]);
        assert_eq!(
            corpus.doc_terms(0).collect::<Vec<_>>(),
            one.doc_terms(0).collect::<Vec<_>>()
        );
        // The inner-word marks travel with the tokens across chunks.
        let last = texts.len() - 1;
        let words = |c: &TokenizedCorpus, d: usize| -> Vec<String> {
            c.doc_words(d)
                .map(|t| c.terms()[t as usize].clone())
                .collect()
        };
        assert_eq!(words(&corpus, last), words(&segment(&a, &texts[last..]), 0));
        assert!(words(&corpus, last).len() < corpus.doc(last).len());
    }
}
