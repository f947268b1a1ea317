//! Names and values quoted in the pipeline's sentences: `"name"`, as `{:?}` writes it.
//!
//! `{:?}` of a `str` escapes what Unicode calls unprintable and a leading combining mark,
//! so it links core's printability and grapheme tables and its escaping code; with the
//! `str` slicing error it shares them with (which prints a `char` with `{:?}`), they cost
//! the edge scorer about 1.2 KB of its 64,000 B budget (gzip -9; see `edge/src/lib.rs`).
//! [`Quoted`] escapes what `{:?}` escapes among ASCII — the double quote, the backslash,
//! the control characters — the way `{:?}` does, and writes every other character as it
//! is, but for the C1 controls and the invisible format characters that can hide text or
//! reorder how a sentence is shown (zero-width spaces and joiners, the bidirectional marks,
//! embeddings, overrides and isolates such as U+202E, the word joiner, the byte order mark):
//! a hostile column name must not turn an error message around, so those are written as
//! `\u{…}`, as `{:?}` writes them. A range check, not a table. The quoted text is the same
//! but for the rare names with another unprintable or a leading combining Unicode
//! character, which `{:?}` writes as `\u{…}` and `Quoted` as themselves; every surface (the
//! page, the CLI, the edge) writes it through this one function.

use std::fmt::{self, Write};

/// Displays a string between double quotes, escaped as `{:?}` escapes ASCII.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = |c: char| c == '"' || c == '\\' || hidden(c);
        f.write_char('"')?;
        if !self.0.contains(escaped) {
            f.write_str(self.0)?;
        } else {
            for c in self.0.chars() {
                match c {
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    '\0' => f.write_str("\\0")?,
                    '"' | '\\' => {
                        f.write_char('\\')?;
                        f.write_char(c)?;
                    }
                    c if hidden(c) => {
                        let n = u32::from(c);
                        f.write_str("\\u{")?;
                        // hex digits without leading zeros, as `{:?}` writes them
                        let mut shift = 16;
                        while shift > 0 && n >> shift == 0 {
                            shift -= 4;
                        }
                        loop {
                            f.write_char(char::from_digit((n >> shift) & 15, 16).unwrap_or('0'))?;
                            if shift == 0 {
                                break;
                            }
                            shift -= 4;
                        }
                        f.write_char('}')?;
                    }
                    c => f.write_char(c)?,
                }
            }
        }
        f.write_char('"')
    }
}

/// Whether `c` is written escaped as `\u{…}`: the ASCII and C1 controls, and the invisible
/// format characters that hide text or reorder a sentence (see the module docs).
fn hidden(c: char) -> bool {
    matches!(c,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{ad}' | '\u{61c}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn quotes_as_debug_does() {
        for s in [
            "",
            "amount",
            "a b",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "line\nbreak\r",
            "nul\0",
            "esc\u{1b}[0m",
            "del\u{7f}",
            "\u{1}\u{10}\u{1f}",
            "it's",
            "café ✓ 数据 😀",
        ] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"));
        }
        // the controls and invisible format characters that could hide a name or turn a
        // sentence around are escaped as {:?} escapes them
        for s in [
            "evil\u{202e}txt.exe",
            "a\u{200b}b\u{200d}c",
            "\u{feff}amount",
            "rtl\u{200f}\u{2066}x\u{2069}",
            "c1\u{85}\u{9f}\u{80}",
            "soft\u{ad}hyphen\u{61c}\u{2060}\u{fff9}",
        ] {
            assert_eq!(Quoted(s).to_string(), format!("{s:?}"));
        }
        // every character Quoted escapes is one {:?} escapes, and escaped the same way
        for c in (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|&c| super::hidden(c))
        {
            let s = c.to_string();
            assert_eq!(
                Quoted(&s).to_string(),
                format!("{s:?}"),
                "U+{:04X}",
                u32::from(c)
            );
        }
        // where {:?} escapes other Unicode, Quoted writes the character
        assert_eq!(Quoted("\u{301}x").to_string(), "\"\u{301}x\"");
        assert_eq!(Quoted("\u{e000}").to_string(), "\"\u{e000}\"");
    }
}
