//! What the `parquet` crate would panic or over-allocate on, refused first: the walk over
//! every page header when a row group is opened ([`check_pages`]) and the check of each
//! decompressed page before the crate's decoders read it ([`CheckedPages`]).

use super::*;

/// Walks the page headers of every column chunk of `group` and refuses a page that
/// declares more than [`MAX_PAGE_BYTES`] decompressed, a negative size, or a dictionary of
/// more values than its bytes can hold — before the `parquet` crate, which sizes its
/// buffers from these headers, reads the page. Only the headers are read (a few dozen bytes
/// a page, through the source's reader), so a file on disk stays streamed.
pub(super) fn check_pages<R: ChunkReader>(
    source: &R,
    group: &parquet::file::metadata::RowGroupMetaData,
    g: usize,
    plans: &[Plan],
) -> Result<(), TableError> {
    for (chunk, plan) in group.columns().iter().zip(plans) {
        let at = || format!("row group {}, column {:?}", g + 1, plan.name);
        // where the `parquet` crate starts (ColumnChunkMetaData::byte_range, which asserts
        // that neither is negative: checked here first)
        let start = chunk
            .dictionary_page_offset()
            .unwrap_or(chunk.data_page_offset());
        let (Ok(start), Ok(size)) = (u64::try_from(start), u64::try_from(chunk.compressed_size()))
        else {
            return Err(corrupt(&at(), "a negative offset or size in the footer"));
        };
        let end = start.saturating_add(size).min(source.len());
        let mut pos = start;
        let mut dictionary = false;
        while pos < end {
            let reader = source.get_read(pos).map_err(|e| corrupt(&at(), e))?;
            let mut r = Counting {
                inner: reader,
                read: 0,
            };
            let page = PageSizes::read(&mut r).map_err(|m| corrupt(&at(), m))?;
            let bad = |what: String| corrupt(&at(), what);
            if page.uncompressed < 0 || page.compressed < 0 {
                return Err(bad("a page declares a negative size".to_owned()));
            }
            if page.uncompressed as u64 > MAX_PAGE_BYTES {
                return Err(bad(format!(
                    "a page declares {} bytes decompressed, more than the {} MiB a page may hold here (writers cut pages at about 1 MiB): the file is corrupt, or was written with huge pages; re-write it with the writer's default page size",
                    page.uncompressed,
                    MAX_PAGE_BYTES >> 20
                )));
            }
            if page.kind == 2 {
                let n = page.dictionary_values.unwrap_or(-1);
                if n < 0 || i64::from(n) > i64::from(page.uncompressed).max(1) * 8 {
                    return Err(bad(format!(
                        "a dictionary page declares {n} values in {} bytes",
                        page.uncompressed
                    )));
                }
                dictionary = true;
            }
            match page.encoding() {
                // DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY on strings or fixed-width
                // bytes: the `parquet` crate's decoder slices the page with lengths it does
                // not check (a negative or overlong one panics), and checking them means
                // decoding the DELTA_BINARY_PACKED lengths here: refused
                Some(e @ (6 | 7))
                    if matches!(
                        plan.physical,
                        Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY
                    ) =>
                {
                    return Err(TableError::ParquetUnsupported {
                        column: plan.name.clone(),
                        what: format!("the page encoding {}", encoding_name(e)),
                        fix: "re-write the file with the writer's default encodings (pyarrow: leave column_encoding unset; Spark: parquet.writer.version v1)".to_owned(),
                    });
                }
                // PLAIN, RLE, BIT_PACKED and the DELTA encodings
                None | Some(0 | 3..=7) => {}
                // PLAIN_DICTIONARY, RLE_DICTIONARY: the `parquet` crate expects the
                // dictionary to be there and panics without it
                Some(2 | 8) if dictionary => {}
                Some(2 | 8) => {
                    return Err(bad(
                        "a data page refers to a dictionary that no page before it holds"
                            .to_owned(),
                    ))
                }
                // BYTE_STREAM_SPLIT (9) and newer: their decoders trust the page's counts
                Some(e) => {
                    return Err(TableError::ParquetUnsupported {
                        column: plan.name.clone(),
                        what: format!("the page encoding {}", encoding_name(e)),
                        fix: "re-write the file with the writer's default encodings (pyarrow: leave use_byte_stream_split and column_encoding unset)".to_owned(),
                    })
                }
            }
            pos = pos
                .saturating_add(r.read)
                .saturating_add(page.compressed as u64);
        }
    }
    Ok(())
}

/// The pages of one column chunk as the `parquet` crate's page reader hands them out
/// (decompressed), each checked before the crate's decoders read it. The crate's PLAIN
/// decoder of strings (BYTE_ARRAY) reads each value's 4-byte length prefix without checking
/// that four bytes are left (a page cut inside a prefix panics), and adds the length to its
/// position unchecked (a length near 4 GiB wraps in Wasm's 32-bit words and panics); its
/// level readers slice the page with sizes from the page (a V1 page with BIT_PACKED levels,
/// a V2 page whose level sizes exceed its bytes). So for every column a data page's level
/// sizes are checked against its bytes, and for a string column every PLAIN page (the
/// dictionary, and V1 and V2 data pages) has the length prefixes of the values it holds
/// walked: as many as the definition levels say are not null, each of which must fit in
/// what is left of the page. Cost: one pass over the levels and one step per string of
/// those pages (the values themselves are not read), no allocation and no second
/// decompression; other pages are not walked.
pub(super) struct CheckedPages {
    pub(super) inner: Box<dyn PageReader>,
    /// A BYTE_ARRAY column.
    pub(super) strings: bool,
    pub(super) max_def: i16,
    pub(super) max_rep: i16,
}

/// Why [`CheckedPages`] refused a page (carried through the crate's error as `External`).
#[derive(Debug)]
pub(super) struct PageRefused(pub(super) String);

impl std::fmt::Display for PageRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PageRefused {}

impl CheckedPages {
    fn checked(&self, page: Option<Page>) -> parquet::errors::Result<Option<Page>> {
        if let Some(p) = &page {
            self.check(p)
                .map_err(|m| parquet::errors::ParquetError::External(Box::new(PageRefused(m))))?;
        }
        Ok(page)
    }

    fn check(&self, page: &Page) -> Result<(), String> {
        match page {
            Page::DictionaryPage {
                buf,
                num_values,
                encoding,
                ..
            } => {
                if self.strings && matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY)
                {
                    check_strings(buf, u64::from(*num_values), "dictionary page")?;
                }
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                rep_level_encoding,
                ..
            } => {
                let n = u64::from(*num_values);
                let mut at = 0;
                if self.max_rep > 0 {
                    at += v1_levels(&buf[at..], *rep_level_encoding, self.max_rep, n)?.0;
                }
                let mut present = n;
                if self.max_def > 0 {
                    let (size, levels) =
                        v1_levels(&buf[at..], *def_level_encoding, self.max_def, n)?;
                    at += size;
                    let hybrid = *def_level_encoding == Encoding::RLE;
                    present = count_level(levels, hybrid, self.max_def, n);
                }
                if self.strings && *encoding == Encoding::PLAIN {
                    check_strings(&buf[at..], present, "data page")?;
                }
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let (rep, def) = (*rep_levels_byte_len as usize, *def_levels_byte_len as usize);
                if rep as u64 + def as u64 > buf.len() as u64 {
                    return Err(format!(
                        "a data page declares {} bytes of levels but holds {}",
                        rep as u64 + def as u64,
                        buf.len()
                    ));
                }
                let n = u64::from(*num_values);
                let present = if self.max_def > 0 {
                    count_level(&buf[rep..rep + def], true, self.max_def, n)
                } else {
                    n
                };
                if self.strings && *encoding == Encoding::PLAIN {
                    check_strings(&buf[rep + def..], present, "data page")?;
                }
            }
        }
        Ok(())
    }
}

impl Iterator for CheckedPages {
    type Item = parquet::errors::Result<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl PageReader for CheckedPages {
    fn get_next_page(&mut self) -> parquet::errors::Result<Option<Page>> {
        let page = self.inner.get_next_page()?;
        self.checked(page)
    }

    fn peek_next_page(&mut self) -> parquet::errors::Result<Option<PageMetadata>> {
        self.inner.peek_next_page()
    }

    fn skip_next_page(&mut self) -> parquet::errors::Result<()> {
        self.inner.skip_next_page()
    }

    fn at_record_boundary(&mut self) -> parquet::errors::Result<bool> {
        self.inner.at_record_boundary()
    }

    fn supports_deferred_dictionary(&self) -> bool {
        self.inner.supports_deferred_dictionary()
    }

    fn take_deferred_dictionary(&mut self) -> parquet::errors::Result<Option<Page>> {
        let page = self.inner.take_deferred_dictionary()?;
        self.checked(page)
    }
}

/// The levels of a V1 data page at the start of `buf`, as the `parquet` crate takes them:
/// (bytes they take, their encoded bytes). RLE levels open with their size in 4 bytes;
/// BIT_PACKED ones take `n` values of the level's bit width.
pub(super) fn v1_levels(
    buf: &[u8],
    encoding: Encoding,
    max: i16,
    n: u64,
) -> Result<(usize, &[u8]), String> {
    let size = match encoding {
        Encoding::RLE => {
            let Some(prefix) = buf.get(..4) else {
                return Err("a data page is cut inside the size of its levels".to_owned());
            };
            4 + u64::from(u32::from_le_bytes([
                prefix[0], prefix[1], prefix[2], prefix[3],
            ]))
        }
        #[allow(deprecated)]
        Encoding::BIT_PACKED => (n * u64::from(bit_width(max))).div_ceil(8),
        e => return Err(format!("a data page's levels are encoded as {e}")),
    };
    if size > buf.len() as u64 {
        return Err(format!(
            "a data page's levels declare {size} bytes but {} are left",
            buf.len()
        ));
    }
    let size = size as usize;
    let levels = if encoding == Encoding::RLE {
        &buf[4..size]
    } else {
        &buf[..size]
    };
    Ok((size, levels))
}

/// Bits of a level up to `max`.
pub(super) fn bit_width(max: i16) -> u32 {
    16 - (max.max(0) as u16).leading_zeros()
}

/// How many of the first `n` levels in `levels` (RLE/bit-packed hybrid if `hybrid`, else
/// bit-packed) equal `max`, the values that are not null. Levels the bytes do not hold
/// count as `max`: an upper bound, so a page cut short is walked for every value the
/// crate could read from it.
pub(super) fn count_level(levels: &[u8], hybrid: bool, max: i16, n: u64) -> u64 {
    let w = bit_width(max) as usize;
    let max = max as u64;
    // the `count` bit-packed values of width `w` from `bytes`, LSB first
    let packed = |bytes: &[u8], count: u64| -> u64 {
        let mut hits = 0;
        for i in 0..count {
            let bit = i * w as u64;
            let mut v = 0u64;
            for b in 0..w {
                let at = bit + b as u64;
                match usize::try_from(at / 8).ok().and_then(|k| bytes.get(k)) {
                    Some(byte) => v |= u64::from((byte >> (at % 8)) & 1) << b,
                    None => return hits + (count - i), // cut short: the rest count
                }
            }
            hits += u64::from(v == max);
        }
        hits
    };
    if !hybrid {
        return packed(levels, n);
    }
    let (mut at, mut seen, mut hits) = (0usize, 0u64, 0u64);
    while seen < n {
        // a run header: a ULEB128 varint
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = levels.get(at) else {
                return hits + (n - seen);
            };
            at += 1;
            header |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            shift += 7;
            if b & 0x80 == 0 || shift > 63 {
                break;
            }
        }
        if header & 1 == 1 {
            // bit-packed: (header >> 1) groups of 8 values, `w` bytes a group
            let count = (header >> 1).saturating_mul(8).min(n - seen);
            let bytes = usize::try_from((count * w as u64).div_ceil(8)).unwrap_or(usize::MAX);
            let end = at.saturating_add(bytes).min(levels.len());
            hits += packed(levels.get(at..end).unwrap_or(&[]), count);
            at = at.saturating_add(bytes);
            seen += count;
        } else {
            // a run of (header >> 1) copies of one value of ceil(w / 8) bytes
            let count = (header >> 1).min(n - seen);
            let bytes = w.div_ceil(8);
            let Some(value) = levels.get(at..at.saturating_add(bytes)) else {
                return hits + (n - seen);
            };
            at += bytes;
            let v = value
                .iter()
                .enumerate()
                .fold(0u64, |v, (i, b)| v | (u64::from(*b) << (8 * i)));
            if v == max {
                hits += count;
            }
            seen += count;
        }
    }
    hits
}

/// Walks the length prefixes of `count` PLAIN strings at the start of `data`: each must
/// have its 4 bytes and its length within the bytes left.
pub(super) fn check_strings(data: &[u8], count: u64, page: &str) -> Result<(), String> {
    let mut rest = data;
    for i in 0..count {
        let Some(prefix) = rest.get(..4) else {
            return Err(format!(
                "a {page} holds {count} strings but its bytes end inside the length of string {}",
                i + 1
            ));
        };
        let len = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as u64;
        if len > (rest.len() - 4) as u64 {
            return Err(format!(
                "string {} of a {page} declares {len} bytes but {} are left in the page",
                i + 1,
                rest.len() - 4
            ));
        }
        rest = &rest[4 + len as usize..];
    }
    Ok(())
}

pub(super) fn encoding_name(e: i32) -> String {
    match e {
        6 => "DELTA_LENGTH_BYTE_ARRAY".to_owned(),
        7 => "DELTA_BYTE_ARRAY".to_owned(),
        9 => "BYTE_STREAM_SPLIT".to_owned(),
        10 => "ALP".to_owned(),
        e => format!("number {e}"),
    }
}

/// A reader that counts the bytes read through it.
pub(super) struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: std::io::Read> Counting<R> {
    fn byte(&mut self) -> Result<u8, String> {
        let mut b = [0u8];
        self.inner
            .read_exact(&mut b)
            .map_err(|_| "a page header runs past the end of its column chunk".to_owned())?;
        self.read += 1;
        if self.read > 16 << 20 {
            return Err("a page header of more than 16 MiB".to_owned());
        }
        Ok(b[0])
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut x = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            x |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(x);
            }
        }
        Err("a page header holds a malformed number".to_owned())
    }

    fn i32(&mut self) -> Result<i32, String> {
        let z = self.varint()?;
        let v = ((z >> 1) as i64) ^ -((z & 1) as i64);
        i32::try_from(v).map_err(|_| "a page header holds a malformed number".to_owned())
    }

    /// Skips a value of compact-protocol type `t`.
    fn skip(&mut self, t: u8, depth: u32) -> Result<(), String> {
        if depth > 32 {
            return Err("a page header nested too deep".to_owned());
        }
        match t {
            1 | 2 => Ok(()),
            3 => self.byte().map(drop),
            4..=6 => self.varint().map(drop),
            7 => (0..8).try_for_each(|_| self.byte().map(drop)),
            8 => {
                let n = self.varint()?;
                (0..n).try_for_each(|_| self.byte().map(drop))
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = match h >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                (0..n).try_for_each(|_| self.element(h & 0x0f, depth + 1))
            }
            11 => {
                let n = self.varint()?;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.element(kv >> 4, depth + 1)?;
                        self.element(kv & 0x0f, depth + 1)?;
                    }
                }
                Ok(())
            }
            12 => self.fields(depth + 1, &mut |r, _, t| r.skip(t, depth + 1)),
            _ => Err(format!("a page header holds an unknown type {t}")),
        }
    }

    /// Skips an element of a list, set or map: a boolean there takes a byte (as a field it
    /// takes none), so every element consumes input and a list that declares 2^60 elements
    /// ends at the end of the bytes, not in an endless loop.
    fn element(&mut self, t: u8, depth: u32) -> Result<(), String> {
        match t {
            1 | 2 => self.byte().map(drop),
            t => self.skip(t, depth),
        }
    }

    /// Reads the fields of a struct, handing each (id, type) to `field`, which must consume it.
    fn fields(
        &mut self,
        depth: u32,
        field: &mut dyn FnMut(&mut Self, i16, u8) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut last = 0i16;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            let t = h & 0x0f;
            let id = match h >> 4 {
                0 => {
                    let z = self.varint()?;
                    (((z >> 1) as i64) ^ -((z & 1) as i64)) as i16
                }
                d => last.wrapping_add(i16::from(d)),
            };
            last = id;
            if depth > 32 {
                return Err("a page header nested too deep".to_owned());
            }
            field(self, id, t)?;
        }
    }
}

/// What [`check_pages`] needs of a page header.
pub(super) struct PageSizes {
    /// DATA_PAGE 0, INDEX_PAGE 1, DICTIONARY_PAGE 2, DATA_PAGE_V2 3.
    kind: i32,
    uncompressed: i32,
    compressed: i32,
    dictionary_values: Option<i32>,
    /// The value encodings of the v1 and v2 data page headers.
    encoding_v1: Option<i32>,
    encoding_v2: Option<i32>,
}

impl PageSizes {
    fn read<R: std::io::Read>(r: &mut Counting<R>) -> Result<PageSizes, String> {
        let mut p = PageSizes {
            kind: -1,
            uncompressed: -1,
            compressed: -1,
            dictionary_values: None,
            encoding_v1: None,
            encoding_v2: None,
        };
        r.fields(0, &mut |r, id, t| match (id, t) {
            (1, 5) => r.i32().map(|v| p.kind = v),
            (2, 5) => r.i32().map(|v| p.uncompressed = v),
            (3, 5) => r.i32().map(|v| p.compressed = v),
            (7, 12) => r.fields(1, &mut |r, id, t| match (id, t) {
                (1, 5) => r.i32().map(|v| p.dictionary_values = Some(v)),
                _ => r.skip(t, 2),
            }),
            (5, 12) => r.fields(1, &mut |r, id, t| match (id, t) {
                (2, 5) => r.i32().map(|v| p.encoding_v1 = Some(v)),
                _ => r.skip(t, 2),
            }),
            (8, 12) => r.fields(1, &mut |r, id, t| match (id, t) {
                (4, 5) => r.i32().map(|v| p.encoding_v2 = Some(v)),
                _ => r.skip(t, 2),
            }),
            _ => r.skip(t, 1),
        })?;
        Ok(p)
    }

    /// The encoding of a data page's values.
    fn encoding(&self) -> Option<i32> {
        match self.kind {
            0 => self.encoding_v1,
            3 => self.encoding_v2,
            _ => None,
        }
    }
}
