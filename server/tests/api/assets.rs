//! The browser's code and style: served under a path naming the build's content, cached
//! as immutable, precompressed when the build wrote `.br`/`.gz`, and pages compressed as
//! they are sent.

use crate::helpers::*;
use std::io::Read;

const JS: &str = "export default function init() { return 42; }\n";

/// A built site with one script and its two compressed forms.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("openpsp.js"), JS.repeat(50)).unwrap();
    std::fs::write(pkg.join("openpsp.js.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("openpsp.js.gz"), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("openpsp.css"), "body { margin: 0 }\n".repeat(20)).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "not served").unwrap();
    dir
}

async fn fetch(app: &TestApp, path: &str, encoding: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(e) = encoding {
        req = req.header("accept-encoding", e);
    }
    req.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The database plays no part: SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_named_by_their_content_cached_and_sent_compressed() {
    {
        let site = site();
        let root = site.path().to_string_lossy().into_owned();
        let Some(app) = spawn_app(Backend::Sqlite, &[("LEPTOS_SITE_ROOT", &root)]).await else {
            return;
        };

        // A page before sign-in that loads code (the support portal's: the back office's
        // pages before sign-in load none) links the style and the code under
        // /static/{version}/pkg.
        let page = fetch(&app, "/support/login", None)
            .await
            .text()
            .await
            .unwrap();
        let at = page.find("/static/").expect("an asset link");
        let version: String = page[at + "/static/".len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        assert_eq!(version.len(), 16, "{page}");
        let base = format!("/static/{version}/pkg");
        assert!(page.contains(&format!("{base}/openpsp.css")), "{page}");
        assert!(page.contains(&format!("{base}/openpsp.js")), "{page}");
        assert!(!page.contains("\"/pkg/openpsp"), "{page}");

        // Precompressed forms when accepted, the file itself otherwise; cached a year.
        for (accept, encoding, body) in [
            (Some("br, gzip"), "br", b"brotli bytes".to_vec()),
            (Some("gzip"), "gzip", b"gzip bytes".to_vec()),
            (None, "", JS.repeat(50).into_bytes()),
        ] {
            let res = fetch(&app, &format!("{base}/openpsp.js"), accept).await;
            assert_eq!(res.status(), 200, "{accept:?}");
            assert_eq!(header(&res, "content-encoding"), encoding, "{accept:?}");
            assert_eq!(
                header(&res, "cache-control"),
                "public, max-age=31536000, immutable"
            );
            assert!(header(&res, "content-type").contains("javascript"));
            assert_eq!(res.bytes().await.unwrap().to_vec(), body, "{accept:?}");
        }
        // A file the build did not precompress is compressed as it is sent.
        let res = fetch(&app, &format!("{base}/openpsp.css"), Some("gzip")).await;
        assert_eq!(header(&res, "content-encoding"), "gzip");

        // Another version, a path out of the folder, a missing file: 404.
        for path in [
            "/static/0123456789abcdef/pkg/openpsp.js".to_owned(),
            format!("{base}/../secret.txt"),
            format!("{base}/%2e%2e/secret.txt"),
            format!("{base}/missing.js"),
        ] {
            let res = fetch(&app, &path, None).await;
            assert_eq!(res.status(), 404, "{path}");
            assert!(!res.text().await.unwrap().contains("not served"), "{path}");
        }

        // Pages are compressed when the browser accepts it, and read back whole.
        let res = fetch(&app, "/support/login", Some("gzip")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "content-encoding"), "gzip");
        let zipped = res.bytes().await.unwrap();
        let mut html = String::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_string(&mut html)
            .unwrap();
        assert!(html.contains(&format!("{base}/openpsp.js")), "{html}");
        assert!(zipped.len() < html.len());
    }
}

/// The back office's texts: not in the browser's code but fetched for the page's language
/// under a name that changes with them, and cached as immutable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_names_the_texts_of_its_language_only() {
    let Some(app) = spawn_app(Backend::Sqlite, &[]).await else {
        return;
    };
    let page = |lang: &'static str| {
        app.http
            .get(format!("{}/support/login", app.base))
            .header("cookie", format!("openpsp_lang={lang}"))
            .send()
    };
    let html = page("fr").await.unwrap().text().await.unwrap();
    let at = html.find("/static/texts/").expect("a texts link");
    let path: String = html[at..].chars().take_while(|c| *c != '"').collect();
    assert!(path.starts_with("/static/texts/fr-"), "{path}");
    assert!(path.ends_with(".json"), "{path}");
    assert!(html.contains("id=\"openpsp-texts\""), "{html}");

    let res = fetch(&app, &path, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/json");
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let texts: Vec<String> = res.json().await.unwrap();
    assert_eq!(texts.len(), app::i18n::T::ALL.len());
    assert!(texts.iter().any(|t| t == "Se connecter"));
    assert!(!texts.iter().any(|t| t == "Log in"));

    // Another language, another name; a name the server did not give: 404.
    let html = page("de").await.unwrap().text().await.unwrap();
    assert!(html.contains("/static/texts/de-"), "{html}");
    for wrong in [
        "/static/texts/fr-0000000000000000.json".to_owned(),
        path.replace("/fr-", "/xx-"),
        format!("{path}x"),
    ] {
        assert_eq!(fetch(&app, &wrong, None).await.status(), 404, "{wrong}");
    }

    // The payer's pages carry their texts in the page: no link there.
    let html = fetch(&app, "/test-cards", None).await.text().await.unwrap();
    assert!(!html.contains("/static/texts/"), "{html}");
}
