//! Bytes → text: a BOM (UTF-8, UTF-16LE/BE) wins; else valid UTF-8; else chardetng's guess
//! (GBK/GB18030, Big5, …), refused if it does not decode cleanly; UTF-16 without a BOM is told by
//! its NUL bytes. The error is a one-line reason, for a skipped file.

use crate::text::is_han;

/// Decodes bytes to text and names the encoding; the error is a one-line reason.
pub fn decode(bytes: Vec<u8>) -> std::result::Result<(String, &'static str), String> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(format!(
                "undecodable: invalid {} after its BOM",
                encoding.name()
            ));
        }
        return Ok((text.into_owned(), encoding.name()));
    }
    let binary = || "binary: contains NUL bytes".to_string();
    // UTF-8 is taken as it is, without a copy.
    let bytes = match String::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            return utf16_without_bom(text.as_bytes()).ok_or_else(binary);
        }
        Ok(text) => return Ok((text, "UTF-8")),
        Err(e) => e.into_bytes(),
    };
    let bytes = bytes.as_slice();
    if bytes.contains(&0) {
        return utf16_without_bom(bytes).ok_or_else(binary);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(Some(b"cn"), true);
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(format!(
            "undecodable: neither UTF-8 nor clean {}",
            encoding.name()
        ));
    }
    // Any byte string decodes as some single-byte code page; a Chinese report decodes to Han text.
    if !text.chars().any(is_han) {
        return Err(format!(
            "undecodable: not UTF-8, UTF-16 or a Chinese encoding (best guess {}, no Chinese text)",
            encoding.name()
        ));
    }
    Ok((text.into_owned(), encoding.name()))
}

/// UTF-16 without a byte-order mark, for bytes with NULs that are not UTF-8: an ASCII
/// character (a digit, a line break) has a zero byte in UTF-16, which binary data has too, so
/// both byte orders are decoded and the one that reads as text is taken: it decodes cleanly,
/// has no NUL character, has Chinese in it, and at least 90% of its characters are Chinese,
/// ASCII or the punctuation Chinese text uses. Binary data decoded as UTF-16 is a scatter over
/// the whole range (a third of which is Han), as is text decoded in the wrong byte order.
fn utf16_without_bom(bytes: &[u8]) -> Option<(String, &'static str)> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let textlike = |c: char| {
        c.is_ascii_graphic()
            || matches!(c, ' ' | '\n' | '\r' | '\t')
            || is_han(c)
            || matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '\u{2000}'..='\u{206f}')
    };
    [encoding_rs::UTF_16LE, encoding_rs::UTF_16BE]
        .into_iter()
        .filter_map(|encoding| {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            let chars = text.chars().count().max(1);
            let share = text.chars().filter(|&c| textlike(c)).count() as f64 / chars as f64;
            let chinese = text.chars().any(is_han);
            (!had_errors && chinese && !text.contains('\0') && share >= 0.9)
                .then(|| (share, text.into_owned(), encoding.name()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, text, name)| (text, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_utf16_and_gbk_to_the_same_text() {
        let text = "江湾镇2023年法治政府建设情况年度报告\n一、加强组织领导\n";
        let (plain, enc) = decode(text.into()).unwrap();
        assert_eq!((plain.as_str(), enc), (text, "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(bom).unwrap().0, text);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(utf16).unwrap(), (text.to_string(), "UTF-16LE"));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (back, enc) = decode(gbk.into_owned()).unwrap();
        assert_eq!(back, text);
        assert!(enc == "GBK" || enc == "gb18030", "{enc}");
    }

    #[test]
    fn utf16_without_a_bom_is_decoded_and_binary_is_not() {
        let text = "江湾镇2023年法治政府建设情况年度报告\n一、加强组织领导，进一步统一思想。\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(le).unwrap(), (text.to_string(), "UTF-16LE"));
        assert_eq!(decode(be).unwrap(), (text.to_string(), "UTF-16BE"));
        let noise: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .chain([0, 0x41, 0, 0x42])
            .collect();
        assert!(decode(noise).unwrap_err().starts_with("binary"));
    }

    #[test]
    fn binary_is_refused() {
        assert!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec())
                .unwrap_err()
                .starts_with("binary")
        );
    }
}
