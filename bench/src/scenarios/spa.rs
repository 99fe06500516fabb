//! The SPA's transfer size: every .wasm, .js and .css file of the built site's pkg/
//! directory, raw and gzip -9 (what a browser downloads from a server that compresses).

use super::Ctx;
use crate::error::{BenchError, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Serialize)]
pub struct SpaFile {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpaResult {
    pub dir: String,
    pub files: Vec<SpaFile>,
    pub raw_total: u64,
    pub gzip_total: u64,
}

pub fn run(ctx: &Ctx) -> Result<SpaResult> {
    let dir = ctx.sizes.site.join("pkg");
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        BenchError::Failed(format!(
            "no built site at {} ({e}): build it with `cargo leptos build --release` \
             or pass --site",
            dir.display()
        ))
    })?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let wanted = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css")
        );
        if !wanted {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| BenchError::file(&path, e))?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&bytes)
            .map_err(|e| BenchError::file(&path, e))?;
        let gzip = gz.finish().map_err(|e| BenchError::file(&path, e))?.len() as u64;
        files.push(SpaFile {
            name: entry.file_name().to_string_lossy().into_owned(),
            raw: bytes.len() as u64,
            gzip,
        });
    }
    if files.is_empty() {
        return Err(BenchError::Failed(format!(
            "no .wasm/.js/.css in {}",
            dir.display()
        )));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SpaResult {
        dir: dir.display().to_string(),
        raw_total: files.iter().map(|f| f.raw).sum(),
        gzip_total: files.iter().map(|f| f.gzip).sum(),
        files,
    })
}
