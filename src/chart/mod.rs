//! Charts (placeholder until the chart module lands).

/// Writes every chart of the analysis into `out`; returns the file names written, in order.
pub fn render_all(_analysis: &crate::pipeline::Analysis, _out: &std::path::Path) -> crate::error::Result<Vec<&'static str>> {
    Ok(Vec::new())
}
