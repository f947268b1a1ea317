//! Names and values quoted in the pipeline's sentences: `"name"`, as `{:?}` writes it.
//!
//! `{:?}` of a `str` escapes what Unicode calls unprintable and a leading combining mark,
//! so it links core's printability and grapheme tables and its escaping code; with the
//! `str` slicing error it shares them with (which prints a `char` with `{:?}`), they cost
//! the edge scorer about 1.2 KB of its 64,000 B budget (gzip -9; see `edge/src/lib.rs`).
//! [`Quoted`] escapes what `{:?}` escapes among ASCII — the double quote, the backslash,
//! the control characters — the way `{:?}` does, and writes every other character as it
//! is. The quoted text is the same but for the rare names with an unprintable or a leading
//! combining Unicode character, which `{:?}` writes as `\u{…}` and `Quoted` as themselves;
//! every surface (the page, the CLI, the edge) writes it through this one function.

use std::fmt::{self, Write};

/// Displays a string between double quotes, escaped as `{:?}` escapes ASCII.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = |c: char| c == '"' || c == '\\' || c.is_ascii_control();
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
                    c if c.is_ascii_control() => {
                        let n = u32::from(c);
                        f.write_str("\\u{")?;
                        if n >= 16 {
                            f.write_char(char::from_digit(n >> 4, 16).unwrap_or('0'))?;
                        }
                        f.write_char(char::from_digit(n & 15, 16).unwrap_or('0'))?;
                        f.write_char('}')?;
                    }
                    c => f.write_char(c)?,
                }
            }
        }
        f.write_char('"')
    }
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
        // where {:?} escapes Unicode, Quoted writes the character
        assert_eq!(Quoted("a\u{200b}b").to_string(), "\"a\u{200b}b\"");
    }
}
