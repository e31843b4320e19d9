//! One case per server function, page and route, looked up by what the registry and the
//! router list: a name without a case here is a finding of the matrix.

use super::seed::World;
use crate::helpers::PASSWORD;
use serde_json::{json, Value};

/// How a server function is tried.
pub(crate) enum Case {
    /// With B's ids: refused, and nothing of B in the answer.
    Deny(Vec<(String, String)>),
    /// Names nothing of anyone's: may answer, with the caller's own data only.
    Own(Vec<(String, String)>),
    /// Signing out: tried last, by every actor.
    Last,
    /// Open to anyone by design, for this reason; not a tenant's data.
    Public(&'static str),
}

/// One request of the matrix.
pub(crate) enum Call {
    Fn {
        endpoint: String,
        args: Vec<(String, String)>,
        deny: bool,
    },
    Get {
        url: String,
        deny: bool,
    },
    Upload {
        url: String,
    },
    Api {
        method: String,
        path: String,
        body: Option<Value>,
        deny: bool,
    },
}

/// A request and whether every actor makes it (pages, server functions) or A's API key
/// alone (`/v2`).
pub(crate) struct Cell {
    pub(crate) name: String,
    pub(crate) call: Call,
    pub(crate) per_actor: bool,
}

fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The arguments of a server function that reads JSON: one pair the runner sends as the
/// body.
fn json_args(body: Value) -> Vec<(String, String)> {
    vec![(JSON_BODY.to_owned(), body.to_string())]
}

/// The name of [`json_args`]'s pair.
pub(crate) const JSON_BODY: &str = "(json)";

/// The case of the server function at `endpoint` (its path under `/api/`).
pub(crate) fn server_fn(endpoint: &str, w: &World) -> Option<Case> {
    let (auth, sale) = (w.b_authorised.as_str(), w.b_sale.as_str());
    let ticket = w.b_ticket.as_str();
    let terminal = w.b_terminal.as_str();
    let (pos, key, endpoint_id) = (
        w.b_terminal_payment.to_string(),
        w.b_key_row.to_string(),
        w.b_endpoint.to_string(),
    );
    let (delivery, template) = (w.b_delivery.to_string(), w.b_template.to_string());
    let b_user = w.b_user.to_string();
    use Case::*;
    Some(match endpoint {
        // Signing in and the hosted payment pages: open by design.
        "login" | "request_password_reset" | "reset_password" => {
            Public("signing in and resetting a password, before anyone is signed in")
        }
        "support/begin"
        | "support/login"
        | "support/verify"
        | "support/resend"
        | "support/activation-rules"
        | "support/activate" => {
            Public("the portal's sign-in steps, on the session's own sign-in in progress")
        }
        "pay/view" | "pay/pay" | "pay/challenge" | "pay/tokenization" | "pay/tokenize" => {
            Public("the hosted pages: the checkout's id is the shopper's secret")
        }
        // iDEAL, Bancontact and the wallets on the hosted page (redirect_methods.rs).
        "pay/options" | "pay/redirect" | "pay/wallet" => Public("a checkout id is the secret"),
        "prepay/view" | "prepay/start" => {
            Public("the pre-payment page: the link's id is the payer's secret")
        }
        // Pay by link (JSON arguments).
        "links/list" => Own(json_args(json!({ "filter": { "q": "", "status": "" } }))),
        "invoices/list" => Own(json_args(json!({ "filter": { "q": "", "status": "" } }))),
        "links/new" => Own(vec![]),
        "invoices/issue" => Own(json_args(json!({ "form": {
            "reference": "A-invoice", "customer_name": "A customer", "email": "a@a.example",
            "language": "en", "due": "2099-01-01T10:00", "payable_until": "", "customer_id": "",
            "description": "", "currency": "EUR", "amount": "1.00", "lines": [],
            "hold_back": true, "remind": false,
        } }))),
        "links/get" | "links/disable" => Deny(args(&[("id", &w.b_link)])),
        "invoices/cancel" => Deny(args(&[("id", &w.b_invoice)])),
        "links/save" => Deny(json_args(json!({ "form": {
            "id": w.b_link, "name": "from A", "internal_note": "", "title": "from A",
            "description": "", "currency": "EUR", "amount": "1.00", "payer_amount": false,
            "min_amount": "", "max_amount": "", "ends_on": "", "indefinite": true,
            "reusable": true, "ask_address": false, "ask_email": false, "ask_name": false,
            "ask_phone": false, "fields": [],
        } }))),
        // Two-factor sign-in: the second step reads the session's own pending sign-in;
        // the security page changes the caller's own factor after their password.
        "sign_in_prompt" | "verify_sign_in" | "resend_sign_in_code" | "security_confirm_email" => {
            Public("the sign-in's second step and the address confirmation link: the session's own pending sign-in, the link's token is its owner's secret")
        }
        "security" | "security_send_confirmation" => Own(vec![]),
        "security_start_authenticator"
        | "security_recovery_codes"
        | "security_start_email"
        | "security_disable" => Own(args(&[("password", "Not-The-Password-9!")])),
        "security_confirm_authenticator" | "security_confirm_email_factor" => {
            Own(args(&[("code", "000000")]))
        }
        // The account page: the caller's own merchant only (Admins); the save is refused
        // field by field (a retention of one day), so the matrix changes nothing.
        "config/account" => Own(vec![]),
        "config/account_save" => Own(json_args(json!({ "form": {
            "legal_name": "A", "commercial_name": "A", "phone": "", "email": "",
            "address_street": "", "address_postcode": "", "address_city": "", "country": "",
            "vat_number": "", "invoicing_method": "email", "invoicing_email": "",
            "invoicing_address": "", "languages": ["en"], "general_conditions_url": "",
            "currencies": "EUR", "retention_days": "1",
        } }))),
        "logout" | "support/logout" => Last,
        // The back office's account.
        "me" | "home" | "mailbox" | "password_rules" => Own(vec![]),
        "change_password" => Own(args(&[
            ("current", "Not-The-Password-9!"),
            ("new_password", "Another-Orbit-43!"),
            ("confirm", "Another-Orbit-43!"),
        ])),
        "update_profile" => Own(args(&[
            ("full_name", "A user"),
            ("email", "user@shopa.example"),
        ])),
        "set_language" => Own(args(&[("lang", "en")])),
        "set_time_zone" => Own(args(&[("zone", "Europe/Paris")])),
        // Payments.
        "ops/payments" => Own(args(&[("filter[page]", "1")])),
        "ops/history" => Own(args(&[("filter[page]", "1")])),
        "ops/dashboard" => Own(args(&[("query[period]", "today")])),
        "ops/list-views" => Own(vec![]),
        "ops/list-settings" => Own(args(&[
            ("settings[filters][0]", "reference"),
            ("settings[columns][0]", "reference"),
        ])),
        "ops/save-template" => Own(args(&[("name", "A-template"), ("query", "reference=A")])),
        "ops/moto" => Own(args(&[("form[amount]", "1.00"), ("form[currency]", "EUR")])),
        "ops/payment" | "ops/cancel" => Deny(args(&[("id", auth)])),
        "ops/capture" => Deny(args(&[("id", auth), ("amount", "1.00")])),
        "ops/refund" => Deny(args(&[("id", sale), ("amount", "1.00")])),
        "ops/refund-lines" => Deny(args(&[("id", sale), ("quantities[0]", "1")])),
        "ops/capture-cart" => Deny(args(&[
            ("id", auth),
            ("prices[0]", "1.00"),
            ("quantities[0]", "1"),
        ])),
        "ops/delete-template" => Deny(args(&[("id", &template)])),
        // Configuration and webhooks.
        "config/api_keys"
        | "config/payment_settings"
        | "config/webhooks"
        | "config/rotate_webhook_key" => Own(vec![]),
        "config/jobs" => Own(args(&[("state", "")])),
        // The audit log: the caller's merchant's entries only (Admins), whatever the filter.
        "config/audit_log" => Own(args(&[("filter[page]", "1"), ("filter[text]", "")])),
        "config/create_api_key" => Own(args(&[("name", "A-key")])),
        "config/save_payment_settings" => Own(args(&[
            ("retry_count", "1"),
            ("capture_procedure", "immediate"),
            ("capture_delay_hours", "2"),
            ("session_minutes", "15"),
            ("over_capture_percent", "0"),
            ("web_site", "https://a.example"),
        ])),
        "config/save_webhooks" => Own(args(&[("enabled", "true"), ("events", "payment.created")])),
        "config/add_endpoint" => Own(args(&[("url", "http://127.0.0.1:9/a-hook")])),
        "config/delete_api_key" => Deny(args(&[("id", &key), ("password", PASSWORD)])),
        "config/remove_endpoint" => Deny(args(&[("id", &endpoint_id)])),
        "config/resend_delivery" => Deny(args(&[("id", &delivery)])),
        // Users and the PSPID's sign-in rules (Admins only): B's user by id.
        "users/list" | "users/require_two_factor" => Own(vec![]),
        "users/create" => Own(args(&[
            ("login", "a-clerk"),
            ("full_name", "A clerk"),
            ("email", "clerk@shopa.example"),
            ("role", "OPERATOR"),
        ])),
        "users/password_policy" => Own(args(&[("min_length", "12"), ("lifetime_days", "90")])),
        "users/update" => Deny(args(&[
            ("id", &b_user),
            ("full_name", "from A"),
            ("email", "mallory@a.example"),
            ("role", "ADMIN"),
            ("may_refund", "on"),
        ])),
        "users/deactivate"
        | "users/reactivate"
        | "users/unlock"
        | "users/send_password"
        | "users/reset_two_factor" => Deny(args(&[("id", &b_user)])),
        // Create production account (Admins of TEST accounts): the caller's own merchant
        // is copied, under a PSPID that names nobody's; the others are refused.
        "production/defaults" => Own(vec![]),
        "production/create" => Own(args(&[
            ("pspid", "shopa-live"),
            ("login", "admin"),
            ("email", "owner@shopa.example"),
        ])),
        // Aliases (stored cards): B's alias by id.
        "aliases/list" => Own(args(&[("filter[page]", "1"), ("filter[customer]", "")])),
        "aliases/create" => Own(args(&[
            ("form[number]", "4111111111111111"),
            ("form[expiry]", "12/30"),
            ("form[holder]", "A holder"),
            ("form[customer_id]", "a-customer"),
        ])),
        "aliases/update_expiry" => Deny(args(&[("id", &w.b_token), ("expiry", "12/31")])),
        "aliases/delete" => Deny(args(&[("id", &w.b_token)])),
        // Fraud detection (Admins): B's rule by id.
        "fraud/page" => Own(vec![]),
        "fraud/add" => Own(json_args(json!({ "form": {
            "kind": "max_amount", "action": "review", "amount": "5000", "currency": "EUR",
            "country": "", "bins": "", "card_number": "", "attempts": "", "window_minutes": "",
        } }))),
        "fraud/delete" => Deny(json_args(json!({ "id": w.b_fraud_rule }))),
        "fraud/test" => Own(json_args(json!({ "form": {
            "amount": "10", "currency": "EUR", "card_number": "9876540000000000",
            "email": "", "ip": "",
        } }))),
        // Payment methods (Admins): the caller's own merchant only; the save is refused
        // field by field (an unknown currency), so the matrix changes nothing.
        "config/methods" => Own(vec![]),
        "config/method_save" => Own(json_args(json!({ "form": {
            "code": 2, "active": false, "currencies": "ZZZ", "countries": "",
        } }))),
        // The payment page template, SMS and OpenID token (Admins): the caller's own
        // merchant only, whatever is sent.
        "template/load" | "template/customer" | "template/reset" => Own(vec![]),
        "template/save" => Own(args(&[
            ("primary_colour", "#0a5c36"),
            ("button_text_colour", "#ffffff"),
            ("background_colour", "#ffffff"),
            ("text_colour", "#000000"),
        ])),
        "template/save_customer" => Own(args(&[("sms_enabled", "on")])),
        // Card terminals and the point of sale.
        "terminals/list" | "pos/terminals" => Own(vec![]),
        "terminals/bind" | "terminals/repair" => {
            Deny(args(&[("terminal_id", terminal), ("address", "127.0.0.1")]))
        }
        "terminals/widen" => Deny(args(&[("terminal_id", terminal), ("prefix", "24")])),
        "terminals/unbind" => Deny(args(&[("terminal_id", terminal)])),
        "pos/start" => Deny(args(&[
            ("terminal", terminal),
            ("currency", "EUR"),
            ("amount", "1.00"),
            ("reference", "from A"),
        ])),
        "pos/payment" | "pos/cancel" => Deny(args(&[("id", &pos)])),
        // The support portal, as a customer sees it.
        "support/me" | "support/kb/articles" | "support/status" | "support/areas" => Own(vec![]),
        "support/profile" => Own(args(&[("full_name", "Alice Martin")])),
        "support/kb/search" => Own(args(&[("query", "refund")])),
        "support/kb/article" => Own(args(&[("slug", "no-such-article")])),
        "support/chat" => Own(args(&[("message", "How do I refund a payment?")])),
        "support/announcements" => Own(args(&[("all", "false")])),
        "support/announcements/dismiss" => Own(args(&[("id", "1")])),
        "support/requests" => Own(args(&[
            ("query[scope]", "all"),
            ("query[status]", ""),
            ("query[request_type]", ""),
            ("query[search]", ""),
            ("query[sort]", ""),
            ("query[dir]", ""),
            ("query[page]", "1"),
        ])),
        "support/raise" => Own(args(&[
            ("form[request_type]", "1"),
            ("form[summary]", "A's question"),
            ("form[description]", "About our shop"),
            ("form[impact]", "minor"),
            ("form[urgency]", "low"),
            ("form[payment_id]", ""),
        ])),
        "support/request" => Deny(args(&[("reference", ticket)])),
        "support/comment" | "support/note" => {
            Deny(args(&[("reference", ticket), ("body", "from A")]))
        }
        "support/act" => Deny(args(&[("reference", ticket), ("action", "cancel")])),
        "support/share" => Deny(args(&[("reference", ticket), ("shared", "true")])),
        "support/participant" => Deny(args(&[
            ("reference", ticket),
            ("email", "alice@demo-retail.test"),
        ])),
        "support/assign" => Deny(args(&[
            ("reference", ticket),
            ("agent", "alice@demo-retail.test"),
        ])),
        "support/priority" => Deny(args(&[("reference", ticket), ("priority", "P1")])),
        // The agents' console: none of the actors is an agent.
        "support/organizations" => Deny(vec![]),
        "support/terminals/unbound" => Deny(vec![]),
        "support/invite" => Deny(args(&[
            ("email", "mallory@a.example"),
            ("organization", "Other Corp"),
        ])),
        "support/areas/add" => Deny(args(&[("name", "A area"), ("description", "x")])),
        "support/request-types/add" => Deny(args(&[
            ("area", "1"),
            ("name", "A type"),
            ("kind", "incident"),
            ("description", "x"),
        ])),
        "support/kb/save" => Deny(args(&[
            ("form[original_slug]", ""),
            ("form[slug]", "a-article"),
            ("form[title]", "A article"),
            ("form[summary]", "x"),
            ("form[keywords]", "x"),
            ("form[body]", "x"),
            ("form[request_type]", ""),
            ("form[published]", "true"),
        ])),
        "support/announcements/save" => {
            Deny(args(&[("id", "0"), ("title", "A says"), ("body", "x")]))
        }
        "support/status-component" => Deny(args(&[("id", "1"), ("status", "major_outage")])),
        "support/status-open" => Deny(args(&[
            ("kind", "incident"),
            ("title", "A incident"),
            ("body", "x"),
        ])),
        "support/status-update" => Deny(args(&[("id", "1"), ("stage", "resolved"), ("body", "x")])),
        _ => return None,
    })
}

/// The concrete address of a page, with B's ids; `Err` with the reason when the page is
/// public by design, `None` when a parameter has no case.
fn page(path: &str, w: &World) -> Option<Result<String, &'static str>> {
    if path.starts_with("/pay/") {
        return Some(Err(
            "the hosted pages: the checkout's id is the shopper's secret",
        ));
    }
    if path.starts_with("/link/") {
        return Some(Err(
            "the pre-payment page: the link's id is the payer's secret",
        ));
    }
    let mut out = Vec::new();
    for seg in path.split('/') {
        out.push(match seg {
            "{id}" if path.starts_with("/operations/payments/") => w.b_authorised.clone(),
            "{id}" if path.starts_with("/operations/links/") => w.b_link.clone(),
            "{reference}" => w.b_ticket.clone(),
            "{slug}" => "getting-started".to_owned(),
            s if s.starts_with('{') || s.starts_with('*') => return None,
            s => s.to_owned(),
        });
    }
    Some(Ok(out.join("/")))
}

/// The `/v2` path with `merchant` and B's ids; `None` when a parameter has no case.
fn api_path(path: &str, merchant: &str, w: &World) -> Option<String> {
    let mut out = Vec::new();
    for seg in path.split('/') {
        out.push(match seg {
            "{merchant_id}" => merchant.to_owned(),
            "{payment_id}" if path.ends_with("/refund") || path.ends_with("/refunds") => {
                w.b_sale.clone()
            }
            "{payment_id}" => w.b_authorised.clone(),
            "{checkout_id}" => w.b_checkout.clone(),
            "{tokenization_id}" => w.b_tokenization.clone(),
            "{token_id}" => w.b_token.clone(),
            "{terminal_id}" => w.b_terminal.clone(),
            "{id}" if path.contains("/terminals/payments/") => w.b_terminal_payment.to_string(),
            "{product_id}" => "1".to_owned(),
            "{payment_link_id}" => w.b_link.clone(),
            s if s.starts_with('{') => return None,
            s => s.to_owned(),
        });
    }
    Some(out.join("/"))
}

fn api_body(method: &str, path: &str) -> Option<Value> {
    let amount = json!({ "amount": 100, "currencyCode": "EUR" });
    (method == "POST").then(|| {
        if path.ends_with("/capture") {
            json!({ "amount": 100 })
        } else if path.ends_with("/paymentlinks") {
            json!({ "order": { "amountOfMoney": amount } })
        } else if path.ends_with("/share") {
            json!({ "channel": "EMAIL", "recipient": "mallory@a.example" })
        } else if path.ends_with("/refund") || path.ends_with("/terminals/{terminal_id}/payments") {
            json!({ "amountOfMoney": amount })
        } else if path.ends_with("/payments") {
            crate::payments::card_payment(100, "4111111111111111", "SALE")
        } else {
            json!({})
        }
    })
}

/// The matrix's cells from the registry and the router, and the names without a case.
pub(crate) fn plan(w: &World) -> (Vec<Cell>, Vec<String>) {
    let (mut cells, mut missing) = (Vec::new(), Vec::new());
    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    endpoints.sort();
    assert!(
        endpoints.len() > 60,
        "the registry lists the server functions: {endpoints:?}"
    );
    for endpoint in endpoints {
        let (args, deny) = match server_fn(&endpoint, w) {
            Some(Case::Deny(args)) => (args, true),
            Some(Case::Own(args)) => (args, false),
            Some(Case::Public(reason)) => {
                eprintln!("open by design: /api/{endpoint} ({reason})");
                continue;
            }
            Some(Case::Last) => continue,
            None => {
                missing.push(format!("server function {endpoint}: no case in the matrix"));
                continue;
            }
        };
        let call = Call::Fn {
            endpoint: endpoint.clone(),
            args,
            deny,
        };
        cells.push(Cell {
            name: format!("/api/{endpoint}"),
            call,
            per_actor: true,
        });
    }
    for path in server::platform::http::page_paths() {
        match page(&path, w) {
            Some(Ok(url)) => {
                let call = Call::Get {
                    url: url.clone(),
                    deny: false,
                };
                cells.push(Cell {
                    name: format!("page {url}"),
                    call,
                    per_actor: true,
                });
            }
            Some(Err(reason)) => eprintln!("open by design: page {path} ({reason})"),
            None => missing.push(format!("page {path}: no case in the matrix")),
        }
    }
    for (method, path) in server::platform::http::routes() {
        let (cell_name, call, per_actor) = match (method, path) {
            ("GET", "/v2/openapi.json") => continue,
            (_, p) if server::direct::is_api_path(p) => {
                // B's merchant in the path: the key is A's. A's merchant with B's ids.
                for merchant in ["shopb", "shopa"] {
                    if merchant == "shopa"
                        && !p.trim_start_matches("/v2/{merchant_id}").contains('{')
                    {
                        continue;
                    }
                    let Some(concrete) = api_path(p, merchant, w) else {
                        missing.push(format!("{method} {p}: a parameter without a case"));
                        break;
                    };
                    // The payment products are everybody's.
                    let deny = merchant == "shopb" || !p.contains("{product_id}");
                    let call = Call::Api {
                        method: method.to_owned(),
                        path: concrete.clone(),
                        body: api_body(method, p),
                        deny,
                    };
                    cells.push(Cell {
                        name: format!("{method} {concrete}"),
                        call,
                        per_actor: false,
                    });
                }
                continue;
            }
            // The server functions' own route: every registered one is a case above.
            (_, "/api/{*fn_name}") => continue,
            (
                "GET",
                "/healthz"
                | "/readyz"
                | "/support/status.json"
                | "/operations/invoice/cart-template.csv",
            ) => (
                path.to_owned(),
                Call::Get {
                    url: path.to_owned(),
                    deny: false,
                },
                true,
            ),
            (
                "GET",
                "/operations/payments/export/{format}" | "/operations/history/export/{format}",
            ) => {
                // CSV and XML are searched for B's data; XLSX is the same rows, compressed.
                for format in ["csv", "xml", "xlsx"] {
                    let url = path.replace("{format}", format);
                    let call = Call::Get {
                        url: url.clone(),
                        deny: false,
                    };
                    cells.push(Cell {
                        name: url,
                        call,
                        per_actor: true,
                    });
                }
                continue;
            }
            // A's own entries only, for A's Admin; refused to the others.
            ("GET", "/configuration/audit-log/export.csv") => (
                path.to_owned(),
                Call::Get {
                    url: path.to_owned(),
                    deny: false,
                },
                true,
            ),
            // The simulated bank page: its token is the payer's secret, bound to one
            // payment (redirect_methods.rs tries another merchant's and a made-up one).
            ("GET" | "POST", "/pay/bank/{token}") => continue,
            ("GET", "/operations/pos/events/{id}") => {
                let url = path.replace("{id}", &w.b_terminal_payment.to_string());
                (url.clone(), Call::Get { url, deny: true }, true)
            }
            ("GET", "/support/attachments/{id}") => {
                let url = path.replace("{id}", &w.b_attachment.to_string());
                (url.clone(), Call::Get { url, deny: true }, true)
            }
            // The browser's code and style: the same for everyone, no tenant's data.
            ("GET", "/static/{version}/pkg/{*file}") => {
                eprintln!("open by design: {path} (the application's code and style)");
                continue;
            }
            // The interface's texts of one language: the same for everyone.
            ("GET", "/static/texts/{file}") => {
                eprintln!("open by design: {path} (the interface's texts)");
                continue;
            }
            // The payer's pages' stylesheet and logo: public by design, under a random id.
            ("GET", "/pay/theme/{file}" | "/pay/theme/{id}/logo") => {
                eprintln!("open by design: {path} (a template's random id, what payers load)");
                continue;
            }
            // The logo upload changes the caller's own template only; the matrix's file is
            // no image, so it is refused to everyone.
            ("POST", "/configuration/template/logo") => (
                "upload a logo".to_owned(),
                Call::Upload {
                    url: path.to_owned(),
                },
                true,
            ),
            ("POST", "/support/requests/{reference}/attachments") => {
                let url = path.replace("{reference}", &w.b_ticket);
                (format!("upload to {url}"), Call::Upload { url }, true)
            }
            _ => {
                missing.push(format!("route {method} {path}: no case in the matrix"));
                continue;
            }
        };
        cells.push(Cell {
            name: cell_name,
            call,
            per_actor,
        });
    }
    (cells, missing)
}
