//! `/v2/openapi.json` describes exactly what the router serves: the set of (method, path)
//! in the document equals the `/v2` routes the router is built from, and every one of
//! them is answered (not the API's 404 or 405).

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use std::collections::BTreeSet;

/// A path with its parameters' names dropped: `/v2/{merchant_id}/x` → `/v2/{}/x`.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The `/v2` routes the router mounts, as (METHOD, path shape).
pub(crate) fn mounted_api_routes() -> BTreeSet<(String, String)> {
    server::platform::http::routes()
        .filter(|(_, path)| server::direct::is_api_path(path))
        .map(|(method, path)| (method.to_owned(), shape(path)))
        .collect()
}

both_backends!(
    the_openapi_document_lists_exactly_the_api_routes_the_router_serves,
    &[],
    |app: TestApp| async move {
        let res = app
            .http
            .get(format!("{}/v2/openapi.json", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let doc: serde_json::Value = res.json().await.unwrap();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.insert((method.to_ascii_uppercase(), shape(path)));
            }
        }
        let mounted = mounted_api_routes();
        assert!(mounted.len() > 20, "the list names the API: {mounted:?}");
        assert_eq!(
            documented.difference(&mounted).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "documented but not served"
        );
        assert_eq!(
            mounted.difference(&documented).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "served but not documented"
        );
        // Each listed route is answered by its handler or the authentication in front of
        // it, never by the API's "no such resource" or "wrong method".
        for (method, path) in server::platform::http::routes() {
            if !server::direct::is_api_path(path) {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "x1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let res = app
                .http
                .request(method.parse().unwrap(), format!("{}{concrete}", app.base))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            assert!(
                !body.contains("UNKNOWN_RESOURCE") && status != 405,
                "{method} {path}: {status} {body}"
            );
        }
    }
);
