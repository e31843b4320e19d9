//! The browser's code and style (`pkg`: the WebAssembly module, its JavaScript glue and
//! the stylesheet), served under a path that names their content:
//! `/static/{version}/pkg/…`, where `version` is a hash of every file of the folder taken
//! when the server starts. A new build is a new path, so the files are cached for a year
//! as immutable; a path of another version answers 404 rather than new files under an old
//! name. Files are sent precompressed when the build wrote `.br`/`.gz` beside them
//! (`cargo leptos build --release --precompress`) and the browser accepts the encoding;
//! otherwise the response compression of [`super::http`] compresses them as they are sent.

use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Most files read to name the version: a split build (`cargo leptos build --split`)
/// writes a chunk per page and per piece of code pages share, several hundred in all.
const MAX_FILES: usize = 4096;

/// How long a browser keeps a file whose name changes with its content: a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The served folder and the version its path carries.
#[derive(Clone, Debug)]
pub struct Assets {
    dir: PathBuf,
    version: String,
}

impl Assets {
    /// The `pkg` folder of `site_root`, named by its content now.
    pub fn load(site_root: &str, pkg_dir: &str) -> Assets {
        let dir = PathBuf::from(site_root).join(pkg_dir);
        let version = version_of(&dir).unwrap_or_else(|| "unbuilt".to_owned());
        Assets { dir, version }
    }

    /// What goes before `/pkg/…` in the pages' links: `/static/{version}`.
    pub fn root(&self) -> String {
        format!("/static/{}", self.version)
    }

    /// `GET /static/{version}/pkg/{*file}`.
    pub async fn serve(&self, version: &str, file: &str, req: Request) -> Response {
        if version != self.version || file.is_empty() {
            return StatusCode::NOT_FOUND.into_response();
        }
        let (mut parts, _) = req.into_parts();
        let Ok(uri) = format!("/{file}").parse() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        parts.uri = uri;
        let files = ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        let Ok(mut res) = files
            .oneshot(Request::from_parts(parts, Body::empty()))
            .await;
        if res.status().is_success() {
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        }
        res.map(Body::new)
    }
}

/// The first 16 hex digits of a SHA-256 over the folder's file names and contents, in
/// name order; `None` when the folder cannot be read or is empty.
fn version_of(dir: &std::path::Path) -> Option<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .take(MAX_FILES)
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort();
    let mut hash = Sha256::new();
    for path in &files {
        hash.update(path.file_name()?.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(path).ok()?);
    }
    let digest = hash.finalize();
    Some(digest.iter().take(8).map(|b| format!("{b:02x}")).collect())
}

/// `GET /static/{version}/pkg/{*file}`, answered from the assets in the request.
pub async fn handler(
    axum::extract::Extension(assets): axum::extract::Extension<std::sync::Arc<Assets>>,
    Path((version, file)): Path<(String, String)>,
    req: Request,
) -> Response {
    assets.serve(&version, &file, req).await
}

/// `GET /static/texts/{file}`: a language's texts for the browser (`app::i18n`), under
/// the name the pages give it, which changes with the texts; cached as immutable. Any
/// other name is 404.
pub async fn texts(Path(file): Path<String>) -> Response {
    let found = domain::Lang::ALL
        .into_iter()
        .map(app::i18n::page_texts)
        .find(|texts| texts.path.rsplit('/').next() == Some(file.as_str()));
    let Some(texts) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, IMMUTABLE),
        ],
        texts.json.as_str(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        assert_eq!(version_of(&pkg), None);
        std::fs::write(pkg.join("openpsp.js"), "one").unwrap();
        let first = version_of(&pkg).unwrap();
        assert_eq!(first.len(), 16);
        assert_eq!(version_of(&pkg).unwrap(), first);
        std::fs::write(pkg.join("openpsp.js"), "two").unwrap();
        assert_ne!(version_of(&pkg).unwrap(), first);
        let assets = Assets::load(&dir.path().to_string_lossy(), "pkg");
        assert_eq!(
            assets.root(),
            format!("/static/{}", version_of(&pkg).unwrap())
        );
    }
}
