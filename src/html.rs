//! The text of an HTML page, in time linear in its size.
//!
//! html5ever's tokenizer reads the page (entities, comments, attributes, raw text of scripts
//! and styles); what is kept is decided here on the token stream, without building a tree:
//! html5ever's tree builder walks its stack of open elements for every block tag, so a page of
//! 100,000 nested unclosed `<div>`s took minutes. Here the elements kept open are at most
//! [`MAX_DEPTH`] deep (deeper ones are only counted), and closing an element searches at most
//! that many, so every token costs at most a bounded amount of work.
//!
//! The text is what a tree walk of the parsed page gives: one line per block element (`p`,
//! `div`, `li`, `br`, headings, table rows, …), scripts, styles, navigation, forms, buttons,
//! iframes and `<template>`s dropped, the head dropped but for its first `<title>`, white space
//! that the parser drops before the body dropped too.

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{LocalName, local_name};
use std::collections::HashMap;

/// The deepest nesting of elements kept open; elements opened deeper are counted by name only.
pub const MAX_DEPTH: usize = 256;

/// Elements dropped with everything inside them.
const SKIP: [LocalName; 9] = [
    local_name!("script"),
    local_name!("style"),
    local_name!("noscript"),
    local_name!("nav"),
    local_name!("form"),
    local_name!("select"),
    local_name!("button"),
    local_name!("iframe"),
    local_name!("template"),
];

/// Elements that are lines of their own.
const BLOCK: [LocalName; 24] = [
    local_name!("p"),
    local_name!("div"),
    local_name!("br"),
    local_name!("li"),
    local_name!("ul"),
    local_name!("ol"),
    local_name!("h1"),
    local_name!("h2"),
    local_name!("h3"),
    local_name!("h4"),
    local_name!("h5"),
    local_name!("h6"),
    local_name!("tr"),
    local_name!("table"),
    local_name!("section"),
    local_name!("article"),
    local_name!("header"),
    local_name!("footer"),
    local_name!("blockquote"),
    local_name!("pre"),
    local_name!("title"),
    local_name!("dd"),
    local_name!("dt"),
    local_name!("hr"),
];

/// Elements without content (never kept open).
const VOID: [LocalName; 14] = [
    local_name!("area"),
    local_name!("base"),
    local_name!("br"),
    local_name!("col"),
    local_name!("embed"),
    local_name!("hr"),
    local_name!("img"),
    local_name!("input"),
    local_name!("link"),
    local_name!("meta"),
    local_name!("source"),
    local_name!("track"),
    local_name!("wbr"),
    local_name!("param"),
];

/// Elements an end tag does not close past (the parser's scope boundaries).
const BOUNDARY: [LocalName; 8] = [
    local_name!("table"),
    local_name!("td"),
    local_name!("th"),
    local_name!("caption"),
    local_name!("template"),
    local_name!("object"),
    local_name!("applet"),
    local_name!("marquee"),
];

/// Start tags that close an open paragraph (and `table`, but for quirks mode).
const CLOSES_P: [LocalName; 37] = [
    local_name!("address"),
    local_name!("article"),
    local_name!("aside"),
    local_name!("blockquote"),
    local_name!("center"),
    local_name!("details"),
    local_name!("dialog"),
    local_name!("dir"),
    local_name!("div"),
    local_name!("dl"),
    local_name!("fieldset"),
    local_name!("figcaption"),
    local_name!("figure"),
    local_name!("footer"),
    local_name!("header"),
    local_name!("hgroup"),
    local_name!("main"),
    local_name!("menu"),
    local_name!("nav"),
    local_name!("ol"),
    local_name!("p"),
    local_name!("section"),
    local_name!("summary"),
    local_name!("ul"),
    local_name!("h1"),
    local_name!("h2"),
    local_name!("h3"),
    local_name!("h4"),
    local_name!("h5"),
    local_name!("h6"),
    local_name!("pre"),
    local_name!("listing"),
    local_name!("form"),
    local_name!("li"),
    local_name!("dd"),
    local_name!("dt"),
    local_name!("hr"),
];

/// End tags closing a block that is open in scope (else ignored).
const SCOPED: [LocalName; 32] = [
    local_name!("address"),
    local_name!("article"),
    local_name!("aside"),
    local_name!("blockquote"),
    local_name!("button"),
    local_name!("center"),
    local_name!("details"),
    local_name!("dialog"),
    local_name!("dir"),
    local_name!("div"),
    local_name!("dl"),
    local_name!("fieldset"),
    local_name!("figcaption"),
    local_name!("figure"),
    local_name!("footer"),
    local_name!("header"),
    local_name!("hgroup"),
    local_name!("listing"),
    local_name!("main"),
    local_name!("menu"),
    local_name!("nav"),
    local_name!("ol"),
    local_name!("pre"),
    local_name!("section"),
    local_name!("summary"),
    local_name!("ul"),
    local_name!("form"),
    local_name!("p"),
    local_name!("li"),
    local_name!("dd"),
    local_name!("dt"),
    local_name!("applet"),
];

/// The parser's special elements, past which an end tag of another element does not close.
const SPECIAL: [LocalName; 64] = [
    local_name!("address"),
    local_name!("applet"),
    local_name!("article"),
    local_name!("aside"),
    local_name!("blockquote"),
    local_name!("body"),
    local_name!("button"),
    local_name!("caption"),
    local_name!("center"),
    local_name!("colgroup"),
    local_name!("dd"),
    local_name!("details"),
    local_name!("dir"),
    local_name!("div"),
    local_name!("dl"),
    local_name!("dt"),
    local_name!("fieldset"),
    local_name!("figcaption"),
    local_name!("figure"),
    local_name!("footer"),
    local_name!("form"),
    local_name!("frameset"),
    local_name!("h1"),
    local_name!("h2"),
    local_name!("h3"),
    local_name!("h4"),
    local_name!("h5"),
    local_name!("h6"),
    local_name!("head"),
    local_name!("header"),
    local_name!("hgroup"),
    local_name!("html"),
    local_name!("iframe"),
    local_name!("li"),
    local_name!("listing"),
    local_name!("main"),
    local_name!("marquee"),
    local_name!("menu"),
    local_name!("nav"),
    local_name!("noembed"),
    local_name!("noframes"),
    local_name!("noscript"),
    local_name!("object"),
    local_name!("ol"),
    local_name!("p"),
    local_name!("plaintext"),
    local_name!("pre"),
    local_name!("script"),
    local_name!("section"),
    local_name!("select"),
    local_name!("style"),
    local_name!("summary"),
    local_name!("table"),
    local_name!("tbody"),
    local_name!("td"),
    local_name!("template"),
    local_name!("textarea"),
    local_name!("tfoot"),
    local_name!("th"),
    local_name!("thead"),
    local_name!("title"),
    local_name!("tr"),
    local_name!("ul"),
    local_name!("xmp"),
];

/// Whether `name` is a heading, `h1` to `h6`.
fn is_heading(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
    )
}

/// Elements of the head: before the body they neither start it nor carry text.
const HEAD_CONTENT: [LocalName; 13] = [
    local_name!("html"),
    local_name!("head"),
    local_name!("title"),
    local_name!("meta"),
    local_name!("link"),
    local_name!("base"),
    local_name!("basefont"),
    local_name!("bgsound"),
    local_name!("script"),
    local_name!("style"),
    local_name!("noscript"),
    local_name!("template"),
    local_name!("noframes"),
];

/// Extracts the text blocks of an HTML page, one line per block.
pub fn html_to_text(html: &str) -> String {
    let out = extract(html).out;
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// Runs the tokenizer over `html` into an [`Extractor`].
fn extract(html: &str) -> Extractor {
    let mut tokenizer = Tokenizer::new(Extractor::default(), TokenizerOpts::default());
    let mut queue = BufferQueue::default();
    queue.push_back(html.into());
    // The sink never asks to run a script, so the tokenizer runs to the end of the input.
    let _ = tokenizer.feed(&mut queue);
    tokenizer.end();
    tokenizer.sink
}

/// Where the parser is, as far as text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Phase {
    /// Before the body: white space is dropped, only the first title is text.
    #[default]
    Head,
    /// After an explicit `</head>`: white space is kept, the body has not started.
    AfterHead,
    /// In the body (or after it).
    Body,
}

/// An open element.
#[derive(Debug)]
struct Open {
    name: LocalName,
    /// A [`SKIP`] element: nothing inside is text.
    skip: bool,
}

/// The token sink that keeps the text.
#[derive(Debug, Default)]
struct Extractor {
    /// The text so far, blocks separated by line breaks.
    out: String,
    phase: Phase,
    /// Open elements, at most [`MAX_DEPTH`].
    open: Vec<Open>,
    /// Elements opened beyond [`MAX_DEPTH`], by name.
    deeper: HashMap<LocalName, usize>,
    /// Their number.
    deeper_total: usize,
    /// Open [`SKIP`] elements, kept or counted.
    skipping: usize,
    /// Open `svg`/`math` elements (foreign content: no raw text, self-closing honoured).
    foreign: usize,
    /// Open tables, kept or counted.
    tables: usize,
    /// A title of the head was given: later ones are not text.
    titled: bool,
    /// Inside a title of the head that is not text.
    in_extra_title: bool,
    /// The token just before was `<pre>`, `<textarea>` or `<listing>`: a line break starting
    /// the next text is dropped, as the parser does.
    after_pre: bool,
    /// A doctype was given (no quirks mode).
    doctype: bool,
    /// The deepest `open` has been (for tests).
    deepest: usize,
}

impl Extractor {
    fn block_break(&mut self, opening: bool) {
        if (!opening || !self.out.is_empty()) && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = &tag.name;
        if self.phase != Phase::Body && self.skipping == 0 && !HEAD_CONTENT.contains(name) {
            self.phase = Phase::Body;
        }
        let head_title = self.phase == Phase::Head && *name == local_name!("title");
        if head_title && std::mem::replace(&mut self.titled, true) {
            self.in_extra_title = true;
        }
        if matches!(
            *name,
            local_name!("html") | local_name!("head") | local_name!("body")
        ) {
            return TokenSinkResult::Continue;
        }
        let table_part = matches!(
            *name,
            local_name!("caption")
                | local_name!("col")
                | local_name!("colgroup")
                | local_name!("tbody")
                | local_name!("td")
                | local_name!("tfoot")
                | local_name!("th")
                | local_name!("thead")
                | local_name!("tr")
        );
        if table_part && self.tables == 0 {
            // Outside a table the parser ignores them.
            return TokenSinkResult::Continue;
        }
        self.close_implied(name);
        let skip = SKIP.contains(name);
        let visible = self.skipping == 0 && !self.in_extra_title;
        if visible && !skip && BLOCK.contains(name) {
            self.block_break(true);
        }
        let void = VOID.contains(name) || (self.foreign > 0 && tag.self_closing);
        if void {
            if visible && BLOCK.contains(name) {
                self.block_break(false);
            }
            return TokenSinkResult::Continue;
        }
        self.push(name.clone(), skip);
        self.after_pre = matches!(
            *name,
            local_name!("pre") | local_name!("textarea") | local_name!("listing")
        );
        if self.foreign > 0 {
            return TokenSinkResult::Continue;
        }
        match *name {
            local_name!("title") | local_name!("textarea") => {
                TokenSinkResult::RawData(RawKind::Rcdata)
            }
            local_name!("style")
            | local_name!("xmp")
            | local_name!("iframe")
            | local_name!("noembed")
            | local_name!("noframes")
            | local_name!("noscript") => TokenSinkResult::RawData(RawKind::Rawtext),
            local_name!("script") => TokenSinkResult::RawData(RawKind::ScriptData),
            local_name!("plaintext") => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }

    /// Opens an element: kept if there is room, else counted.
    fn push(&mut self, name: LocalName, skip: bool) {
        if skip {
            self.skipping += 1;
        }
        if matches!(name, local_name!("svg") | local_name!("math")) {
            self.foreign += 1;
        }
        if name == local_name!("table") {
            self.tables += 1;
        }
        if self.open.len() < MAX_DEPTH {
            self.open.push(Open { name, skip });
            self.deepest = self.deepest.max(self.open.len());
        } else {
            *self.deeper.entry(name).or_default() += 1;
            self.deeper_total += 1;
        }
    }

    /// The end tags a start tag implies: a list item, definition, row or cell closes the open
    /// one, and a block closes an open paragraph (the implied ends that move text between
    /// lines).
    fn close_implied(&mut self, name: &LocalName) {
        if self.deeper_total > 0 {
            // Deeper than the open elements kept: the one to close is not among them.
            return;
        }
        // A list item or definition closes the open one, looking down past `address`, `div`
        // and `p` only; a row or cell closes the open one within its table.
        let special = |o: &LocalName| {
            SPECIAL.contains(o)
                && !matches!(
                    *o,
                    local_name!("address") | local_name!("div") | local_name!("p")
                )
        };
        match *name {
            local_name!("li") => self.close_nearest(&[local_name!("li")], special),
            local_name!("dd") | local_name!("dt") => {
                self.close_nearest(&[local_name!("dd"), local_name!("dt")], special)
            }
            local_name!("tr") => self.close_nearest(&[local_name!("tr")], |o| BOUNDARY.contains(o)),
            local_name!("td") | local_name!("th") => self
                .close_nearest(&[local_name!("td"), local_name!("th")], |o| {
                    BOUNDARY.contains(o) || *o == local_name!("tr")
                }),
            _ => {}
        }
        // A document without a doctype is read in quirks mode, where a table stays inside
        // the paragraph.
        if CLOSES_P.contains(name) || (*name == local_name!("table") && self.doctype) {
            self.close_nearest(&[local_name!("p")], |o| {
                BOUNDARY.contains(o) || *o == local_name!("button")
            });
        }
        // A heading does not nest in a heading.
        if is_heading(name) && self.open.last().is_some_and(|o| is_heading(&o.name)) {
            self.pop_to(self.open.len() - 1);
        }
    }

    /// Closes the open element nearest the top named one of `names`, unless an element that
    /// `stops` comes first.
    fn close_nearest(&mut self, names: &[LocalName], stops: impl Fn(&LocalName) -> bool) {
        let at = self
            .open
            .iter()
            .rposition(|o| names.contains(&o.name) || stops(&o.name));
        if let Some(at) = at.filter(|&i| names.contains(&self.open[i].name)) {
            self.pop_to(at);
        }
    }

    /// Closes the open elements from the top down to `at`, and any counted beyond them.
    fn pop_to(&mut self, at: usize) {
        self.close_deeper();
        while self.open.len() > at {
            let o = self.open.pop().expect("at < len");
            self.closed(&o.name, o.skip);
        }
    }

    fn end(&mut self, name: &LocalName) {
        match *name {
            local_name!("head") if self.phase == Phase::Head => {
                self.phase = Phase::AfterHead;
                return;
            }
            local_name!("br") => {
                // `</br>` is read as `<br>`.
                self.empty_block();
                return;
            }
            local_name!("html") | local_name!("head") | local_name!("body") => return,
            _ => {}
        }
        if let Some(n) = self.deeper.get_mut(name).filter(|n| **n > 0) {
            *n -= 1;
            self.deeper_total -= 1;
            self.closed(name, SKIP.contains(name));
            return;
        }
        let table_part = matches!(
            *name,
            local_name!("table")
                | local_name!("tbody")
                | local_name!("thead")
                | local_name!("tfoot")
                | local_name!("tr")
                | local_name!("td")
                | local_name!("th")
                | local_name!("caption")
        );
        let scoped = SCOPED.contains(name) || is_heading(name);
        let extra_stop = match *name {
            local_name!("li") => [local_name!("ul"), local_name!("ol")],
            local_name!("p") => [local_name!("button"), local_name!("button")],
            _ => [local_name!("html"), local_name!("html")],
        };
        // The parser closes an element named by an end tag unless a boundary comes first:
        // a table for table parts, a scope boundary for blocks (any heading ends a heading),
        // any special element for the rest (`</span>` does not close past a `<li>`).
        let stops = |o: &LocalName| {
            if table_part {
                matches!(*o, local_name!("table") | local_name!("template"))
            } else if scoped {
                BOUNDARY.contains(o) || extra_stop.contains(o)
            } else {
                SPECIAL.contains(o)
            }
        };
        let named = |o: &LocalName| o == name || (is_heading(name) && is_heading(o));
        let Some(at) = self
            .open
            .iter()
            .rposition(|o| named(&o.name) || stops(&o.name))
            .filter(|&i| named(&self.open[i].name))
        else {
            if *name == local_name!("p") {
                // `</p>` without a paragraph open is an empty one.
                self.empty_block();
            }
            return;
        };
        self.pop_to(at);
    }

    /// An empty block element: a line break.
    fn empty_block(&mut self) {
        if self.skipping == 0 && !self.in_extra_title {
            self.block_break(true);
            self.block_break(false);
        }
    }

    /// Closes every element counted beyond [`MAX_DEPTH`] (they are inside any kept one).
    fn close_deeper(&mut self) {
        if self.deeper_total == 0 {
            return;
        }
        let mut block = false;
        for (name, n) in self.deeper.drain() {
            if SKIP.contains(&name) {
                self.skipping -= n;
            }
            if matches!(name, local_name!("svg") | local_name!("math")) {
                self.foreign -= n;
            }
            if name == local_name!("table") {
                self.tables -= n;
            }
            block |= n > 0 && BLOCK.contains(&name);
        }
        self.deeper_total = 0;
        if block && self.skipping == 0 && !self.in_extra_title {
            self.block_break(false);
        }
    }

    /// Bookkeeping once an element is closed.
    fn closed(&mut self, name: &LocalName, skip: bool) {
        if skip {
            self.skipping -= 1;
        }
        if matches!(*name, local_name!("svg") | local_name!("math")) {
            self.foreign -= 1;
        }
        if *name == local_name!("table") {
            self.tables -= 1;
        }
        if *name == local_name!("title") {
            let extra = std::mem::replace(&mut self.in_extra_title, false);
            if extra {
                return;
            }
        }
        if self.skipping == 0 && !self.in_extra_title && BLOCK.contains(name) {
            self.block_break(false);
        }
    }

    fn text(&mut self, text: &str, after_pre: bool) {
        let text = if after_pre {
            text.strip_prefix('\n').unwrap_or(text)
        } else {
            text
        };
        if self.skipping > 0 || self.in_extra_title {
            return;
        }
        let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r');
        let mut text = text;
        if self.phase == Phase::Head && !self.in_title() {
            // White space before the body is dropped; the rest starts the body.
            text = text.trim_start_matches(space);
            if text.is_empty() {
                return;
            }
            self.phase = Phase::Body;
        }
        if self.phase == Phase::AfterHead && !text.chars().all(space) {
            self.phase = Phase::Body;
        }
        for (i, part) in text.split(['\n', '\r']).enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.out.push_str(part);
        }
    }

    fn in_title(&self) -> bool {
        self.open
            .last()
            .is_some_and(|o| o.name == local_name!("title"))
    }
}

impl TokenSink for Extractor {
    type Handle = ();

    fn process_token(&mut self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let after_pre = std::mem::take(&mut self.after_pre);
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return self.start(&tag),
                TagKind::EndTag => self.end(&tag.name),
            },
            Token::CharacterTokens(t) => self.text(&t, after_pre),
            Token::DoctypeToken(_) => self.doctype = true,
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.foreign > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_without_scripts_navigation_or_templates() {
        let html = "<html><head><title>渠南街道报告</title><script>var x=1;</script></head><body><nav>首页 导航</nav><div><p>一、主要举措</p><p>（一）加强<b>领导</b>。</p></div><template><p>模板里的字</p></template></body></html>";
        assert_eq!(
            html_to_text(html),
            "渠南街道报告\n一、主要举措\n（一）加强领导。\n"
        );
    }

    #[test]
    fn sloppy_pages_read_as_a_parser_reads_them() {
        let cases = [
            // Unclosed paragraphs and list items, line breaks, entities.
            (
                "<p>一、总体情况<p>二、主要举措<ul><li>甲&amp;乙<li>丙</ul>丁<br>戊",
                "一、总体情况\n二、主要举措\n甲&乙\n丙\n丁\n戊\n",
            ),
            // A navigation bar never closed ends with its parent.
            (
                "<div><nav>首页 &gt; 政务公开</div>正文第一段",
                "正文第一段\n",
            ),
            // White space before the body is dropped; the first title of the head is kept.
            (
                "<!DOCTYPE html>\n<html>\n<head>\n<title>甲镇报告</title>\n<title>第二个</title>\n<meta charset=utf-8>\n</head>\n<body>\n  一、加强领导<pre>\n（一）学法</pre>",
                "甲镇报告\n    一、加强领导\n（一）学法\n",
            ),
            // Text directly in the head starts the body; `</br>` is a break.
            ("<head>正文</head>前</br>后", "正文前\n后\n"),
            // Table rows are lines, cells run together; a form is dropped.
            (
                "<table><tr><td>甲</td><td>乙</td><tr><td>丙</table><form><input value=x>搜索</form>",
                "甲乙\n丙\n",
            ),
            // Raw text of scripts and styles never leaks, even with tags inside.
            (
                "<style>p{}</style><script>document.write('<p>假</p>')</script><p>真",
                "真\n",
            ),
            // Foreign content: self-closing tags close, a title inside is plain text.
            ("<svg><title>图</title><path/></svg><p>文</p>", "图\n文\n"),
        ];
        for (html, want) in cases {
            assert_eq!(html_to_text(html), want, "{html}");
            assert_eq!(tree_walk(html), want, "{html}");
        }
    }

    #[test]
    fn deep_nesting_is_capped_and_read_right() {
        let n = 100_000;
        let mut html = String::from("<html><body>");
        for tag in ["div", "section", "ul", "blockquote", "span"] {
            html.push_str(&format!("<{tag}>").repeat(n / 5));
        }
        html.push_str("江湾镇法治政府建设报告<nav>导航文字</nav>一、加强组织领导");
        html.push_str("<p>（一）健全制度");
        html.push_str(&"</span>".repeat(n / 5));
        html.push_str("<p>（二）依法决策</body></html>");
        let x = extract(&html);
        assert_eq!(x.deepest, MAX_DEPTH);
        assert_eq!(
            html_to_text(&html),
            "江湾镇法治政府建设报告一、加强组织领导\n（一）健全制度\n（二）依法决策\n"
        );
        // 100,000 unclosed paragraphs: each opens a line of its own.
        let paragraphs = "<p>段落".repeat(n);
        assert_eq!(html_to_text(&paragraphs).lines().count(), n);
    }

    /// The extractor this module replaced: a walk of scraper's tree (html5ever's tree builder),
    /// which is quadratic in the nesting. The oracle of the property below.
    fn tree_walk(html: &str) -> String {
        use scraper::Node;
        const SKIP: [&str; 10] = [
            "script", "style", "noscript", "nav", "head", "form", "select", "button", "iframe",
            "template",
        ];
        const BLOCK: [&str; 24] = [
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "table",
            "section",
            "article",
            "header",
            "footer",
            "blockquote",
            "pre",
            "title",
            "dd",
            "dt",
            "hr",
        ];
        let doc = scraper::Html::parse_document(html);
        let mut out = String::new();
        let mut stack = vec![(doc.tree.root(), false)];
        while let Some((node, closing)) = stack.pop() {
            let block = matches!(node.value(), Node::Element(e) if BLOCK.contains(&e.name()));
            if closing {
                if block && !out.ends_with('\n') {
                    out.push('\n');
                }
                continue;
            }
            match node.value() {
                Node::Text(t) => out.push_str(&t.replace(['\n', '\r'], " ")),
                Node::Element(e) if SKIP.contains(&e.name()) && e.name() != "head" => continue,
                Node::Element(e) if e.name() == "head" => {
                    if let Some(title) = node
                        .descendants()
                        .find(|d| matches!(d.value(), Node::Element(t) if t.name() == "title"))
                    {
                        stack.push((title, false));
                    }
                    continue;
                }
                _ => {}
            }
            if block && !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            stack.push((node, true));
            let children: Vec<_> = node.children().collect();
            for child in children.into_iter().rev() {
                stack.push((child, false));
            }
        }
        let lines: Vec<&str> = out
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }

    /// Pieces of the pages governments publish: blocks, inline markup, lists, tables, line
    /// breaks, chrome that is dropped, head content, entities, comments and stray white space,
    /// opened and closed in any order.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("<p>".to_string()),
            Just("</p>".to_string()),
            Just("<div>".to_string()),
            Just("</div>".to_string()),
            Just("<br>".to_string()),
            Just("<span>".to_string()),
            Just("</span>".to_string()),
            // Formatting elements left open are reopened by the parser inside later blocks
            // (its "active formatting elements"), which this module does not model: balanced.
            Just("<b>加粗</b>".to_string()),
            Just("<ul><li>".to_string()),
            Just("<li>".to_string()),
            Just("</ul>".to_string()),
            Just("<h2>".to_string()),
            Just("</h2>".to_string()),
            Just("<table><tr><td>".to_string()),
            Just("<td>".to_string()),
            Just("<tr><td>".to_string()),
            Just("</table>".to_string()),
            Just("<nav>首页 &gt; 政务公开</nav>".to_string()),
            Just("<script>var a = '<p>x</p>';</script>".to_string()),
            Just("<style>p{margin:0}</style>".to_string()),
            Just("<template><p>模板</p></template>".to_string()),
            Just("<form><input name=q>搜索<button>确定</button></form>".to_string()),
            Just("<pre>\n（一）预格式</pre>".to_string()),
            Just("<!-- 注释 -->".to_string()),
            Just("&nbsp;&amp;&#x4e00;".to_string()),
            Just("\n  ".to_string()),
            Just(" ".to_string()),
            "[一二三（）、。，法治政府建设镇街道年度报告 ]{1,12}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// On pages made of those pieces, with or without a head, the text is what the tree
        /// walk gave.
        #[test]
        fn the_text_is_what_a_tree_walk_gives(
            head in proptest::prop_oneof![
                proptest::strategy::Just(String::new()),
                proptest::strategy::Just("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>甲镇 报告</title>\n</head>\n<body>\n".to_string()),
                proptest::strategy::Just("<title>乙街道</title><script>x()</script>\n".to_string()),
            ],
            body in proptest::collection::vec(piece(), 0..40),
        ) {
            let html = format!("{head}{}", body.concat());
            proptest::prop_assert_eq!(html_to_text(&html), tree_walk(&html), "{}", html);
        }
    }
}
