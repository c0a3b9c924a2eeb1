//! Reading uploaded files safely: text, CSV, XLSX, DOCX, PDF and images.
//!
//! Every parser runs on bytes already limited by the request size cap.
//! Zip containers (XLSX, DOCX) are fully decompressed once through a
//! counting reader before any parser sees them, so a zip bomb is refused by
//! its real size, not the size its headers claim; PDF streams are inflated
//! the same way before lopdf loads the file. Malformed input is an
//! [`ApiError`] with status 422; the handlers also run parsers on a blocking
//! thread whose panic, should a parser have one, becomes a 422 too.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use quick_xml::events::Event;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::infer::{RawTable, read_csv};

/// Most entries a zip container may hold.
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Most columns a spreadsheet sheet may use.
const MAX_COLUMNS: usize = 1024;
/// Most PDF pages whose text is extracted.
const MAX_PDF_PAGES: usize = 1000;

/// What kind of file an upload is, judged by its bytes first and its name second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Plain UTF-8 text.
    Text,
    /// Comma-separated values.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A Word document.
    Docx,
    /// A PDF document.
    Pdf,
    /// An image (metadata only).
    Image,
}

/// Width, height and format of an image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImageInfo {
    /// Format name, e.g. `Png`.
    pub format: String,
    /// Pixels.
    pub width: u64,
    /// Pixels.
    pub height: u64,
}

/// What was read from an upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Extracted {
    /// The file kind.
    pub kind: FileKind,
    /// Text of the document (text, DOCX, PDF), if any.
    pub text: Option<String>,
    /// Tables found (CSV, XLSX sheets, DOCX tables).
    pub tables: Vec<RawTable>,
    /// Image metadata, for images.
    pub image: Option<ImageInfo>,
}

fn malformed(name: &str, what: &str, err: impl std::fmt::Display) -> ApiError {
    ApiError::unprocessable("malformed_file", format!("{name}: not a readable {what} ({err})"))
}

/// Judges the kind of `bytes` named `name`.
pub fn detect(bytes: &[u8], name: &str) -> Result<FileKind, ApiError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match ext.as_str() {
            "xlsx" | "xlsm" => Ok(FileKind::Xlsx),
            "docx" => Ok(FileKind::Docx),
            _ => {
                let archive =
                    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(name, "zip file", e))?;
                if archive.index_for_name("xl/workbook.xml").is_some() {
                    Ok(FileKind::Xlsx)
                } else if archive.index_for_name("word/document.xml").is_some() {
                    Ok(FileKind::Docx)
                } else {
                    Err(unsupported(name))
                }
            }
        };
    }
    if imagesize::image_type(bytes).is_ok() && !matches!(ext.as_str(), "csv" | "txt") {
        return Ok(FileKind::Image);
    }
    if ext == "pdf" {
        return Err(malformed(name, "PDF", "it does not start with %PDF-"));
    }
    if matches!(ext.as_str(), "xlsx" | "docx") {
        return Err(malformed(
            name,
            &ext.to_ascii_uppercase(),
            "it is not a zip container",
        ));
    }
    if std::str::from_utf8(bytes).is_err() {
        return Err(unsupported(name));
    }
    Ok(if ext == "csv" {
        FileKind::Csv
    } else {
        FileKind::Text
    })
}

fn unsupported(name: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_file",
        format!("{name}: unsupported file; send text, CSV, XLSX, DOCX, PDF or an image"),
    )
}

/// Reads an upload of any supported kind.
pub fn extract(bytes: &[u8], name: &str, max_rows: u64, max_unzipped: u64) -> Result<Extracted, ApiError> {
    let kind = detect(bytes, name)?;
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut out = Extracted {
        kind,
        text: None,
        tables: Vec::new(),
        image: None,
    };
    match kind {
        FileKind::Text => out.text = Some(String::from_utf8_lossy(bytes).into_owned()),
        FileKind::Csv => out.tables.push(read_csv(bytes, stem, max_rows)?),
        FileKind::Xlsx => out.tables = read_xlsx(bytes, name, max_rows, max_unzipped)?,
        FileKind::Docx => {
            let (text, tables) = read_docx(bytes, name, max_rows, max_unzipped)?;
            out.text = Some(text);
            out.tables = tables;
        }
        FileKind::Pdf => out.text = Some(read_pdf(bytes, name, max_unzipped)?),
        FileKind::Image => {
            let size = imagesize::blob_size(bytes).map_err(|e| malformed(name, "image", e))?;
            let format = imagesize::image_type(bytes).map_err(|e| malformed(name, "image", e))?;
            out.image = Some(ImageInfo {
                format: format!("{format:?}"),
                width: size.width as u64,
                height: size.height as u64,
            });
        }
    }
    Ok(out)
}

/// Decompresses every entry of a zip through a counting reader and refuses
/// the file when the real total passes `max_unzipped`.
pub fn check_zip(bytes: &[u8], name: &str, max_unzipped: u64) -> Result<(), ApiError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(name, "zip container", e))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(too_big(
            name,
            format!("it holds more than {MAX_ZIP_ENTRIES} entries"),
        ));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| malformed(name, "zip container", e))?;
        let left = max_unzipped.saturating_sub(total);
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| malformed(name, "zip container", e))?;
        total += read;
        if total > max_unzipped {
            return Err(too_big(
                name,
                format!("it decompresses to more than {max_unzipped} bytes"),
            ));
        }
    }
    Ok(())
}

fn too_big(name: &str, why: String) -> ApiError {
    ApiError::unprocessable("file_too_large", format!("{name}: refused because {why}"))
}

/// Every sheet of a workbook as a table: first row the header. Cells are
/// streamed, not laid out as a dense grid, so a sheet that puts one cell at
/// row 1 048 576 costs one row, not a million.
pub fn read_xlsx(
    bytes: &[u8],
    name: &str,
    max_rows: u64,
    max_unzipped: u64,
) -> Result<Vec<RawTable>, ApiError> {
    check_zip(bytes, name, max_unzipped)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| malformed(name, "XLSX workbook", e))?;
    let mut tables = Vec::new();
    let mut total = 0u64;
    for sheet in book.sheet_names() {
        let bad = |e: calamine::XlsxError| malformed(name, "XLSX workbook", format!("sheet `{sheet}`: {e}"));
        let mut cells = book.worksheet_cells_reader(&sheet).map_err(bad)?;
        let mut rows: Vec<Vec<Option<String>>> = Vec::new();
        let mut current: Option<u32> = None;
        while let Some(cell) = cells.next_cell().map_err(bad)? {
            let (r, c) = cell.get_position();
            let c = c as usize;
            if c >= MAX_COLUMNS {
                return Err(ApiError::unprocessable(
                    "too_many_columns",
                    format!("{name}: sheet `{sheet}` has a cell past column {MAX_COLUMNS}"),
                ));
            }
            let value = cell_text(&Data::from(cell.get_value().clone()));
            if current != Some(r) {
                if value.is_none() {
                    continue;
                }
                current = Some(r);
                total += 1;
                if total > max_rows + 1 {
                    return Err(ApiError::unprocessable(
                        "too_many_rows",
                        format!("{name} has more than {max_rows} rows, the server's row cap"),
                    ));
                }
                rows.push(Vec::new());
            }
            if let Some(row) = rows.last_mut() {
                if row.len() <= c {
                    row.resize(c + 1, None);
                }
                row[c] = value;
            }
        }
        drop(cells);
        if rows.is_empty() {
            continue;
        }
        let header: Vec<String> = rows
            .remove(0)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        total -= 1;
        let width = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        let mut header = header;
        header.resize(width, String::new());
        tables.push(RawTable::new(&sheet, header, rows));
    }
    if tables.is_empty() {
        return Err(ApiError::unprocessable(
            "empty_file",
            format!("{name}: the workbook has no rows"),
        ));
    }
    Ok(tables)
}

fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) if s.is_empty() => None,
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", *x as i64)),
        Data::DateTime(dt) => dt.as_datetime().map(|d| {
            if d.time() == chrono::NaiveTime::MIN {
                d.date().to_string()
            } else {
                d.format("%Y-%m-%dT%H:%M:%S").to_string()
            }
        }),
        other => Some(other.to_string()),
    }
}

/// The text of a Word document (a line per paragraph) and its tables.
pub fn read_docx(
    bytes: &[u8],
    name: &str,
    max_rows: u64,
    max_unzipped: u64,
) -> Result<(String, Vec<RawTable>), ApiError> {
    check_zip(bytes, name, max_unzipped)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(name, "DOCX", e))?;
    let mut xml = Vec::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| malformed(name, "DOCX", format!("word/document.xml: {e}")))?
        .take(max_unzipped)
        .read_to_end(&mut xml)
        .map_err(|e| malformed(name, "DOCX", e))?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut text = String::new();
    let mut tables: Vec<Vec<Vec<Option<String>>>> = Vec::new();
    let mut depth = 0usize; // table nesting; only outermost tables are kept
    let mut row: Vec<Option<String>> = Vec::new();
    let mut cell: Option<String> = None;
    let mut in_text = false;
    let mut rows_seen = 0u64;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(name, "DOCX", e))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"tbl" => {
                    depth += 1;
                    if depth == 1 {
                        tables.push(Vec::new());
                    }
                }
                b"tr" if depth == 1 => row.clear(),
                b"tc" if depth == 1 => cell = Some(String::new()),
                b"t" => in_text = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"tbl" => depth = depth.saturating_sub(1),
                b"tr" if depth == 1 => {
                    rows_seen += 1;
                    if rows_seen > max_rows {
                        return Err(ApiError::unprocessable(
                            "too_many_rows",
                            format!("{name} has more than {max_rows} table rows, the server's row cap"),
                        ));
                    }
                    if let Some(t) = tables.last_mut() {
                        t.push(std::mem::take(&mut row));
                    }
                }
                b"tc" if depth == 1 => {
                    let c = cell.take().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
                    row.push(c);
                }
                b"t" => in_text = false,
                b"p" => {
                    if let Some(c) = cell.as_mut() {
                        c.push(' ');
                    }
                    text.push('\n');
                }
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == b"tab" => text.push('\t'),
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| malformed(name, "DOCX", e))?;
                let s = quick_xml::escape::unescape(&s).map_err(|e| malformed(name, "DOCX", e))?;
                text.push_str(&s);
                if let Some(c) = cell.as_mut() {
                    c.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text => {
                // `&amp;` and friends arrive as references in quick-xml 0.38.
                let entity = r.decode().map_err(|e| malformed(name, "DOCX", e))?;
                let reference = format!("&{entity};");
                let s = quick_xml::escape::unescape(&reference).map_err(|e| malformed(name, "DOCX", e))?;
                text.push_str(&s);
                if let Some(c) = cell.as_mut() {
                    c.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let tables = tables
        .into_iter()
        .enumerate()
        .filter(|(_, t)| t.len() >= 2)
        .map(|(i, mut t)| {
            let header = t.remove(0).into_iter().map(Option::unwrap_or_default).collect();
            RawTable::new(&format!("table_{}", i + 1), header, t)
        })
        .collect();
    Ok((text.trim().to_owned(), tables))
}

/// The text of a PDF, page by page.
pub fn read_pdf(bytes: &[u8], name: &str, max_unzipped: u64) -> Result<String, ApiError> {
    check_pdf_streams(bytes, name, max_unzipped)?;
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| malformed(name, "PDF", e))?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().take(MAX_PDF_PAGES).collect();
    if pages.is_empty() {
        return Err(malformed(name, "PDF", "it has no pages"));
    }
    let text = doc.extract_text(&pages).map_err(|e| malformed(name, "PDF", e))?;
    Ok(text.trim().to_owned())
}

/// Inflates every `stream … endstream` body that looks zlib-compressed
/// through a counting reader, refusing the file past `max_unzipped` bytes:
/// lopdf inflates without a bound.
fn check_pdf_streams(bytes: &[u8], name: &str, max_unzipped: u64) -> Result<(), ApiError> {
    let mut total = 0u64;
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let mut start = at + found + b"stream".len();
        at = start;
        // `endstream` also contains `stream`: skip it.
        if bytes[..start - b"stream".len()].ends_with(b"end") {
            continue;
        }
        if bytes[start..].starts_with(b"\r\n") {
            start += 2;
        } else if bytes[start..].starts_with(b"\n") {
            start += 1;
        } else {
            continue;
        }
        let end = find(&bytes[start..], b"endstream").map_or(bytes.len(), |e| start + e);
        let body = &bytes[start..end];
        if body.first() == Some(&0x78) {
            let left = max_unzipped.saturating_sub(total);
            let decoder = flate2::read::ZlibDecoder::new(body);
            // A corrupt stream ends the count early; lopdf judges it later.
            let read = std::io::copy(&mut decoder.take(left + 1), &mut std::io::sink()).unwrap_or(0);
            total += read;
            if total > max_unzipped {
                return Err(too_big(
                    name,
                    format!("its streams decompress to more than {max_unzipped} bytes"),
                ));
            }
        }
        at = end;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_by_its_real_size() {
        let zeros = vec![0u8; 5_000_000];
        let bomb = zip_of(&[("word/document.xml", &zeros)]);
        assert!(bomb.len() < 50_000, "compresses well: {}", bomb.len());
        let err = read_docx(&bomb, "bomb.docx", 100, 1_000_000).unwrap_err();
        assert_eq!(err.code, "file_too_large", "{err}");
        assert!(check_zip(&bomb, "ok.docx", 10_000_000).is_ok());
    }

    #[test]
    fn docx_text_and_tables_are_read() {
        let doc = br#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>Hello &amp; welcome</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>name</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>age</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>Ada</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>36</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let file = zip_of(&[("word/document.xml", doc)]);
        let (text, tables) = read_docx(&file, "d.docx", 100, 1_000_000).unwrap();
        assert!(text.starts_with("Hello & welcome"), "{text}");
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].headers, ["name", "age"]);
        assert_eq!(tables[0].rows, [[Some("Ada".to_owned()), Some("36".to_owned())]]);
    }

    #[test]
    fn a_pdf_with_a_huge_stream_is_refused() {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b' '; 3_000_000]).unwrap();
        let body = enc.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Length 1 /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&body);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        let err = read_pdf(&pdf, "bomb.pdf", 1_000_000).unwrap_err();
        assert_eq!(err.code, "file_too_large", "{err}");
        let err = read_pdf(&pdf, "bomb.pdf", 10_000_000).unwrap_err();
        assert_eq!(err.code, "malformed_file", "{err}");
    }

    #[test]
    fn kinds_are_judged_by_content() {
        assert_eq!(detect(b"a,b\n1,2\n", "x.csv").unwrap(), FileKind::Csv);
        assert_eq!(detect(b"hello", "x.md").unwrap(), FileKind::Text);
        assert_eq!(detect(b"%PDF-1.7", "x.bin").unwrap(), FileKind::Pdf);
        assert_eq!(detect(b"not a pdf", "x.pdf").unwrap_err().code, "malformed_file");
        assert_eq!(
            detect(&[0, 159, 146, 150], "x.bin").unwrap_err().code,
            "unsupported_file"
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x20\x08\x02\0\0\0";
        let e = extract(png, "p.png", 10, 10).unwrap();
        assert_eq!(
            (e.image.as_ref().unwrap().width, e.image.as_ref().unwrap().height),
            (16, 32)
        );
    }
}
